/** One-line error on stderr, the CLI's only way of reporting a failure. */
export function printError(message: string): void {
  process.stderr.write(`secagent: ${message.split('\n')[0]}\n`);
}

/** Progress and notes go to stderr so stdout stays machine-readable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Dollars for a summary line: four decimals, or two significant digits for smaller amounts (not $0.0000). */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.0001) return `$${usd.toFixed(Math.min(12, 1 - Math.floor(Math.log10(usd))))}`;
  return `$${usd.toFixed(4)}`;
}
