// Shared steps of the adapters that run an external tool on a staged batch.
import { findExecutable, ScannerError } from './process.js';

/** The executable's absolute path, or a ScannerError carrying the adapter's install hint. */
export async function requireExecutable(scanner: string, executable: string, reason: () => Promise<string | null>): Promise<string> {
  const found = await findExecutable(executable);
  if (found) return found;
  throw new ScannerError(scanner, (await reason()) ?? `${executable} is not available`);
}

/** The message for a missing tool: the install hint for the default name, else the path that failed. */
export function missingToolReason(executable: string, defaultName: string, installHint: string): string {
  return executable === defaultName ? installHint : `${defaultName} not found or not executable at ${executable}`;
}
