// The built-in analyzer as a Scanner: in-process, no external tool.
import { analyzeSourceSync, prepareAnalyzer } from '../analyzer/index.js';
import type { ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';

export interface BuiltinScannerOptions {
  /** Run only these rule ids (default: all). */
  rules?: string[];
}

export class BuiltinScanner implements Scanner {
  readonly name = 'builtin';
  private readonly rules?: string[];

  constructor(options?: unknown) {
    const rules = (options as BuiltinScannerOptions | undefined)?.rules;
    this.rules = Array.isArray(rules) ? rules.map(String) : undefined;
  }

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    await prepareAnalyzer();
    const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
    for (const file of files) {
      options.signal?.throwIfAborted();
      try {
        const r = analyzeSourceSync(file.content, { file: file.path, rules: this.rules });
        result.findings.push(...r.findings);
        result.diagnostics.push(...r.diagnostics);
        result.suppressed += r.suppressed;
      } catch (error) {
        if (error instanceof Error && error.name === 'UserError') throw error;
        result.diagnostics.push({ scanner: 'builtin', file: file.path, message: `analyzer failed: ${error instanceof Error ? error.message : String(error)}` });
      }
      // Let timers and aborts through between files of a large batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return result;
  }
}
