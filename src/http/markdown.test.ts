import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('renders Markdown', () => {
    expect(renderMarkdown('Raise the **retry limit**\n\n- one\n- two')).toBe(
      '<p>Raise the <strong>retry limit</strong></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n',
    );
  });

  it('shows raw HTML as text and drops scripts, handlers and javascript: links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))',
    );
    expect(html).not.toMatch(/<script|<img|href="javascript/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('opens links safely in a new tab', () => {
    expect(renderMarkdown('[PR](https://example.com/pr/1)')).toBe(
      '<p><a href="https://example.com/pr/1" rel="noopener noreferrer nofollow" target="_blank">PR</a></p>\n',
    );
  });
});
