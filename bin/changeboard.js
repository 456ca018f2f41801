#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin/changeboard.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(
    'Changeboard is not built yet: run `npm install` (or `npm run build`) in the checkout first.',
  );
  process.exit(2);
}
await import(entry.href);
