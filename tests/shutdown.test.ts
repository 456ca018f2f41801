import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_POLICY } from './_util/app.js';
import { spawn } from 'node:child_process';
import { freePort } from './_util/browser.js';
import { CLI_ARGS, runCli, startServer, type RunningServer } from './_util/cli.js';
import { startHttpReceiver, type HttpReceiver } from './_util/receivers.js';
import { writeFileSync } from 'node:fs';

/** How long `changeboard serve` may take to end after SIGTERM, whatever it is doing. */
const GRACE_MS = 10_000;

describe('stopping the server', () => {
  let dir: string;
  let server: RunningServer | undefined;
  let receiver: HttpReceiver | undefined;

  afterEach(async () => {
    server?.process.kill('SIGKILL');
    server = undefined;
    await receiver?.close();
    receiver = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function setUp(env: Record<string, string> = {}) {
    dir = mkdtempSync(join(tmpdir(), 'changeboard-shutdown-'));
    const policy = join(dir, 'changeboard.yaml');
    writeFileSync(policy, EXAMPLE_POLICY);
    return {
      DATABASE_URL: `sqlite:${join(dir, 'changeboard.db')}`,
      CHANGEBOARD_CONFIG: policy,
      ...env,
    };
  }

  /** Milliseconds from SIGTERM to exit, or Infinity when it is still running after the grace. */
  async function stopTiming(running: RunningServer): Promise<number> {
    const started = Date.now();
    const exited = new Promise<number>((resolve) =>
      running.process.once('exit', () => resolve(Date.now() - started)),
    );
    running.process.kill('SIGTERM');
    return Promise.race([
      exited,
      new Promise<number>((resolve) =>
        setTimeout(() => resolve(Number.POSITIVE_INFINITY), GRACE_MS + 2_000),
      ),
    ]);
  }

  it('keeps serving, and ends soon after SIGTERM, when whoever read its output has gone', async () => {
    const { DATABASE_URL } = setUp();
    const port = await freePort();
    // Demo mode (no policy file in the folder), logging every request: plenty to write.
    const child = spawn(process.execPath, [...CLI_ARGS, 'serve'], {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The reader is gone before the server writes a word: every write to stdout meets EPIPE.
    child.stdout.destroy();
    server = {
      url: `http://127.0.0.1:${port}`,
      process: child,
      output: () => '',
      stop: () => Promise.resolve(null),
    };
    const healthy = async () => {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`${server!.url}/healthz`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    expect(await healthy()).toBe(true);
    for (let i = 0; i < 20; i++) await fetch(`${server.url}/healthz`);
    expect(await healthy()).toBe(true);
    expect(await stopTiming(server)).toBeLessThan(GRACE_MS);
  }, 40_000);

  it('ends within its grace while a delivery hangs on a receiver that never answers', async () => {
    receiver = await startHttpReceiver();
    receiver.replyWith({ delayMs: 60_000 }, { delayMs: 60_000 });
    const env = setUp({
      AUDIT_WEBHOOK_URL: receiver.url,
      AUDIT_WEBHOOK_SECRET: 'shh-its-a-secret',
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    const token = (await runCli(['token', 'create', 'priya'], env)).stdout.trim();
    server = await startServer(env);
    const created = await fetch(`${server.url}/api/v1/changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Hanging webhook', type: 'normal', services: ['payments'] }),
    });
    expect(created.status).toBe(201);
    await receiver.waitForConnection();
    expect(await stopTiming(server)).toBeLessThan(GRACE_MS);
  }, 40_000);
});
