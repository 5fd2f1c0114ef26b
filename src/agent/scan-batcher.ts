// Coalesces single-file scan requests into batches, so that many tasks finishing a round at
// about the same time make one external scanner process rather than one each. A few batches
// may run at once (one per core, at most 2 by default: a tool's start-up, not its scanning,
// is most of a small batch's time); what arrives while they run forms the next batch. When a
// batch fails, its files are scanned one by one so that one bad file fails alone.
import { availableParallelism } from 'node:os';
import type { Diagnostic, ScanResult, Scanner, SourceFile } from '../scanners/types.js';

export interface ScanBatcherOptions {
  /** How long the first request of a batch waits for others to join (default 25 ms). */
  windowMs?: number;
  /** Files per batch at most (default 200). */
  maxBatch?: number;
  /** Batches running at once at most (default: 2, or 1 on a single core). */
  maxInFlight?: number;
  /** Cancels the batches in flight (the run's signal). */
  signal?: AbortSignal;
}

interface Pending {
  file: SourceFile;
  signal?: AbortSignal;
  resolve(result: ScanResult): void;
  reject(error: unknown): void;
}

export class ScanBatcher {
  readonly #scanner: Scanner;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  readonly #signal?: AbortSignal;
  readonly #maxInFlight: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running = 0;
  /** Batches run and files scanned so far (for progress and tests). */
  readonly stats = { batches: 0, files: 0, largestBatch: 0 };

  constructor(scanner: Scanner, options: ScanBatcherOptions = {}) {
    this.#scanner = scanner;
    this.#windowMs = options.windowMs ?? 25;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#signal = options.signal;
    this.#maxInFlight = options.maxInFlight ?? Math.min(2, availableParallelism());
    if (!(this.#maxInFlight >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${this.#maxInFlight}`);
    if (!(this.#maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, got ${this.#maxBatch}`);
  }

  get name(): string {
    return this.#scanner.name;
  }

  /** Scans one file as part of the next batch; resolves to that file's share of the result. */
  scan(file: SourceFile, signal?: AbortSignal): Promise<ScanResult> {
    return new Promise<ScanResult>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      this.#pending.push({ file, signal, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running >= this.#maxInFlight || this.#timer || this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, this.#windowMs);
  }

  async #flush(): Promise<void> {
    const batch: Pending[] = [];
    while (this.#pending.length > 0 && batch.length < this.#maxBatch) {
      const next = this.#pending.shift()!;
      if (next.signal?.aborted) next.reject(next.signal.reason);
      else batch.push(next);
    }
    if (batch.length === 0) return;
    this.#running++;
    // Unique names inside the batch: two tasks may show the same path.
    const files = batch.map((p, i) => ({ path: `${i}/${p.file.path}`, content: p.file.content }));
    try {
      this.stats.batches++;
      this.stats.files += files.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, files.length);
      const result = await this.#scanner.scan(files, { signal: this.#signal });
      const shares = splitByFile(result, files.map((f) => f.path));
      batch.forEach((p, i) => p.resolve(renamed(shares[i]!, p.file.path, batch.length === 1 ? result.suppressed : 0)));
    } catch (error) {
      if (batch.length === 1 || this.#signal?.aborted) {
        for (const p of batch) p.reject(error);
      } else {
        // One file can break a whole batch: scan each alone, so only that one fails.
        for (const p of batch) {
          try {
            this.stats.batches++;
            p.resolve(await this.#scanner.scan([p.file], { signal: this.#signal }));
          } catch (single) {
            p.reject(single);
          }
        }
      }
    } finally {
      this.#running--;
      this.#schedule();
    }
  }
}

function splitByFile(result: ScanResult, paths: string[]): ScanResult[] {
  const index = new Map(paths.map((p, i) => [p, i]));
  const shares: ScanResult[] = paths.map(() => ({ findings: [], diagnostics: [], suppressed: 0 }));
  for (const finding of result.findings) {
    const i = index.get(finding.file);
    if (i !== undefined) shares[i]!.findings.push(finding);
  }
  for (const diagnostic of result.diagnostics) {
    const i = diagnostic.file === undefined ? undefined : index.get(diagnostic.file);
    // A diagnostic about no file in particular (a tool warning) concerns every file of the batch.
    if (i === undefined) for (const share of shares) share.diagnostics.push(diagnostic);
    else shares[i]!.diagnostics.push(diagnostic);
  }
  return shares;
}

/**
 * The share with the caller's own path put back. Suppression counts come per batch, not per
 * file, so a file scanned together with others reports none.
 */
function renamed(share: ScanResult, path: string, suppressed: number): ScanResult {
  return {
    findings: share.findings.map((f) => ({ ...f, file: path })),
    diagnostics: share.diagnostics.map((d): Diagnostic => (d.file === undefined ? d : { ...d, file: path })),
    suppressed,
  };
}
