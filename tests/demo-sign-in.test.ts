import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './_util/cli.js';
import { EXAMPLE_PEOPLE } from './_util/app.js';

describe('npm start in demo mode', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    // A folder without changeboard.yaml: the bundled example policy, demo mode.
    dir = mkdtempSync(join(tmpdir(), 'changeboard-demo-'));
    server = await startServer({ DATABASE_URL: `sqlite:${join(dir, 'changeboard.db')}` }, dir);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The links printed so far; the server prints them right after its URL. */
  const linksIn = () => [...server.output().matchAll(/(http:\/\/\S+\/sign-in\/link#token=(\S+))/g)];
  const allPrinted = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!server.output().includes('Sign in to the API with a token')) return;
        server.process.stdout?.off('data', check);
        resolve();
      };
      server.process.stdout?.on('data', check);
      check();
    });

  it('prints one working sign-in link per person of the example policy', async () => {
    await allPrinted();
    const links = linksIn();
    expect(links).toHaveLength(EXAMPLE_PEOPLE.length);
    const token = links[1]![2]!;
    const res = await fetch(`${server.url}/api/v1/auth/email/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { person: { id: string } }).person.id).toBe('priya');
    expect(res.headers.get('set-cookie')).toMatch(
      /^cb_session=cbs_[\w-]+; .*HttpOnly; SameSite=Lax/,
    );
  });
});
