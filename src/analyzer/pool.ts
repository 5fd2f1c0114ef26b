// Analysing a large batch in worker processes: one per core (capped), each loading the
// grammar once. Outcomes come back in the input order, whatever order the workers finish in.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnalysisResult, AnalyzeOptions } from './index.js';

/** Each worker holds a grammar, the analyzer and one file's model (~150-250 MB): four keep a large scan under 1 GiB. */
export const MAX_WORKERS = 4;

/**
 * V8 settings of the worker processes. A fresh V8 spends a third of a standard-library scan
 * optimising functions that are only warm (each worker pays this again); a larger interrupt
 * budget optimises only the really hot ones, later, and takes the CPU time of a two-worker
 * scan from ~20 s to ~14 s. (Young-generation sizes and single-threaded GC made no difference.)
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--interrupt-budget=1000000'];

/** One file for the pool. */
export interface BatchFile {
  path: string;
  content: string;
}

/** What became of one file: its analysis, or the error that stopped it. */
export type BatchOutcome = { result: AnalysisResult } | { error: { name: string; message: string } };

export interface PoolOptions extends Omit<AnalyzeOptions, 'file'> {
  /** Number of worker processes (default: available cores, at most MAX_WORKERS). */
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

/** How much of a worker's stderr is kept to explain why it died. */
const STDERR_KEPT = 4096;

/**
 * One worker process and what is known of it: whether it said it is ready, whether it ended
 * and why, and the end of its stderr. Events go to whoever holds it (the pool, or nobody
 * while it waits as a spare).
 */
class WorkerProcess {
  readonly child: ChildProcess;
  ready = false;
  ended: { why: string; cause?: unknown } | undefined;
  private stderr = '';
  private handlers: { ready(): void; reply(r: Exclude<WorkerReply, { ready: true }>): void; end(why: string, cause?: unknown): void } | undefined;

  constructor() {
    this.child = spawnWorker();
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    });
    this.child.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        this.ready = true;
        this.handlers?.ready();
      } else this.handlers?.reply(reply);
    });
    this.child.on('error', (error) => this.end(error.message, error));
    // 'close' comes after the process exited and its stderr was read to the end.
    this.child.on('close', (code, sig) => this.end(sig ? `killed by ${sig}` : `exited with code ${code}`));
  }

  /** Hands the worker's events to `handlers`, replaying readiness or an end that came before. */
  attach(handlers: NonNullable<WorkerProcess['handlers']>): void {
    this.handlers = handlers;
    if (this.ended) handlers.end(this.ended.why, this.ended.cause);
    else if (this.ready) handlers.ready();
  }

  /** Why it ended, with the last telling line of its stderr. */
  describe(why: string): string {
    const detail = lastLine(this.stderr);
    return detail ? `${why}: ${detail}` : why;
  }

  send(request: WorkerRequest): void {
    this.child.send(request);
  }

  /** Whether the worker keeps this process running (spares do not). */
  hold(held: boolean): void {
    const handles = [this.child, this.child.channel, this.child.stderr] as Array<{ ref?(): void; unref?(): void } | null | undefined>;
    for (const h of handles) (held ? h?.ref : h?.unref)?.call(h);
  }

  stop(): void {
    stop(this.child);
  }

  private end(why: string, cause?: unknown): void {
    if (this.ended) return;
    this.ended = { why, cause };
    stop(this.child);
    this.handlers?.end(why, cause);
  }
}

/** Workers started ahead of a batch by `prestartWorkers`, not yet taken by `analyzeInWorkers`. */
const spares: WorkerProcess[] = [];

/** Spares not taken within this time are stopped. */
const SPARE_LIFETIME_MS = 30_000;

/**
 * Starts `count` workers now, for an `analyzeInWorkers` call that is coming (a command that
 * is still reading the files): they load the grammar meanwhile. Spares do not keep the
 * process alive, and stop when unused for a while or when this process ends.
 */
export function prestartWorkers(count = defaultWorkerCount()): void {
  while (spares.length < Math.min(count, MAX_WORKERS)) {
    let worker: WorkerProcess;
    try {
      worker = new WorkerProcess();
    } catch {
      return; // analyzeInWorkers will meet the same problem and report it
    }
    worker.hold(false);
    // Stops the worker only while it is still a spare (a batch may have taken it).
    const discard = (): void => {
      const at = spares.indexOf(worker);
      if (at < 0) return;
      spares.splice(at, 1);
      worker.stop();
    };
    worker.attach({ ready: () => undefined, reply: () => undefined, end: discard });
    setTimeout(discard, SPARE_LIFETIME_MS).unref();
    spares.push(worker);
  }
}

/**
 * Analyses `files` in worker processes. Largest files are handed out first so the workers
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
  const live = new Set<WorkerProcess>();

  return new Promise<BatchOutcome[]>((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of live) w.stop();
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
      let worker: WorkerProcess;
      try {
        worker = spares.shift() ?? new WorkerProcess();
      } catch (error) {
        return settle(new WorkerStartError(`analyzer worker could not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
      worker.hold(true);
      live.add(worker);
      const inHand: number[] = [];
      const feed = (): void => {
        while (inHand.length < IN_HAND) {
          const index = takeNext();
          if (index === undefined) return;
          inHand.push(index);
          const file = files[index]!;
          worker.send({ index, path: file.path, content: file.content, options: analyzeOptions });
        }
      };
      const died = (why: string, cause?: unknown): void => {
        if (settled || !live.has(worker)) return;
        live.delete(worker);
        worker.stop();
        const message = worker.describe(why);
        if (!worker.ready) return settle(new WorkerStartError(`analyzer worker could not start: ${message}`, { cause }));
        // The first file in hand is the one it was analysing; the others were never started.
        const [current, ...waiting] = inHand;
        if (current !== undefined) record(current, { error: { name: 'WorkerError', message: `analyzer worker failed: ${message}` } });
        requeued.unshift(...waiting);
        if (settled) return;
        if (++restarts > 2 * count + 4) return settle(new Error(`analyzer workers keep failing (last: ${message})`));
        start();
      };
      worker.attach({
        ready: feed,
        reply: (reply) => {
          const at = inHand.indexOf(reply.index);
          if (at >= 0) inHand.splice(at, 1);
          record(reply.index, 'error' in reply ? { error: reply.error } : { result: reply.result });
          if (!settled) feed();
        },
        end: died,
      });
    };
    for (let i = 0; i < count && !settled; i++) start();
  });
}

function stop(worker: ChildProcess): void {
  if (worker.connected) worker.disconnect();
  if (worker.exitCode === null && worker.signalCode === null) worker.kill();
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Error\b/.test(l)) ?? lines[lines.length - 1] ?? '';
}

/**
 * The worker script next to this module: compiled `worker.js` from dist/, or `worker.ts`
 * (through tsx's loader) when this module runs from source (tsx, vitest). The worker gets
 * its own V8 settings, not the parent's command-line options.
 */
function spawnWorker(): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url));
  const loader = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return fork(script, [], {
    execArgv: [...loader, ...WORKER_V8_FLAGS],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}
