// RQ3: one-shot repair. Each repairer gets each vulnerable RQ1 sample with the study's repair
// prompt (naming the task's CWE) once; the scanners judge the repaired code against the
// task's CWE. Table 4: fixed of vulnerable per repairer × generator; Figure 4: the CWEs
// whose every vulnerable sample a repairer fixed.
import pLimit from 'p-limit';
import { NoUsableReplyError, askForUsableCode } from '../../agent/ask.js';
import { UserError } from '../../core/types.js';
import { cweName } from '../../cwe/index.js';
import { LlmError } from '../../llm/errors.js';
import { repairMessages } from '../../llm/prompts.js';
import type { ChatModel } from '../../llm/types.js';
import type { VerdictPolicy } from '../../scanners/combine.js';
import type { Scanner } from '../../scanners/types.js';
import { CachedChatModel } from '../../store/cached-model.js';
import { configHash } from '../../store/hash.js';
import type { StoredSample } from '../../store/records.js';
import { generateRunId } from '../../store/store.js';
import type { Store } from '../../store/store.js';
import { wilson, type Interval } from '../stats.js';
import { fullyFixed, type CweFixCell } from '../tables.js';
import {
  CodeJudge,
  cellRunId,
  cellsOf,
  costOfRuns,
  openExperiment,
  ProgressCounter,
  requireRun,
  runExperimentCells,
  runSampleCell,
  SCAN_JUDGE,
  TRUTH_JUDGE,
  type Cell,
  type CodeVerdict,
  type ExperimentBase,
  type SampleCellRun,
} from './common.js';
import { DEFAULT_MAX_ASKS, uniqueModels } from './rq1.js';
import type { SampleSource, SourceSample } from './samples.js';
import { CELL_KIND, type ExperimentCweFixes, type ExperimentOutcome, type ExperimentTables, type Grid, type Rq3Cell } from './types.js';

export interface Rq3Options extends ExperimentBase {
  source: SampleSource;
  repairers: readonly ChatModel[];
  /** Judge the repaired code (and, for the judge-base column, the code before repair). */
  scanners: readonly Scanner[];
  /** Default task-cwe: fixed = no finding of the task's CWE left. */
  policy?: VerdictPolicy;
  maxAsks?: number;
  temperature?: number;
}

export async function runRq3(options: Rq3Options): Promise<ExperimentOutcome> {
  const { store, source } = options;
  const repairers = uniqueModels(options.repairers, '--repairers');
  const policy = options.policy ?? 'task-cwe';
  const maxAsks = options.maxAsks ?? DEFAULT_MAX_ASKS;
  const vulnerable = source.generators.map((g) => ({ key: g.key, samples: g.samples.filter((s) => s.vulnerable) }));
  const total = vulnerable.reduce((n, g) => n + g.samples.length, 0);
  if (total === 0) throw new UserError(`rq3: none of the samples of ${source.description} is vulnerable; nothing to repair`);
  const missingCwe = vulnerable.flatMap((g) => g.samples).find((s) => s.cwe === undefined);
  if (missingCwe) throw new UserError(`rq3: task ${missingCwe.taskId} names no CWE; the study's repair prompt needs one`);
  const settings = {
    repairers: repairers.map((m) => m.id),
    source: source.description,
    samples: configHash(vulnerable.map((g) => [g.key, g.samples.map((s) => [s.taskId, s.cwe ?? null, s.code])])),
    vulnerableSamples: total,
    scanners: options.scanners.map((s) => s.name).sort(),
    policy,
    prompt: 'paper',
    maxAsks,
    temperature: options.temperature ?? null,
  };
  const runId = options.runId ?? generateRunId();
  const cells: Cell[] = repairers.flatMap((r) =>
    vulnerable.map((g) => ({ runId: cellRunId(runId, { rep: r.id, gen: g.key }), repairer: r.id, generator: g.key })),
  );
  const { resumed } = openExperiment(store, 'rq3', runId, settings, cells, { ...options.config, sourceNotes: source.notes });

  const judge = await CodeJudge.create(options.scanners, { store, policy, signal: options.signal });
  const progress = new ProgressCounter('rq3', total * repairers.length, options.onProgress);
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const status = await runExperimentCells(store, runId, options.signal, async () => {
    let complete = true;
    for (const repairer of repairers) {
      const model = new CachedChatModel(repairer, store, { costOf: options.costOf });
      for (const generator of vulnerable) {
        if (options.signal?.aborted) break;
        const cell: SampleCellRun = {
          runId: cellRunId(runId, { rep: repairer.id, gen: generator.key }),
          kind: CELL_KIND.rq3,
          config: { experiment: runId, repairer: repairer.id, generator: generator.key },
          label: `${repairer.id} fixing ${generator.key}`,
          limit,
          progress,
          signal: options.signal,
        };
        const done = await runSampleCell(store, cell, generator.samples, (sample) =>
          repairOne({ store, cellId: cell.runId, model, judge, generator: generator.key, sample, maxAsks, temperature: options.temperature, signal: options.signal }),
        );
        if (!done) complete = false;
      }
    }
    return complete;
  });
  return { runId, status, resumed, tables: tabulateRq3(store, runId) };
}

