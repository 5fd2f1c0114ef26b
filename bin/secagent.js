#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (part of the README's set-up) produces dist/.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`secagent: ${err?.message ?? err}`); process.exitCode = 1; },
);
