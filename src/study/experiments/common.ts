// What every experiment shares: its run in the store (opened, or continued with the same
// settings), the runs of its cells, progress, cost, and judging code with scanners.
import type { LimitFunction } from 'p-limit';
import { UserError, type Finding } from '../../core/types.js';
import { outputFileName } from '../../agent/files.js';
import { SampleScanner } from '../../agent/sample-scanner.js';
import { countedFindings, type VerdictPolicy } from '../../scanners/combine.js';
import type { Diagnostic, Scanner } from '../../scanners/types.js';
import type { CostFunction } from '../../store/cached-model.js';
import type { RunConfig, StoredRun } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { EXPERIMENT_KIND, type CostSummary, type Experiment, type ExperimentProgress } from './types.js';

export interface ExperimentBase {
  store: Store;
  /** Continue this run when it exists; a new id is generated when absent. */
  runId?: string;
  /** Units (tasks, samples) in progress at once; default 4. */
  concurrency?: number;
  /** Stops starting work and cancels what is in flight; the run is left `interrupted`. */
  signal?: AbortSignal;
  onProgress?: (progress: ExperimentProgress) => void;
  /** Prices LLM calls (llm/pricing's costOf fits). */
  costOf?: CostFunction;
  /** Stored with the run beside the settings (task source, artifacts folder...). */
  config?: RunConfig;
}

/** One unit of an experiment with its own run in the store (a generator, a repairer × generator...). */
export interface Cell {
  runId: string;
  generator?: string;
  repairer?: string;
  detector?: string;
  run?: number;
}

export interface OpenedExperiment {
  run: StoredRun;
  resumed: boolean;
}

/** The judge name of the verdicts experiments store from scanning code. */
export const SCAN_JUDGE = 'study-scan';
/** The judge name of a sample's ground truth in rq2 and rq3 (labels, an rq1 run's verdicts, or a scanner). */
export const TRUTH_JUDGE = 'truth';

/**
 * Opens the experiment's run (kind study-rqN), or continues it when `runId` names one: then
 * the settings must be the same, or two experiments would be mixed in one run.
 */
export function openExperiment(
  store: Store,
  experiment: Experiment,
  runId: string | undefined,
  settings: Record<string, unknown>,
  cells: Cell[],
  config: RunConfig = {},
): OpenedExperiment {
  const kind = EXPERIMENT_KIND[experiment];
  const { run, created } = store.openRun({ id: runId, kind, config: { ...config, experiment, settings, cells } });
  if (!created) {
    const stored = (run.config.settings ?? {}) as Record<string, unknown>;
    const differences = [...new Set([...Object.keys(stored), ...Object.keys(settings)])]
      .filter((key) => JSON.stringify(stored[key] ?? null) !== JSON.stringify(settings[key] ?? null))
      .map((key) => `${key} (${JSON.stringify(stored[key] ?? null)} then, ${JSON.stringify(settings[key] ?? null)} now)`);
    if (differences.length > 0) {
      throw new UserError(
        `run "${run.id}" was started with other settings: ${differences.join(', ')}; continue it with the same options or choose another --run-id`,
      );
    }
  }
  store.setRunStatus(run.id, 'running');
  return { run: store.getRun(run.id)!, resumed: !created };
}

/** Ends the experiment's run: done, or interrupted when the signal fired or work is left. */
export function closeExperiment(store: Store, runId: string, interrupted: boolean): 'done' | 'interrupted' {
  store.setRunStatus(runId, interrupted ? 'interrupted' : 'done', interrupted ? 'interrupted before every unit was done' : undefined);
  return interrupted ? 'interrupted' : 'done';
}

/** Marks the run failed with the error's message and rethrows it. */
export function failExperiment(store: Store, runId: string, error: unknown): never {
  store.setRunStatus(runId, 'failed', error instanceof Error ? error.message : String(error));
  throw error;
}

/** The items in the order given, only the first of each key. */
export function firstOfEach<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** `<parent>/gen=openai:gpt-4o/run=2`: readable, unique per cell, stable across resumes. */
export function cellRunId(parent: string, parts: Record<string, string | number>): string {
  return [parent, ...Object.entries(parts).map(([k, v]) => `${k}=${v}`)].join('/');
}

/** The run with this id; none is a UserError naming the store. */
export function requireRun(store: Store, runId: string): StoredRun {
  const run = store.getRun(runId);
  if (!run) throw new UserError(`no run with id "${runId}" in the store ${store.path}`);
  return run;
}

/** The cells of an experiment run as stored with it. */
export function cellsOf(run: StoredRun): Cell[] {
  const cells = run.config.cells;
  if (!Array.isArray(cells)) throw new UserError(`run "${run.id}" holds no experiment cells; was it made by secagent study?`);
  return cells as Cell[];
}

export function experimentOf(run: StoredRun): Experiment | undefined {
  const found = Object.entries(EXPERIMENT_KIND).find(([, kind]) => kind === run.kind);
  return found?.[0] as Experiment | undefined;
}

