// What a scanner can say about itself for reports (SARIF tool.driver and rules).
import type { Level } from '../core/types.js';

export interface ToolInfo {
  name: string;
  version?: string;
  informationUri?: string;
}

export interface RuleInfo {
  id: string;
  /** A short machine-friendly name, e.g. Bandit's `subprocess_popen_with_shell_equals_true`. */
  name?: string;
  shortDescription?: string;
  fullDescription?: string;
  /** The fix hint. */
  help?: string;
  helpUri?: string;
  cwes: number[];
  severity?: Level;
}

export interface ScannerInfo {
  tool: ToolInfo;
  rules: RuleInfo[];
}

/** Scanners that can describe their tool and rules implement this beside `Scanner`. */
export interface Describable {
  describe(): Promise<ScannerInfo>;
}

export function isDescribable(value: unknown): value is Describable {
  return typeof (value as Partial<Describable> | null)?.describe === 'function';
}

/** Tool and rule descriptions keyed by scanner name, for `toSarif(..., { tools })`. */
export async function describeScanners(scanners: readonly { name: string }[]): Promise<Record<string, ScannerInfo>> {
  const entries = await Promise.all(
    scanners.map(async (scanner): Promise<[string, ScannerInfo]> => [
      scanner.name,
      isDescribable(scanner) ? await scanner.describe() : { tool: { name: scanner.name }, rules: [] },
    ]),
  );
  return Object.fromEntries(entries);
}
