// RQ1: how often do models write vulnerable code? Every model completes every task with the
// study's generation prompt; the scanners judge each sample against its task's CWE (policy
// task-cwe by default, as the study judged). Each model is one agent run with no repair
// round (Algorithm 1 with k = 0), so generation, scanning, caching and resuming are the agent's.
import { runAgent, outputFileName, type AgentTask } from '../../agent/index.js';
import { UserError, type Task } from '../../core/types.js';
import type { ChatModel } from '../../llm/types.js';
import type { VerdictPolicy } from '../../scanners/combine.js';
import type { Scanner } from '../../scanners/types.js';
import { configHash } from '../../store/hash.js';
import { generateRunId } from '../../store/store.js';
import type { Store } from '../../store/store.js';
import { wilson } from '../stats.js';
import {
  cellRunId,
  cellsOf,
  closeExperiment,
  costOfRuns,
  failExperiment,
  firstOfEach,
  openExperiment,
  ProgressCounter,
  requireRun,
  type Cell,
  type ExperimentBase,
} from './common.js';
import { CELL_KIND, type ExperimentOutcome, type ExperimentTables, type Rq1Cell } from './types.js';

export interface Rq1Options extends ExperimentBase {
  tasks: readonly Task[];
  models: readonly ChatModel[];
  scanners: readonly Scanner[];
  /** Default task-cwe: a sample counts as vulnerable only for findings of its task's CWE. */
  policy?: VerdictPolicy;
  /** Calls per task at most, re-asks after a reply without usable code included (default 3). */
  maxAsks?: number;
  temperature?: number;
}

export const DEFAULT_MAX_ASKS = 3;

export async function runRq1(options: Rq1Options): Promise<ExperimentOutcome> {
  const { store, tasks } = options;
  const models = uniqueModels(options.models, '--models');
  if (tasks.length === 0) throw new UserError('rq1: no tasks');
  const policy = options.policy ?? 'task-cwe';
  const maxAsks = options.maxAsks ?? DEFAULT_MAX_ASKS;
  const settings = {
    models: models.map((m) => m.id),
    scanners: options.scanners.map((s) => s.name).sort(),
    policy,
    prompt: 'paper',
    maxAsks,
    temperature: options.temperature ?? null,
    tasks: configHash(tasks.map((t) => [t.id, t.prompt, t.cwe ?? null])),
    taskCount: tasks.length,
  };
  const runId = options.runId ?? generateRunId();
  const cells: Cell[] = models.map((m) => ({ runId: cellRunId(runId, { gen: m.id }), generator: m.id }));
  const { resumed } = openExperiment(store, 'rq1', runId, settings, cells, options.config);

  const agentTasks: AgentTask[] = tasks.map((t) => ({ ...t, file: outputFileName(t.id) }));
  const progress = new ProgressCounter('rq1', tasks.length * models.length, options.onProgress);
  let interrupted = false;
  try {
    for (const [i, model] of models.entries()) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const run = await runAgent(agentTasks, {
        store,
        runId: cells[i].runId,
        kind: CELL_KIND.rq1,
        generator: model,
        scanners: options.scanners,
        settings: {
          maxIterations: 0,
          policy,
          prompt: 'paper',
          maxAsks,
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        },
        concurrency: options.concurrency ?? 4,
        signal: options.signal,
        costOf: options.costOf,
        config: { experiment: runId, generator: model.id },
        onEvent: (event) => {
          if (event.type === 'task-done') progress.step(model.id, `${event.outcome.taskId}: ${event.outcome.status}`);
        },
      });
      if (run.status === 'interrupted') interrupted = true;
    }
  } catch (error) {
    if (!options.signal?.aborted) failExperiment(store, runId, error);
    interrupted = true;
  }
  const status = closeExperiment(store, runId, interrupted);
  return { runId, status, resumed, tables: tabulateRq1(store, runId) };
}

/** Table 2 of an rq1 run: per generator, samples judged vulnerable of those judged. */
export function tabulateRq1(store: Store, runId: string): ExperimentTables {
  const run = requireRun(store, runId);
  const cells = cellsOf(run);
  const table2: Record<string, Rq1Cell> = {};
  const ci: NonNullable<ExperimentTables['ci']['table2']> = {};
  const notes: string[] = [];
  for (const cell of cells) {
    const counts = store.getRun(cell.runId) ? store.taskCounts(cell.runId) : { pending: 0, secure: 0, vulnerable: 0, failed: 0 };
    const generator = cell.generator!;
    table2[generator] = { vulnerable: counts.vulnerable, total: counts.vulnerable + counts.secure, failed: counts.failed };
    ci[generator] = wilson(counts.vulnerable, counts.vulnerable + counts.secure);
    if (counts.failed > 0) notes.push(`${generator}: ${counts.failed} tasks gave no usable code; left out of the total`);
    if (counts.pending > 0 || !store.getRun(cell.runId)) notes.push(`${generator}: not finished (${counts.pending} tasks pending); continue the run to complete it`);
  }
  const settings = (run.config.settings ?? {}) as Record<string, unknown>;
  if (settings.policy === 'any') notes.push('policy any: every finding counts, not only the task\'s CWE (the study judged against the task\'s CWE)');
  return {
    experiment: 'rq1',
    runId,
    status: run.status,
    table2,
    ci: { table2: ci },
    cost: costOfRuns(store, cells.map((c) => c.runId)),
    notes,
    settings,
  };
}

/** The models in the order given, once each; none is a UserError naming the option. */
export function uniqueModels(models: readonly ChatModel[], option: string): ChatModel[] {
  const unique = firstOfEach(models, (m) => m.id);
  if (unique.length === 0) throw new UserError(`${option}: give at least one model`);
  return unique;
}
