// Analysing a large batch on worker threads: one worker per core (capped), each loading the
// grammar once. Outcomes come back in the input order, whatever order the workers finish in.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnalysisResult, AnalyzeOptions } from './index.js';

/** Each worker holds a grammar, the analyzer and one file's model (~100-150 MB): four keep a large scan well under 1 GiB. */
export const MAX_WORKERS = 4;

/** One file for the pool. */
export interface BatchFile {
  path: string;
  content: string;
}

/** What became of one file: its analysis, or the error that stopped it. */
export type BatchOutcome = { result: AnalysisResult } | { error: { name: string; message: string } };

export interface PoolOptions extends Omit<AnalyzeOptions, 'file'> {
  /** Number of worker threads (default: available cores, at most MAX_WORKERS). */
  workers?: number;
  signal?: AbortSignal;
}

/** A message to a worker: one file. */
export interface WorkerRequest {
  index: number;
  path: string;
  content: string;
  options: Omit<AnalyzeOptions, 'file'>;
}

/** A worker's answer for one file (`ready` once, after it loaded the grammar). */
export type WorkerReply = { ready: true } | { index: number; result: AnalysisResult } | { index: number; error: { name: string; message: string } };

/** The pool could not start its workers; the caller should analyse in-process instead. */
export class WorkerStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerStartError';
  }
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS));
}

/** Files each worker holds at once: the one it analyses and the next, so it never waits. */
const IN_HAND = 2;

/**
 * Analyses `files` on worker threads. Largest files are handed out first so the workers
 * finish together. A file that throws comes back as an error outcome; a worker that dies
 * fails only the file it was on and is replaced. Rejects with the signal's reason on abort,
 * and with WorkerStartError when a worker cannot even load the analyzer.
 */
export function analyzeInWorkers(files: readonly BatchFile[], options: PoolOptions = {}): Promise<BatchOutcome[]> {
  const { workers: wanted, signal, ...analyzeOptions } = options;
  const outcomes: Array<BatchOutcome | undefined> = new Array(files.length);
  if (files.length === 0) return Promise.resolve([]);
  signal?.throwIfAborted();
  const count = Math.max(1, Math.min(wanted ?? defaultWorkerCount(), files.length));
  const order = files.map((_, i) => i).sort((a, b) => files[b]!.content.length - files[a]!.content.length || a - b);
  /** Files taken back from a worker that died before starting them: they go out first. */
  const requeued: number[] = [];
  let next = 0;
  let done = 0;
  let restarts = 0;
  const live = new Set<Worker>();

  return new Promise<BatchOutcome[]>((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of live) void w.terminate();
      live.clear();
      if (error !== undefined) reject(error);
      else resolve(outcomes as BatchOutcome[]);
    };
    const onAbort = (): void => settle(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    const record = (index: number, outcome: BatchOutcome): void => {
      if (outcomes[index] !== undefined) return;
      outcomes[index] = outcome;
      done++;
      if (done === files.length) settle();
    };
    const takeNext = (): number | undefined => (requeued.length ? requeued.shift() : next < order.length ? order[next++] : undefined);

    const start = (): void => {
      const worker = spawnWorker();
      live.add(worker);
      const inHand: number[] = [];
      let ready = false;
      const feed = (): void => {
        while (inHand.length < IN_HAND) {
          const index = takeNext();
          if (index === undefined) return;
          inHand.push(index);
          const file = files[index]!;
          const request: WorkerRequest = { index, path: file.path, content: file.content, options: analyzeOptions };
          worker.postMessage(request);
        }
      };
      const died = (why: string, cause?: unknown): void => {
        if (settled || !live.has(worker)) return;
        live.delete(worker);
        void worker.terminate();
        if (!ready) return settle(new WorkerStartError(`analyzer worker could not start: ${why}`, { cause }));
        // The first file in hand is the one it was analysing; the others were never started.
        const [current, ...waiting] = inHand;
        if (current !== undefined) record(current, { error: { name: 'WorkerError', message: `analyzer worker failed: ${why}` } });
        requeued.unshift(...waiting);
        if (settled) return;
        if (++restarts > 2 * count + 4) return settle(new Error(`analyzer workers keep failing (last: ${why})`));
        start();
      };
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          ready = true;
          return feed();
        }
        const at = inHand.indexOf(reply.index);
        if (at >= 0) inHand.splice(at, 1);
        record(reply.index, 'error' in reply ? { error: reply.error } : { result: reply.result });
        if (!settled) feed();
      });
      worker.on('error', (error) => died(error.message, error));
      worker.on('exit', (code) => died(`exited with code ${code}`));
    };
    for (let i = 0; i < count; i++) start();
  });
}

/**
 * The worker script next to this module: compiled `worker.js` from dist/, or `worker.ts`
 * when this module runs from source. From source, a process started by tsx passes its
 * loader on to workers; elsewhere (vitest) a small bootstrap registers tsx in the worker
 * first (Node 20 does not apply a worker's own `--import` hooks to its entry point).
 */
function spawnWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  if (!fromSource || process.execArgv.some((a) => a.includes('tsx'))) return new Worker(script);
  const tsxApi = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}
