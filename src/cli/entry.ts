// The process entry: runs the CLI and sets the exit code. bin/secagent.js loads the compiled
// copy; tests run this file through tsx.
import { main } from './main.js';
import { printError } from './output.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    printError(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
