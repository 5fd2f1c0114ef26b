// The machine-readable account of a run (`summary.json`), built from the store so that a
// resumed run reports the same as an uninterrupted one.
import type { TaskStatus } from '../core/types.js';
import type { StoredCall } from '../store/records.js';
import type { Store } from '../store/store.js';
import { vulnerableByRoundFromStore } from './loop.js';
import type { AgentTask } from './types.js';

export interface TaskSummary {
  id: string;
  /** The code file's name in the output folder; null when no code was produced. */
  file: string | null;
  cwe: number | null;
  status: TaskStatus | 'pending';
  reason?: string;
  rounds: number;
  /** Verdict after each round from 0; the last one holds for later rounds. */
  vulnerableByRound: boolean[];
  findings: number;
  calls: number;
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** From the task's first recorded step to its last (spans an interruption, if any). */
  wallTimeMs: number;
}

export interface RunSummary {
  runId: string;
  status: string;
  models: { generate: string; repair: string };
  scanners: string[];
  policy: string;
  prompt: string;
  maxIterations: number;
  temperature: number | null;
  temperatureStep: number | null;
  /** Tasks in all and by status. */
  counts: Record<TaskStatus | 'pending' | 'total', number>;
  /** Tasks whose code is vulnerable after each round, from round 0 (as generated) to k. Failed and pending tasks are not counted. */
  vulnerableAfterRound: number[];
  calls: number;
  cachedCalls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Of the priced calls; see unpricedCalls. */
  costUsd: number;
  unpricedCalls: number;
  /** This invocation's wall time. */
  wallTimeMs: number;
  /** From the run's creation to now (spans interruptions). */
  elapsedSinceStartMs: number;
  tasks: TaskSummary[];
  [extra: string]: unknown;
}

export interface SummaryInput {
  store: Store;
  runId: string;
  tasks: readonly AgentTask[];
  /** Output file name per task id, for the tasks whose code was written. */
  files?: ReadonlyMap<string, string>;
  wallTimeMs: number;
  extra?: Record<string, unknown>;
}

export function buildRunSummary(input: SummaryInput): RunSummary {
  const { store, runId } = input;
  const run = store.getRun(runId);
  if (!run) throw new Error(`no run ${runId} in the store`);
  const agent = (run.config.agent ?? {}) as Record<string, unknown>;
  const k = Number(agent.maxIterations ?? 0);
  const totals = store.runTotals(runId);
  const calls = store.listCalls(runId);
  const callsByTask = new Map<string, StoredCall[]>();
  for (const call of calls) {
    if (!call.taskId) continue;
    const list = callsByTask.get(call.taskId) ?? [];
    list.push(call);
    callsByTask.set(call.taskId, list);
  }

  const counts: Record<TaskStatus | 'pending' | 'total', number> = { total: input.tasks.length, secure: 0, vulnerable: 0, failed: 0, pending: 0 };
  const vulnerableAfterRound = new Array<number>(k + 1).fill(0);
  const taskSummaries: TaskSummary[] = input.tasks.map((task) => {
    const stored = store.getTask(runId, task.id);
    const status = stored?.status ?? 'pending';
    counts[status]++;
    const rounds = stored?.rounds ?? 0;
    const byRound = vulnerableByRoundFromStore(store, runId, task.id, rounds);
    if (status === 'secure' || status === 'vulnerable') {
      for (let r = 0; r <= k; r++) if (byRound[Math.min(r, byRound.length - 1)]) vulnerableAfterRound[r]!++;
    }
    const taskCalls = callsByTask.get(task.id) ?? [];
    const paid = taskCalls.filter((c) => c.error === undefined && c.cachedFrom === undefined);
    const finalId = stored?.finalSampleId;
    const samples = store.listSamples(runId, task.id);
    return {
      id: task.id,
      file: input.files?.get(task.id) ?? null,
      cwe: task.cwe ?? null,
      status,
      ...(stored?.reason ? { reason: stored.reason } : {}),
      rounds,
      vulnerableByRound: byRound,
      findings: finalId !== undefined ? store.getFindings(finalId).length : 0,
      calls: paid.length,
      cachedCalls: taskCalls.filter((c) => c.cachedFrom !== undefined).length,
      inputTokens: sum(paid, (c) => c.inputTokens),
      outputTokens: sum(paid, (c) => c.outputTokens),
      costUsd: round6(sum(paid, (c) => c.costUsd ?? 0)),
      wallTimeMs: taskWallTime(taskCalls, samples.map((s) => s.createdAt), stored?.updatedAt),
    };
  });

  return {
    runId,
    status: run.status,
    models: { generate: String(agent.generator ?? ''), repair: String(agent.repairer ?? '') },
    scanners: (agent.scanners as string[] | undefined) ?? [],
    scannersSkipped: run.config.scannersSkipped ?? [],
    policy: String(agent.policy ?? ''),
    prompt: String(agent.prompt ?? ''),
    maxIterations: k,
    temperature: (agent.temperature as number | null | undefined) ?? null,
    temperatureStep: (agent.temperatureStep as number | null | undefined) ?? null,
    counts,
    vulnerableAfterRound,
    calls: totals.calls,
    cachedCalls: totals.cachedCalls,
    failedCalls: totals.failedCalls,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    costUsd: round6(totals.costUsd),
    unpricedCalls: totals.unpricedCalls,
    wallTimeMs: input.wallTimeMs,
    elapsedSinceStartMs: Math.max(0, Date.now() - Date.parse(run.createdAt)),
    ...input.extra,
    tasks: taskSummaries,
  };
}

function taskWallTime(calls: StoredCall[], sampleTimes: string[], updatedAt: string | undefined): number {
  const starts = [
    ...calls.map((c) => Date.parse(c.createdAt) - c.latencyMs),
    ...sampleTimes.map((t) => Date.parse(t)),
  ].filter(Number.isFinite);
  if (starts.length === 0 || !updatedAt) return 0;
  return Math.max(0, Math.round(Date.parse(updatedAt) - Math.min(...starts)));
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((n, item) => n + value(item), 0);
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