/** LLM calls, tokens and cost summed over the cells' runs. */
export function costOfRuns(store: Store, runIds: readonly string[]): CostSummary {
  const sum: CostSummary = { calls: 0, cachedCalls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 };
  for (const id of runIds) {
    if (!store.getRun(id)) continue;
    const t = store.runTotals(id);
    sum.calls += t.calls;
    sum.cachedCalls += t.cachedCalls;
    sum.failedCalls += t.failedCalls;
    sum.inputTokens += t.inputTokens;
    sum.outputTokens += t.outputTokens;
    sum.costUsd += t.costUsd;
    sum.unpricedCalls += t.unpricedCalls;
  }
  sum.costUsd = Math.round(sum.costUsd * 1e6) / 1e6;
  return sum;
}

/**
 * Runs an experiment's cells through `runCells` (which answers whether every cell completed)
 * and closes the run: interrupted when a cell did not complete or the signal fired, else done.
 * An error other than the abort marks the run failed and is rethrown.
 */
export async function runExperimentCells(
  store: Store,
  runId: string,
  signal: AbortSignal | undefined,
  runCells: () => Promise<boolean>,
): Promise<'done' | 'interrupted'> {
  let interrupted = false;
  try {
    interrupted = !(await runCells());
  } catch (error) {
    if (!isAbort(error, signal)) failExperiment(store, runId, error);
  }
  if (signal?.aborted) interrupted = true;
  return closeExperiment(store, runId, interrupted);
}

/** One cell whose units are samples (rq2, rq3): its run in the store and how its units are worked through. */
export interface SampleCellRun {
  runId: string;
  kind: string;
  config: RunConfig;
  /** Shown with each unit's progress, e.g. `openai:gpt-4o fixing gpt4`. */
  label: string;
  limit: LimitFunction;
  progress: ProgressCounter;
  signal?: AbortSignal;
}

/**
 * Opens the cell's run and works through its samples under the shared concurrency limit;
 * `unit` handles one sample and returns a one-line account for the progress. The run ends
 * done, or interrupted when the signal fired; the answer is whether it completed.
 */
export async function runSampleCell<S extends { taskId: string }>(
  store: Store,
  cell: SampleCellRun,
  samples: readonly S[],
  unit: (sample: S) => Promise<string>,
): Promise<boolean> {
  store.openRun({ id: cell.runId, kind: cell.kind, config: cell.config });
  store.setRunStatus(cell.runId, 'running');
  const results = await Promise.all(
    samples.map((sample) =>
      cell.limit(async () => {
        if (cell.signal?.aborted) return false;
        const detail = await unit(sample);
        cell.progress.step(cell.label, `${sample.taskId}: ${detail}`);
        return true;
      }),
    ),
  );
  const complete = results.every(Boolean) && !cell.signal?.aborted;
  store.setRunStatus(cell.runId, complete ? 'done' : 'interrupted');
  return complete;
}

/** Counts units done across an experiment's cells and reports each one. */
export class ProgressCounter {
  done = 0;
  constructor(
    private readonly experiment: Experiment,
    readonly total: number,
    private readonly onProgress?: (progress: ExperimentProgress) => void,
  ) {}

  step(cell: string, detail?: string): void {
    this.done++;
    this.onProgress?.({ experiment: this.experiment, done: this.done, total: this.total, cell, ...(detail ? { detail } : {}) });
  }
}

export interface CodeVerdict {
  vulnerable: boolean;
  findings: Finding[];
  /** The findings that decide the verdict under the policy. */
  counted: Finding[];
  diagnostics: Diagnostic[];
}

/**
 * Judges code against a task's CWE with a set of scanners: scans (answered from the store's
 * scan cache when the same code was scanned before), then applies the verdict policy.
 */
export class CodeJudge {
  private constructor(
    private readonly scanner: SampleScanner,
    readonly policy: VerdictPolicy,
  ) {}

  static async create(scanners: readonly Scanner[], options: { store?: Store; policy: VerdictPolicy; signal?: AbortSignal }): Promise<CodeJudge> {
    if (scanners.length === 0) throw new UserError('no scanner to judge the code with');
    return new CodeJudge(await SampleScanner.create(scanners, { store: options.store, signal: options.signal }), options.policy);
  }

  get scanners(): string[] {
    return this.scanner.names;
  }

  /** A short name of the judge for reports, e.g. `builtin+bandit (task-cwe)`. */
  get name(): string {
    return `${this.scanners.join('+')} (${this.policy})`;
  }

  async judge(taskId: string, cwe: number | undefined, code: string, signal?: AbortSignal): Promise<CodeVerdict> {
    const result = await this.scanner.scan({ path: outputFileName(taskId), content: code }, signal);
    const counted = countedFindings(result.findings, { policy: this.policy, taskCwe: cwe });
    return { vulnerable: counted.length > 0, findings: result.findings, counted, diagnostics: result.diagnostics };
  }
}

/** True for the error an aborted signal makes operations throw. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) && (error === signal?.reason || (error instanceof Error && /abort|interrupt|cancel/i.test(`${error.name} ${error.message}`)));
}
