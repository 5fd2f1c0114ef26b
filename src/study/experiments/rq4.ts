// RQ4: Algorithm 1 (generate, scan, repair with the findings, k rounds) for every repairer ×
// generator setup, N independent runs each. A run is one agent run; runs of a setup differ in
// their cache attempt, so run 2 asks the models afresh instead of replaying run 1's answers.
// Figure 6: vulnerable tasks after each round; Table 5: the fix rate after the last round.
import { runAgent, outputFileName, vulnerableByRoundFromStore, type AgentTask } from '../../agent/index.js';
import { UserError, type Task } from '../../core/types.js';
import type { PromptPreset } from '../../llm/prompts.js';
import type { ChatModel } from '../../llm/types.js';
import type { VerdictPolicy } from '../../scanners/combine.js';
import type { Scanner } from '../../scanners/types.js';
import { configHash } from '../../store/hash.js';
import { generateRunId } from '../../store/store.js';
import type { Store } from '../../store/store.js';
import { mean, standardDeviation, summarizeRuns, wilson, type RunSummary } from '../stats.js';
import { cellRunId, cellsOf, closeExperiment, costOfRuns, failExperiment, openExperiment, ProgressCounter, requireRun, type Cell, type ExperimentBase } from './common.js';
import { DEFAULT_MAX_ASKS, uniqueModels } from './rq1.js';
import { CELL_KIND, type ExperimentOutcome, type ExperimentRounds, type ExperimentTable5Detail, type ExperimentTables, type Grid } from './types.js';

export interface Rq4Options extends ExperimentBase {
  tasks: readonly Task[];
  generators: readonly ChatModel[];
  repairers: readonly ChatModel[];
  scanners: readonly Scanner[];
  /** Repair rounds (k); default 5 as in the study. */
  maxIterations?: number;
  /** Independent runs per setup; default 5 as in the study. */
  runs?: number;
  /** Default any: every finding counts, as the study's Algorithm 1 counted them. */
  policy?: VerdictPolicy;
  /** Default paper: the study's repair prompt (the CWEs found). */
  prompt?: PromptPreset;
  maxAsks?: number;
  temperature?: number;
}

export const DEFAULT_RQ4_ITERATIONS = 5;
export const DEFAULT_RQ4_RUNS = 5;

/** Round labels as the study's logs name them: iter1 = as generated, iterK = after repair K−1, final = after repair k. */
export function roundLabels(k: number): string[] {
  return [...Array.from({ length: k }, (_, i) => `iter${i + 1}`), 'final'];
}

export async function runRq4(options: Rq4Options): Promise<ExperimentOutcome> {
  const { store, tasks } = options;
  const generators = uniqueModels(options.generators, '--generators');
  const repairers = uniqueModels(options.repairers, '--repairers');
  const k = options.maxIterations ?? DEFAULT_RQ4_ITERATIONS;
  const runs = options.runs ?? DEFAULT_RQ4_RUNS;
  if (!Number.isInteger(k) || k < 1) throw new UserError(`rq4: --max-iterations must be an integer ≥ 1, got ${k}`);
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`rq4: --runs must be an integer ≥ 1, got ${runs}`);
  if (tasks.length === 0) throw new UserError('rq4: no tasks');
  const policy = options.policy ?? 'any';
  const prompt = options.prompt ?? 'paper';
  const maxAsks = options.maxAsks ?? DEFAULT_MAX_ASKS;
  const settings = {
    generators: generators.map((m) => m.id),
    repairers: repairers.map((m) => m.id),
    scanners: options.scanners.map((s) => s.name).sort(),
    policy,
    prompt,
    maxIterations: k,
    runs,
    maxAsks,
    temperature: options.temperature ?? null,
    tasks: configHash(tasks.map((t) => [t.id, t.prompt, t.cwe ?? null])),
    taskCount: tasks.length,
  };
  const runId = options.runId ?? generateRunId();
  const plan: (Cell & { generatorModel: ChatModel; repairerModel: ChatModel })[] = [];
  for (const repairer of repairers) {
    for (const generator of generators) {
      for (let run = 1; run <= runs; run++) {
        plan.push({
          runId: cellRunId(runId, { rep: repairer.id, gen: generator.id, run }),
          repairer: repairer.id,
          generator: generator.id,
          run,
          generatorModel: generator,
          repairerModel: repairer,
        });
      }
    }
  }
  const cells: Cell[] = plan.map(({ runId: id, repairer, generator, run }) => ({ runId: id, repairer, generator, run }));
  const { resumed } = openExperiment(store, 'rq4', runId, settings, cells, options.config);

  const agentTasks: AgentTask[] = tasks.map((t) => ({ ...t, file: outputFileName(t.id) }));
  const progress = new ProgressCounter('rq4', tasks.length * plan.length, options.onProgress);
  let interrupted = false;
  try {
    for (const cell of plan) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const label = `${cell.repairer} fixing ${cell.generator}, run ${cell.run}`;
      const outcome = await runAgent(agentTasks, {
        store,
        runId: cell.runId,
        kind: CELL_KIND.rq4,
        generator: cell.generatorModel,
        repairer: cell.repairerModel,
        scanners: options.scanners,
        settings: {
          maxIterations: k,
          policy,
          prompt,
          maxAsks,
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        },
        // Run n asks with attempts n·(k+1) .. n·(k+1)+k: apart from every other run's.
        attemptBase: (cell.run! - 1) * (k + 1),
        concurrency: options.concurrency ?? 4,
        signal: options.signal,
        costOf: options.costOf,
        config: { experiment: runId, generator: cell.generator, repairer: cell.repairer, run: cell.run },
        onEvent: (event) => {
          if (event.type === 'task-done') {
            const o = event.outcome;
            progress.step(label, `${o.taskId}: ${o.status}${o.status === 'failed' ? '' : ` after ${o.rounds} rounds`}`);
          }
        },
      });
      if (outcome.status === 'interrupted') interrupted = true;
    }
  } catch (error) {
    if (!options.signal?.aborted) failExperiment(store, runId, error);
    interrupted = true;
  }
  const status = closeExperiment(store, runId, interrupted);
  return { runId, status, resumed, tables: tabulateRq4(store, runId) };
}

