// A deterministic scanner for agent tests: every line holding `VULN` (or `VULN-<cwe>`) is a
// finding of that CWE (78 by default). It records each batch it is given.
import type { Finding } from '../../../src/core/types.js';
import { ScannerError } from '../../../src/scanners/process.js';
import type { ScanOptions, ScanResult, Scanner, SourceFile } from '../../../src/scanners/types.js';

export class MarkerScanner implements Scanner {
  readonly batches: SourceFile[][] = [];

  constructor(
    readonly name = 'marker',
    private readonly options: { delayMs?: number; fail?: (files: SourceFile[]) => string | undefined } = {},
  ) {}

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  /** Every file content scanned, in order. */
  get scanned(): string[] {
    return this.batches.flat().map((f) => f.content);
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    this.batches.push(files);
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    options.signal?.throwIfAborted();
    const failure = this.options.fail?.(files);
    if (failure) throw new ScannerError(this.name, failure);
    const findings: Finding[] = [];
    for (const file of files) {
      file.content.split('\n').forEach((text, i) => {
        const m = /VULN(?:-(\d+))?/.exec(text);
        if (!m) return;
        findings.push({
          scanner: this.name,
          ruleId: 'marker/vuln',
          cwes: [m[1] ? Number(m[1]) : 78],
          severity: 'high',
          confidence: 'high',
          message: 'a marked weakness',
          fixHint: 'remove the marker',
          file: file.path,
          line: i + 1,
          column: m.index + 1,
          endLine: i + 1,
          endColumn: m.index + m[0].length + 1,
          snippet: text,
        });
      });
    }
    return { findings, diagnostics: [], suppressed: 0 };
  }
}
