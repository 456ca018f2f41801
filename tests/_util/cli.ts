import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// tsx's ESM loader by absolute path, so the CLI also runs from folders outside the checkout.
const TSX_LOADER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;
/** The CLI from source (through tsx), so the test never runs a stale build. */
export const CLI_ARGS = ['--import', TSX_LOADER, join(ROOT, 'src', 'bin', 'changeboard.ts')];
const CLI = CLI_ARGS;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI, ...args],
      { cwd, env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

export interface RunningServer {
  readonly url: string;
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `changeboard serve` as a real process on a free port; resolves once it prints its URL. */
export function startServer(
  env: Record<string, string>,
  cwd = ROOT,
  args: readonly string[] = [],
): Promise<RunningServer> {
  const child = spawn(process.execPath, [...CLI, 'serve', ...args], {
    cwd,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          process: child,
          output: () => output,
          stop: (signal = 'SIGTERM') =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

export interface CliProcess {
  /** Resolves once stdout or stderr contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  readonly result: Promise<CliResult>;
}

/** The CLI as a process whose output can be watched while it runs (e.g. `gate --wait`). */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  cwd = ROOT,
): CliProcess {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd,
    env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const watcher of [...watchers]) {
      if (stdout.includes(watcher.text) || stderr.includes(watcher.text)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const result = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
  return {
    result,
    waitForOutput(text, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" in time:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        watchers.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
      });
    },
  };
}
