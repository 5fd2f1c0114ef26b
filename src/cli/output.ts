/** One-line error on stderr, the CLI's only way of reporting a failure. */
export function printError(message: string): void {
  process.stderr.write(`secagent: ${message.split('\n')[0]}\n`);
}

/** Progress and notes go to stderr so stdout stays machine-readable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
