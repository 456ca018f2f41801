#!/usr/bin/env node
// `npm start` runs this first: it builds the server and the web app only where the
// build is missing or older than its sources, so a fresh `npm install && npm start`
// compiles each once (install already built the server) and a restart compiles nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const parts = [
  {
    name: 'server',
    sources: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    built: 'dist/bin/changeboard.js',
    script: 'build:server',
  },
  {
    name: 'web app',
    // The web app shares the API contract and the field rules with the server.
    sources: ['web', 'src/http/contract', 'src/domain', 'package-lock.json'],
    built: 'web/dist/index.html',
    script: 'build:web',
    skip: ['web/dist'],
  },
];

function newest(path, skip) {
  if (skip.includes(path) || !existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path).map((entry) => newest(join(path, entry), skip)),
  );
}

for (const part of parts) {
  const builtAt = existsSync(part.built) ? statSync(part.built).mtimeMs : 0;
  const changedAt = Math.max(...part.sources.map((source) => newest(source, part.skip ?? [])));
  if (builtAt >= changedAt) continue;
  console.log(`Building the ${part.name} (${builtAt ? 'its sources changed' : 'not built yet'})…`);
  execFileSync('npm', ['run', '--silent', part.script], { stdio: 'inherit' });
}
