import type { FastifyInstance } from 'fastify';

/** Minimal server-rendered pages (e-mail action links work without the web app). */

/**
 * What every page opened from a secret link needs, for the routes of the plugin
 * it is called in: HTML forms posted back, and headers that keep the secret in
 * the URL out of Referer headers, caches and search engines. The pages carry
 * their own small inline stylesheet and no script.
 */
export function servesLinkPages(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, parsed) => {
      parsed(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addHook('onSend', (_request, reply, payload, next) => {
    void reply
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      )
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex');
    next(null, payload);
  });
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Changeboard</title>
<style>
  body { margin: 0; background: #f6f7f9; color: #1f2328; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  main { max-width: 640px; margin: 32px auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 24px; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
  dt { color: #656d76; }
  dd { margin: 0; }
  label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
  textarea { width: 100%; box-sizing: border-box; min-height: 6rem; font: inherit; padding: .5rem; border: 1px solid #d0d7de; border-radius: 6px; }
  button { margin-top: 1rem; font: inherit; font-weight: 600; color: #fff; border: 0; border-radius: 6px; padding: .6rem 1.2rem; cursor: pointer; }
  button:focus-visible, a:focus-visible, textarea:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  .approve { background: #1a7f37; } .reject { background: #cf222e; }
  .notice { padding: .75rem 1rem; border-radius: 6px; background: #fff8c5; border: 1px solid #d4a72c; }
  .done { background: #dafbe1; border-color: #4ac26b; }
  a { color: #0969da; }
  h2 { font-size: 1.05rem; margin: 1.5rem 0 .25rem; }
  .muted { color: #656d76; } .small { font-size: .875rem; }
  .description { overflow-wrap: anywhere; } .description pre { white-space: pre-wrap; }
  .choices { display: flex; gap: .75rem; flex-wrap: wrap; }
  .field-error { color: #cf222e; margin: .25rem 0 0; }
  fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 1rem 0 0; padding: .5rem 1rem; }
  legend { font-weight: 600; padding: 0 .25rem; }
  label.choice { font-weight: 400; margin: .5rem 0; }
  @media (max-width: 480px) { main { margin: 0; border-radius: 0; border-width: 0 0 1px; padding: 16px; } dl { grid-template-columns: 1fr; } dd { margin-bottom: .5rem; } .choices button { flex: 1 1 100%; } }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}
