#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (part of the README's set-up) produces dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('secagent: not built yet: run `npm run build` in the secagent folder first');
  process.exit(2);
}
await import(entry.href);
