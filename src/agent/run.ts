// Running Algorithm 1 over a task set: n tasks at a time, one run in the store, resumable.
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { UserError } from '../core/types.js';
import type { ChatModel } from '../llm/types.js';
import type { Scanner } from '../scanners/types.js';
import { CachedChatModel, type CostFunction } from '../store/cached-model.js';
import { configHash } from '../store/hash.js';
import type { RunConfig, RunKind } from '../store/records.js';
import type { Store } from '../store/store.js';
import { runTask, type TaskContext } from './loop.js';
import { SampleScanner } from './sample-scanner.js';
import type { AgentEvent, AgentSettings, AgentTask, TaskOutcome } from './types.js';

export interface AgentRunOptions {
  store: Store;
  /** Continue this run when it exists; a new id is generated when absent. */
  runId?: string;
  kind: RunKind;
  generator: ChatModel;
  /** Default: the generator. */
  repairer?: ChatModel;
  scanners: readonly Scanner[];
  settings: AgentSettings;
  /** Tasks in progress at once (default 1). */
  concurrency?: number;
  /** Stops starting tasks and cancels calls and scans in flight; the run is left `interrupted`. */
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** Prices calls (llm/pricing's costOf fits). */
  costOf?: CostFunction;
  /** Stored with the run beside the agent's own settings (task source, output folder...). */
  config?: RunConfig;
  /** Batch window for external scanners, ms (default 25). */
  batchWindowMs?: number;
  /**
   * Added to the cache attempt of every LLM call (generation: base, repair round r: base + r),
   * so that independent repetitions of the same setup (the study's 5 runs) are asked afresh
   * instead of answered from each other's cache. Give repetition n (0-based) the base
   * n × (maxIterations + 1) to keep the ranges apart. Default 0.
   */
  attemptBase?: number;
  /** Called once the run is open in the store, before any task starts. */
  onRunOpened?: (runId: string, resumed: boolean) => void;
}

export interface AgentRun {
  runId: string;
  status: 'done' | 'interrupted';
  /** True when the run existed in the store before this call. */
  resumed: boolean;
  /** In task order; a task not reached before an interruption has no outcome. */
  outcomes: (TaskOutcome | undefined)[];
  scanner: SampleScanner;
  wallTimeMs: number;
}

/** The settings that decide a run's results: resuming with other ones would mix two runs. */
export function runFingerprint(tasks: readonly AgentTask[], options: AgentRunOptions): Record<string, unknown> {
  const repairer = options.repairer ?? options.generator;
  return {
    kind: options.kind,
    generator: options.generator.id,
    repairer: repairer.id,
    scanners: options.scanners.map((s) => s.name).sort(),
    policy: options.settings.policy,
    prompt: options.settings.prompt,
    maxIterations: options.settings.maxIterations,
    temperature: options.settings.temperature ?? null,
    temperatureStep: options.settings.temperatureStep ?? null,
    maxAsks: options.settings.maxAsks,
    tasks: configHash(tasks.map((t) => [t.id, t.prompt, t.code ?? null, t.cwe ?? null])),
    ...(options.attemptBase ? { attemptBase: options.attemptBase } : {}),
  };
}

export async function runAgent(tasks: readonly AgentTask[], options: AgentRunOptions): Promise<AgentRun> {
  const started = performance.now();
  checkTasks(tasks);
  const { store } = options;
  const fingerprint = runFingerprint(tasks, options);
  const { run, created } = store.openRun({ id: options.runId, kind: options.kind, config: { ...options.config, agent: fingerprint } });
  if (!created) checkSameSettings(run.id, run.config.agent as Record<string, unknown> | undefined, fingerprint);
  store.setRunStatus(run.id, 'running');
  options.onRunOpened?.(run.id, !created);
  store.transaction(() => {
    for (const task of tasks) store.upsertTask({ runId: run.id, taskId: task.id, prompt: task.prompt, cwe: task.cwe });
  });

  // A fatal error in one task (a refused key, an unreachable server) stops the others too.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Every call and scan in flight listens to it.
  setMaxListeners(Math.max(50, 8 * (options.concurrency ?? 1)), signal);
  const cacheOptions = { costOf: options.costOf, context: { runId: run.id } };
  const generator = new CachedChatModel(options.generator, store, cacheOptions);
  const repairer =
    !options.repairer || options.repairer === options.generator ? generator : new CachedChatModel(options.repairer, store, cacheOptions);
  const scanner = await SampleScanner.create(options.scanners, { store, signal, batchWindowMs: options.batchWindowMs });
  const ctx: TaskContext = {
    store,
    runId: run.id,
    generator,
    repairer,
    scanner,
    settings: options.settings,
    attemptBase: options.attemptBase,
    signal,
    emit: (event) => options.onEvent?.(event),
  };

  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  let fatal: unknown;
  const outcomes = await Promise.all(
    tasks.map((task) =>
      limit(async () => {
        if (signal.aborted) return undefined;
        try {
          return await runTask(task, ctx);
        } catch (error) {
          if (!signal.aborted) {
            fatal ??= error;
            stop.abort(error);
          }
          return undefined;
        }
      }),
    ),
  );

  if (fatal !== undefined && !options.signal?.aborted) {
    store.setRunStatus(run.id, 'failed', fatal instanceof Error ? fatal.message : String(fatal));
    throw fatal;
  }
  const interrupted = Boolean(options.signal?.aborted) || outcomes.some((o) => o === undefined);
  store.setRunStatus(run.id, interrupted ? 'interrupted' : 'done', interrupted ? 'interrupted before every task was done' : undefined);
  return {
    runId: run.id,
    status: interrupted ? 'interrupted' : 'done',
    resumed: !created,
    outcomes,
    scanner,
    wallTimeMs: Math.round(performance.now() - started),
  };
}

function checkTasks(tasks: readonly AgentTask[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) throw new UserError(`two tasks have the id ${task.id}`);
    seen.add(task.id);
  }
}

function checkSameSettings(runId: string, stored: Record<string, unknown> | undefined, now: Record<string, unknown>): void {
  if (!stored) throw new UserError(`run "${runId}" was not made by the agent; choose another --run-id`);
  const differences = Object.keys(now)
    .filter((key) => JSON.stringify(stored[key] ?? null) !== JSON.stringify(now[key] ?? null))
    .map((key) => (key === 'tasks' ? 'the tasks' : `${key} (${JSON.stringify(stored[key] ?? null)} then, ${JSON.stringify(now[key])} now)`));
  if (differences.length) {
    throw new UserError(
      `run "${runId}" was started with other settings: ${differences.join(', ')}; resume it with the same options or choose another --run-id`,
    );
  }
}