interface RepairJob {
  store: Store;
  cellId: string;
  model: CachedChatModel;
  judge: CodeJudge;
  generator: string;
  sample: SourceSample;
  maxAsks: number;
  temperature?: number;
  signal?: AbortSignal;
}

/** Repairs one sample once and judges the result, reusing what the store has; returns a one-line account. */
async function repairOne(job: RepairJob): Promise<string> {
  const { store, cellId, sample, judge } = job;
  const stored = store.getTask(cellId, sample.taskId);
  if (stored && stored.status !== 'pending') return `${stored.status === 'secure' ? 'fixed' : stored.status} (done before)`;
  store.upsertTask({ runId: cellId, taskId: sample.taskId, prompt: '', cwe: sample.cwe });
  const samples = store.listSamples(cellId, sample.taskId);
  const original = samples.find((s) => s.round === 0) ?? storeSample(store, cellId, sample, 0, job.generator, sample.code);
  store.putVerdict({ sampleId: original.id, judge: TRUTH_JUDGE, cwe: sample.cwe, vulnerable: true });
  if (!store.getVerdicts(original.id).some((v) => v.judge === SCAN_JUDGE)) {
    recordVerdict(store, original.id, sample.cwe, await judge.judge(sample.taskId, sample.cwe, sample.code, job.signal), judge);
  }

  let repaired = samples.find((s) => s.round === 1);
  if (!repaired) {
    const cwe = sample.cwe!;
    try {
      const answer = await askForUsableCode(job.model, repairMessages(sample.code, { cwe: { id: cwe, name: cweName(cwe) } }, 'paper'), {
        maxAsks: job.maxAsks,
        temperature: job.temperature,
        signal: job.signal,
        context: { runId: cellId, taskId: sample.taskId, round: 1, purpose: 'repair' },
      });
      repaired = storeSample(store, cellId, sample, 1, job.model.id, answer.code, original.id, answer.callId);
    } catch (error) {
      if (job.signal?.aborted) throw error;
      if (error instanceof NoUsableReplyError || error instanceof LlmError) {
        store.updateTask(cellId, sample.taskId, { status: 'failed', reason: `repair: ${error.message}`, rounds: 1, finalSampleId: original.id });
        return `failed (${error.message})`;
      }
      throw error;
    }
  }
  const verdict = await judge.judge(sample.taskId, sample.cwe, repaired.code, job.signal);
  store.transaction(() => {
    recordVerdict(store, repaired.id, sample.cwe, verdict, judge);
    store.updateTask(cellId, sample.taskId, {
      status: verdict.vulnerable ? 'vulnerable' : 'secure',
      reason: verdict.vulnerable ? `${verdict.counted.length} findings left after the repair` : null,
      rounds: 1,
      finalSampleId: repaired.id,
    });
  });
  return verdict.vulnerable ? 'still vulnerable' : 'fixed';
}

function storeSample(store: Store, runId: string, sample: SourceSample, round: number, model: string, code: string, parentId?: number, llmCallId?: number): StoredSample {
  const id = store.insertSample({ runId, taskId: sample.taskId, round, model, code, ...(parentId !== undefined ? { parentId } : {}), ...(llmCallId !== undefined ? { llmCallId } : {}) });
  return store.getSample(id)!;
}