/** Vulnerable tasks of one agent run after each round 0..k; a task keeps its last verdict after it stops. */
export function vulnerableAfterRounds(store: Store, runId: string, k: number): { counts: number[]; tasks: number; failed: number; pending: number } {
  const counts = new Array<number>(k + 1).fill(0);
  let tasks = 0;
  let failed = 0;
  let pending = 0;
  if (!store.getRun(runId)) return { counts, tasks, failed, pending };
  for (const task of store.listTasks(runId)) {
    if (task.status === 'failed') failed++;
    if (task.status === 'pending') {
      pending++;
      continue;
    }
    const byRound = vulnerableByRoundFromStore(store, runId, task.taskId, k);
    if (byRound.length === 0) continue;
    tasks++;
    for (let r = 0; r <= k; r++) if (byRound[Math.min(r, byRound.length - 1)]) counts[r]++;
  }
  return { counts, tasks, failed, pending };
}

/** Figure 6 and Table 5 of an rq4 run. */
export function tabulateRq4(store: Store, runId: string): ExperimentTables {
  const run = requireRun(store, runId);
  const settings = (run.config.settings ?? {}) as Record<string, unknown>;
  const k = Number(settings.maxIterations ?? DEFAULT_RQ4_ITERATIONS);
  const labels = roundLabels(k);
  const cells = cellsOf(run);
  const notes: string[] = [];

  const setups = new Map<string, ExperimentRounds>();
  for (const cell of cells) {
    const { counts, failed, pending } = vulnerableAfterRounds(store, cell.runId, k);
    const key = `${cell.repairer}\0${cell.generator}`;
    let setup = setups.get(key);
    if (!setup) {
      setup = { repairer: cell.repairer!, generator: cell.generator!, rounds: labels, runs: [], mean: {}, sd: {}, cumulativeFixRate: {} };
      setups.set(key, setup);
    }
    const name = `${cell.repairer} fixing ${cell.generator}, run ${cell.run}`;
    if (!store.getRun(cell.runId) || pending > 0) {
      notes.push(`${name}: not finished${pending ? ` (${pending} tasks pending)` : ''}; left out`);
      continue;
    }
    if (failed > 0) notes.push(`${name}: ${failed} tasks failed (kept with their last verdict)`);
    setup.runs.push({ run: cell.run!, name: cell.runId, counts: Object.fromEntries(labels.map((l, i) => [l, counts[i]])) });
  }

  const table5: Grid<number> = {};
  const table5Detail: Grid<ExperimentTable5Detail> = {};
  const ciTable5: NonNullable<ExperimentTables['ci']['table5']> = {};
  const first = labels[0];
  const last = labels[labels.length - 1];
  for (const setup of setups.values()) {
    for (const label of labels) {
      const values = setup.runs.map((r) => r.counts[label]);
      setup.mean[label] = mean(values);
      setup.sd[label] = standardDeviation(values);
      setup.cumulativeFixRate[label] = summarizeRuns(
        setup.runs.filter((r) => r.counts[first] > 0).map((r) => 1 - r.counts[label] / r.counts[first]),
      );
    }
    if (setup.runs.length === 0) continue;
    const runs = setup.runs.map((r) => ({
      run: r.run,
      iter1: r.counts[first],
      final: r.counts[last],
      rate: r.counts[first] > 0 ? 1 - r.counts[last] / r.counts[first] : NaN,
    }));
    const vulnerable = runs.reduce((n, r) => n + r.iter1, 0);
    const fixed = runs.reduce((n, r) => n + Math.max(0, r.iter1 - r.final), 0);
    const runRates: RunSummary = summarizeRuns(runs.map((r) => r.rate).filter(Number.isFinite));
    (table5Detail[setup.repairer] ??= {})[setup.generator] = { runs, vulnerable, fixed, runRates };
    (table5[setup.repairer] ??= {})[setup.generator] = vulnerable > 0 ? fixed / vulnerable : NaN;
    (ciTable5[setup.repairer] ??= {})[setup.generator] = wilson(fixed, vulnerable);
    if (vulnerable === 0) notes.push(`${setup.repairer} fixing ${setup.generator}: nothing was vulnerable as generated; no fix rate`);
  }
  if (settings.policy === 'task-cwe') notes.push('policy task-cwe: only findings of the task\'s CWE count (the study\'s Algorithm 1 counted every finding)');
  return {
    experiment: 'rq4',
    runId,
    status: run.status,
    table5,
    ci: { table5: ciTable5 },
    table5Detail,
    figure6: [...setups.values()],
    cost: costOfRuns(store, cells.map((c) => c.runId)),
    notes,
    settings,
  };
}
