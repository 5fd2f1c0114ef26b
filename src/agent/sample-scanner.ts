// Scanning one sample with every scanner of a run: answers from the store's scan cache when
// the same code was scanned before by the same scanner version, batches external tools, and
// merges the results.
import type { Finding } from '../core/types.js';
import { dedupeFindings, sortFindings } from '../scanners/combine.js';
import { isDescribable } from '../scanners/metadata.js';
import type { Diagnostic, ScanResult, Scanner, SourceFile } from '../scanners/types.js';
import { codeHash, configHash } from '../store/hash.js';
import type { Store } from '../store/store.js';
import { ScanBatcher } from './scan-batcher.js';

/**
 * Scanners that run in this process: batching them gains nothing, and their results are not
 * cached across runs (rescanning is cheap, and a cache keyed by a version they do not report
 * would outlive changes to their rules). A resumed run still rescans nothing: each sample's
 * findings and verdict are stored with it.
 */
const IN_PROCESS = new Set(['builtin', 'llm']);

export interface SampleScan {
  findings: Finding[];
  diagnostics: Diagnostic[];
  suppressed: number;
  /** Scanners answered from the cache for this sample. */
  cached: string[];
}

export interface SampleScannerOptions {
  /** The scan cache; without one every scan runs. */
  store?: Store;
  /** Batch window for external tools (default 25 ms); 0 still coalesces what arrives in one tick. */
  batchWindowMs?: number;
  maxBatch?: number;
  signal?: AbortSignal;
}

interface Slot {
  scanner: Scanner;
  /** Cache key part: the tool's version and its rule set; undefined = not cached. */
  version?: string;
  batcher?: ScanBatcher;
}

export class SampleScanner {
  readonly #slots: Slot[];
  readonly #store?: Store;
  /** Scans actually run (not answered from the cache), per scanner. */
  readonly runs = new Map<string, number>();
  readonly cacheHits = new Map<string, number>();

  private constructor(slots: Slot[], store: Store | undefined) {
    this.#slots = slots;
    this.#store = store;
  }

  static async create(scanners: readonly Scanner[], options: SampleScannerOptions = {}): Promise<SampleScanner> {
    const slots = await Promise.all(
      scanners.map(async (scanner): Promise<Slot> =>
        IN_PROCESS.has(scanner.name)
          ? { scanner }
          : {
              scanner,
              version: await versionKey(scanner),
              batcher: new ScanBatcher(scanner, { windowMs: options.batchWindowMs, maxBatch: options.maxBatch, signal: options.signal }),
            },
      ),
    );
    return new SampleScanner(slots, options.store);
  }

  get names(): string[] {
    return this.#slots.map((s) => s.scanner.name);
  }

  /** Batches each external scanner ran (for the benchmark and tests). */
  batchStats(): Record<string, ScanBatcher['stats']> {
    return Object.fromEntries(this.#slots.filter((s) => s.batcher).map((s) => [s.scanner.name, { ...s.batcher!.stats }]));
  }

  async scan(file: SourceFile, signal?: AbortSignal): Promise<SampleScan> {
    const hash = codeHash(file.content);
    const cached: string[] = [];
    const results = await Promise.all(
      this.#slots.map(async (slot): Promise<ScanResult> => {
        const key = slot.version === undefined ? undefined : { scanner: slot.scanner.name, version: slot.version, codeHash: hash };
        const hit = key && this.#store?.getCachedScan(key);
        if (hit) {
          cached.push(slot.scanner.name);
          bump(this.cacheHits, slot.scanner.name);
          return {
            findings: hit.findings.map((f) => ({ ...f, file: file.path })),
            diagnostics: hit.diagnostics.map((d) => (d.file === undefined ? d : { ...d, file: file.path })),
            suppressed: hit.suppressed,
          };
        }
        signal?.throwIfAborted();
        const result = slot.batcher ? await slot.batcher.scan(file, signal) : await slot.scanner.scan([file], { signal });
        bump(this.runs, slot.scanner.name);
        if (key) this.#store?.putCachedScan(key, result);
        return result;
      }),
    );
    return {
      findings: sortFindings(dedupeFindings(results.flatMap((r) => r.findings))),
      diagnostics: results.flatMap((r) => r.diagnostics),
      suppressed: results.reduce((n, r) => n + r.suppressed, 0),
      cached,
    };
  }
}

function bump(counts: Map<string, number>, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/** What identifies a scanner's behaviour for the cache: its tool version and its rules. */
async function versionKey(scanner: Scanner): Promise<string> {
  const parts: string[] = [];
  const withVersion = scanner as Scanner & { version?: () => Promise<string | undefined> | string | undefined };
  if (typeof withVersion.version === 'function') {
    try {
      parts.push(String((await withVersion.version()) ?? 'unknown'));
    } catch {
      parts.push('unknown');
    }
  }
  if (isDescribable(scanner)) {
    try {
      const info = await scanner.describe();
      parts.push(info.tool.version ?? '', configHash(info.rules));
    } catch {
      // A scanner that cannot describe itself is keyed by its version alone.
    }
  }
  return parts.length ? parts.join('|') : 'unversioned';
}
