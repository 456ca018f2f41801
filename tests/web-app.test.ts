import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

const INDEX = '<!doctype html><title>Changeboard</title><div id="root"></div>';

describe.each(databaseKinds)('the web app served by the server on $name', (kind) => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'changeboard-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg/>');
    writeFileSync(join(root, '..', 'secret.txt'), 'not for the web');
    t = await startTestApp(kind, { server: { webRoot: root } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(join(root, '..', 'secret.txt'), { force: true });
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('serves index.html for the app’s pages, with a strict CSP', async () => {
    for (const url of ['/', '/changes/CHG-4', '/calendar?week=2026-11-30', '/sign-in/link']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const headers = (await get('/')).headers;
    const csp = String(headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // Over http, browsers must not be told to upgrade to https.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toBeUndefined();
  });

  it('serves hashed assets for a year and other files fresh', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await get('/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect((await get('/assets/missing.js')).statusCode).toBe(404);
  });

  it('never serves files from outside its folder', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await get(url);
      expect(res.body, url).not.toContain('not for the web');
    }
  });

  it('keeps unknown API paths JSON 404s', async () => {
    const res = await get('/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await t.app.inject({ method: 'POST', url: '/changes/CHG-1' })).statusCode).toBe(404);
  });
});

describe('the web app before it is built', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(databaseKinds[0]!, {
      server: { webRoot: join(tmpdir(), 'changeboard-no-such-build') },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('says how to build it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/changes/CHG-1' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