function recordVerdict(store: Store, sampleId: number, cwe: number | undefined, verdict: CodeVerdict, judge: CodeJudge): void {
  store.transaction(() => {
    store.deleteFindings(sampleId);
    store.insertFindings(sampleId, verdict.findings);
    store.putVerdict({
      sampleId,
      judge: SCAN_JUDGE,
      cwe,
      vulnerable: verdict.vulnerable,
      detail: { scanners: judge.scanners, policy: judge.policy, counted: verdict.counted.length },
    });
  });
}

/** Table 4 and Figure 4 of an rq3 run. */
export function tabulateRq3(store: Store, runId: string): ExperimentTables {
  const run = requireRun(store, runId);
  const cells = cellsOf(run);
  const settings = (run.config.settings ?? {}) as Record<string, unknown>;
  const table4: Grid<Rq3Cell> = {};
  const ci: Grid<Interval> = {};
  const notes: string[] = [...((run.config.sourceNotes as string[] | undefined) ?? [])];
  const pooled = new Map<string, Map<number, CweFixCell>>();
  const perGenerator = new Map<string, Map<string, Map<number, CweFixCell>>>();

  for (const cell of cells) {
    const repairer = cell.repairer!;
    const generator = cell.generator!;
    const c: Rq3Cell = { fixed: 0, vulnerable: 0, failed: 0, judgeBase: { fixed: 0, vulnerable: 0 } };
    let pending = 0;
    for (const task of store.getRun(cell.runId) ? store.listTasks(cell.runId) : []) {
      if (task.status === 'pending') {
        pending++;
        continue;
      }
      c.vulnerable++;
      const fixed = task.status === 'secure';
      if (fixed) c.fixed++;
      if (task.status === 'failed') c.failed++;
      const original = store.listSamples(cell.runId, task.taskId).find((s) => s.round === 0);
      const base = original && store.getVerdicts(original.id).find((v) => v.judge === SCAN_JUDGE);
      if (base?.vulnerable) {
        c.judgeBase.vulnerable++;
        if (fixed) c.judgeBase.fixed++;
      }
      if (task.cwe !== undefined) {
        for (const map of [
          getOrSet(pooled, repairer, () => new Map<number, CweFixCell>()),
          getOrSet(getOrSet(perGenerator, repairer, () => new Map()), generator, () => new Map<number, CweFixCell>()),
        ]) {
          const cwe = getOrSet(map, task.cwe, () => ({ cwe: task.cwe!, vulnerable: 0, fixed: 0 }));
          cwe.vulnerable++;
          if (fixed) cwe.fixed++;
        }
      }
    }
    (table4[repairer] ??= {})[generator] = c;
    (ci[repairer] ??= {})[generator] = wilson(c.fixed, c.vulnerable);
    if (c.failed > 0) notes.push(`${repairer} fixing ${generator}: ${c.failed} repairs gave no usable code; counted as not fixed`);
    if (pending > 0 || !store.getRun(cell.runId)) notes.push(`${repairer} fixing ${generator}: not finished${pending ? ` (${pending} samples pending)` : ''}`);
  }
  const figure4: ExperimentCweFixes[] = [...pooled].map(([repairer, byCwe]) => ({
    repairer,
    cwes: [...byCwe.values()].sort((a, b) => a.cwe - b.cwe),
    fullyFixed: fullyFixed(byCwe),
    byGenerator: Object.fromEntries(
      [...(perGenerator.get(repairer) ?? new Map<string, Map<number, CweFixCell>>())].map(([g, m]) => [g, { cwes: m.size, fullyFixed: fullyFixed(m) }]),
    ),
  }));
  notes.push(`vulnerable samples from ${String(settings.source ?? 'unknown')}; repaired code judged by ${(settings.scanners as string[] | undefined)?.join('+') ?? '?'} (${String(settings.policy ?? '?')})`);
  return {
    experiment: 'rq3',
    runId,
    status: run.status,
    table4,
    ci: { table4: ci },
    figure4,
    cost: costOfRuns(store, cells.map((c) => c.runId)),
    notes,
    settings,
  };
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
