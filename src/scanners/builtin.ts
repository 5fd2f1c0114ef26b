// The built-in analyzer as a Scanner: in-process for the agent loop's small batches, in
// worker processes (one per core) for large ones such as a whole project.
import { analyzeInWorkers, analyzeSourceSync, checkRuleIds, defaultWorkerCount, prepareAnalyzer, WorkerStartError, type BatchOutcome } from '../analyzer/index.js';
import { UserError } from '../core/types.js';
import type { ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';

export interface BuiltinScannerOptions {
  /** Run only these rule ids (default: all). */
  rules?: string[];
  /** Worker processes for large batches (default: available cores, capped); 0 or 1 keeps every batch in-process. */
  workers?: number;
  /** A batch goes to workers when it has more files or more bytes than this (default 50 files, 2 MB). */
  parallelAbove?: { files?: number; bytes?: number };
}

/** Below these a batch is analysed faster in-process than workers can start. */
const PARALLEL_ABOVE_FILES = 50;
const PARALLEL_ABOVE_BYTES = 2 * 1024 * 1024;

export class BuiltinScanner implements Scanner {
  readonly name = 'builtin';
  private readonly rules?: string[];
  private readonly workers: number;
  private readonly aboveFiles: number;
  private readonly aboveBytes: number;
  /** How the last batch was analysed (workers that could not start fall back to in-process). */
  lastScanMode: 'workers' | 'in-process' | undefined;

  constructor(options?: unknown) {
    const o = (options ?? {}) as BuiltinScannerOptions;
    this.rules = Array.isArray(o.rules) ? o.rules.map(String) : undefined;
    this.workers = typeof o.workers === 'number' && Number.isFinite(o.workers) ? Math.max(0, Math.floor(o.workers)) : defaultWorkerCount();
    this.aboveFiles = o.parallelAbove?.files ?? PARALLEL_ABOVE_FILES;
    this.aboveBytes = o.parallelAbove?.bytes ?? PARALLEL_ABOVE_BYTES;
  }

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    options.signal?.throwIfAborted();
    checkRuleIds(this.rules);
    if (this.useWorkers(files)) {
      try {
        const outcomes = await analyzeInWorkers(files, { rules: this.rules, workers: this.workers, signal: options.signal });
        this.lastScanMode = 'workers';
        return merge(files, outcomes);
      } catch (error) {
        // Workers that cannot start (no worker support, a broken install) leave the
        // in-process path, which gives the same results.
        if (!(error instanceof WorkerStartError)) throw error;
      }
    }
    this.lastScanMode = 'in-process';
    return this.scanInProcess(files, options);
  }

  private useWorkers(files: SourceFile[]): boolean {
    if (this.workers < 2 || files.length < 2) return false;
    if (files.length > this.aboveFiles) return true;
    let bytes = 0;
    for (const f of files) if ((bytes += f.content.length) > this.aboveBytes) return true;
    return false;
  }

  private async scanInProcess(files: SourceFile[], options: ScanOptions): Promise<ScanResult> {
    await prepareAnalyzer();
    const outcomes: BatchOutcome[] = [];
    for (const file of files) {
      options.signal?.throwIfAborted();
      try {
        outcomes.push({ result: analyzeSourceSync(file.content, { file: file.path, rules: this.rules }) });
      } catch (error) {
        if (error instanceof UserError) throw error;
        outcomes.push({ error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } });
      }
      // Let timers and aborts through between files of a large batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return merge(files, outcomes);
  }
}

/** One ScanResult from per-file outcomes, in file order. */
function merge(files: SourceFile[], outcomes: BatchOutcome[]): ScanResult {
  const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
  outcomes.forEach((outcome, i) => {
    if ('error' in outcome) {
      if (outcome.error.name === 'UserError') throw new UserError(outcome.error.message);
      result.diagnostics.push({ scanner: 'builtin', file: files[i]!.path, message: `analyzer failed: ${outcome.error.message}` });
      return;
    }
    result.findings.push(...outcome.result.findings);
    result.diagnostics.push(...outcome.result.diagnostics);
    result.suppressed += outcome.result.suppressed;
  });
  return result;
}
