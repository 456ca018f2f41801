import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../src/notifications/channels/webhook.js';

describe('the README’s webhook verification example', () => {
  it('accepts what Changeboard signs and refuses forgeries and replays', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```js\n([\s\S]*?isGenuine[\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const file = join(mkdtempSync(join(tmpdir(), 'readme-')), 'verify.mjs');
    writeFileSync(file, code!);
    const { isGenuine } = (await import(pathToFileURL(file).href)) as {
      isGenuine: (secret: string, header: string, body: string, tolerance?: number) => boolean;
    };
    const body = JSON.stringify({ id: 'abc', event: { type: 'approved' } });
    const header = signWebhook('s3cret', body, new Date());
    expect(isGenuine('s3cret', header, body)).toBe(true);
    expect(isGenuine('wrong', header, body)).toBe(false);
    expect(isGenuine('s3cret', header, body.replace('approved', 'rejected'))).toBe(false);
    const old = signWebhook('s3cret', body, new Date(Date.now() - 3_600_000));
    expect(isGenuine('s3cret', old, body)).toBe(false);
    expect(isGenuine('s3cret', 'garbage', body)).toBe(false);
  });
});
