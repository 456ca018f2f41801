#!/usr/bin/env node
// `npm run dev`: the Changeboard server with reload on change, and Vite's dev server with hot
// reload in front of it (http://localhost:5173, /api proxied to the server). The server's
// PUBLIC_URL is the dev server's address, so links, cookies and the CSRF origin check match.
import { spawn } from 'node:child_process';

const apiPort = process.env.API_PORT ?? '8080';
const webUrl = process.env.PUBLIC_URL ?? 'http://localhost:5173';
const children = [
  spawn('npx', ['tsx', 'watch', 'src/bin/changeboard.ts', 'serve'], {
    stdio: 'inherit',
    env: { ...process.env, PORT: apiPort, PUBLIC_URL: webUrl },
  }),
  spawn('npx', ['vite', '--config', 'web/vite.config.ts'], {
    stdio: 'inherit',
    env: { ...process.env, CHANGEBOARD_API: `http://127.0.0.1:${apiPort}` },
  }),
];
const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children)
  child.on('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
