// The process entry: runs the CLI and sets the exit code. bin/secagent.js loads the compiled
// copy; tests run this file through tsx.
import { main } from './main.js';
import { printError } from './output.js';

// `secagent ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    printError(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
