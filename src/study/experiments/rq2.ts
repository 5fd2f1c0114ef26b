// RQ2: can models tell whether code is vulnerable? Each detector is asked, with the study's
// detection prompt, whether each RQ1 sample is vulnerable to its task's CWE; its answers are
// scored against a ground truth (Table 3: correct answers; Figure 3: false-positive rate).
// Scanners can stand as detectors too (`scanner:<name>`), judged the same way.
import pLimit from 'p-limit';
import { UserError, type Finding } from '../../core/types.js';
import { cweName } from '../../cwe/index.js';
import { LlmError } from '../../llm/errors.js';
import { detectionMessages, parseDetectionAnswer } from '../../llm/prompts.js';
import type { ChatModel } from '../../llm/types.js';
import type { VerdictPolicy } from '../../scanners/combine.js';
import type { Scanner } from '../../scanners/types.js';
import { CachedChatModel } from '../../store/cached-model.js';
import { configHash } from '../../store/hash.js';
import { generateRunId } from '../../store/store.js';
import type { Store } from '../../store/store.js';
import { wilson, type Interval } from '../stats.js';
import {
  CodeJudge,
  cellRunId,
  cellsOf,
  costOfRuns,
  firstOfEach,
  openExperiment,
  ProgressCounter,
  requireRun,
  runExperimentCells,
  runSampleCell,
  SCAN_JUDGE,
  TRUTH_JUDGE,
  type Cell,
  type ExperimentBase,
  type SampleCellRun,
} from './common.js';
import { sampleCount, type SampleSource, type SourceSample } from './samples.js';
import { CELL_KIND, type ExperimentFalsePositive, type ExperimentOutcome, type ExperimentTables, type Grid, type Rq2Cell } from './types.js';

/** The prefix of a detector that is a scanner, not a model: `scanner:builtin`. */
export const SCANNER_DETECTOR_PREFIX = 'scanner:';

export interface Rq2Options extends ExperimentBase {
  source: SampleSource;
  /** Models asked with the study's detection prompt. */
  detectors: readonly ChatModel[];
  /** Scanners judged side by side with the models, each alone, as `scanner:<name>`. */
  scannerDetectors?: readonly Scanner[];
  /** How a scanner detector's findings make a verdict; default task-cwe (the question is about the task's CWE). */
  policy?: VerdictPolicy;
  temperature?: number;
  maxTokens?: number;
}

interface Detector {
  key: string;
  ask(sample: SourceSample, runId: string, signal: AbortSignal | undefined): Promise<DetectorAnswer>;
}

interface DetectorAnswer {
  /** undefined: no clear answer. */
  verdict: boolean | undefined;
  detail: Record<string, unknown>;
  findings?: Finding[];
  llmCallId?: number;
}

function modelDetector(model: ChatModel, store: Store, options: Rq2Options): Detector {
  const cached = new CachedChatModel(model, store, { costOf: options.costOf });
  return {
    key: model.id,
    async ask(sample, runId, signal) {
      if (sample.cwe === undefined) throw new UserError(`${sample.taskId}: no CWE to ask the detector about`);
      const response = await cached.chat(
        {
          messages: detectionMessages(sample.code, { id: sample.cwe, name: cweName(sample.cwe) }),
          temperature: options.temperature,
          maxTokens: options.maxTokens,
          signal,
        },
        { runId, taskId: sample.taskId, round: 0, purpose: 'detect' },
      );
      return { verdict: parseDetectionAnswer(response.text), detail: { answer: response.text }, llmCallId: response.callId };
    },
  };
}

async function scannerDetector(scanner: Scanner, store: Store, policy: VerdictPolicy, signal: AbortSignal | undefined): Promise<Detector> {
  const judge = await CodeJudge.create([scanner], { store, policy, signal });
  return {
    key: `${SCANNER_DETECTOR_PREFIX}${scanner.name}`,
    async ask(sample, _runId, askSignal) {
      const v = await judge.judge(sample.taskId, sample.cwe, sample.code, askSignal);
      return { verdict: v.vulnerable, detail: { policy, counted: v.counted.length }, findings: v.findings };
    },
  };
}

export async function runRq2(options: Rq2Options): Promise<ExperimentOutcome> {
  const { store, source } = options;
  const policy = options.policy ?? 'task-cwe';
  const models = firstOfEach(options.detectors, (m) => m.id);
  const scanners = firstOfEach(options.scannerDetectors ?? [], (s) => s.name);
  if (models.length + scanners.length === 0) throw new UserError('--detectors: give at least one model or scanner:<name>');
  const settings = {
    detectors: [...models.map((m) => m.id), ...scanners.map((s) => `${SCANNER_DETECTOR_PREFIX}${s.name}`)],
    source: source.description,
    samples: configHash(source.generators.map((g) => [g.key, g.samples.map((s) => [s.taskId, s.cwe ?? null, s.code, s.vulnerable])])),
    sampleCount: sampleCount(source),
    prompt: 'paper',
    scannerPolicy: scanners.length ? policy : null,
    temperature: options.temperature ?? null,
    maxTokens: options.maxTokens ?? null,
  };
  const runId = options.runId ?? generateRunId();
  const detectorKeys = settings.detectors;
  const cells: Cell[] = detectorKeys.flatMap((detector) =>
    source.generators.map((g) => ({ runId: cellRunId(runId, { det: detector, gen: g.key }), detector, generator: g.key })),
  );
  const { resumed } = openExperiment(store, 'rq2', runId, settings, cells, { ...options.config, sourceNotes: source.notes });

  const detectors: Detector[] = models.map((m) => modelDetector(m, store, options));
  for (const s of scanners) detectors.push(await scannerDetector(s, store, policy, options.signal));

  const progress = new ProgressCounter('rq2', sampleCount(source) * detectors.length, options.onProgress);
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const status = await runExperimentCells(store, runId, options.signal, async () => {
    let complete = true;
    for (const detector of detectors) {
      for (const generator of source.generators) {
        if (options.signal?.aborted) break;
        const cell: SampleCellRun = {
          runId: cellRunId(runId, { det: detector.key, gen: generator.key }),
          kind: CELL_KIND.rq2,
          config: { experiment: runId, detector: detector.key, generator: generator.key },
          label: `${detector.key} judging ${generator.key}`,
          limit,
          progress,
          signal: options.signal,
        };
        const done = await runSampleCell(store, cell, generator.samples, (sample) => detectOne(store, cell.runId, detector, generator.key, sample, options.signal));
        if (!done) complete = false;
      }
    }
    return complete;
  });
  return { runId, status, resumed, tables: tabulateRq2(store, runId) };
}

/** Asks one detector about one sample unless the store has its answer; returns a one-line account. */
async function detectOne(store: Store, cellId: string, detector: Detector, generator: string, sample: SourceSample, signal: AbortSignal | undefined): Promise<string> {
  const stored = store.getTask(cellId, sample.taskId);
  if (stored && stored.status !== 'pending') return `${stored.status} (done before)`;
  store.upsertTask({ runId: cellId, taskId: sample.taskId, prompt: '', cwe: sample.cwe });
  const existing = store.listSamples(cellId, sample.taskId)[0];
  const sampleId = existing?.id ?? store.insertSample({ runId: cellId, taskId: sample.taskId, round: 0, model: generator, code: sample.code });
  store.putVerdict({ sampleId, judge: TRUTH_JUDGE, cwe: sample.cwe, vulnerable: sample.vulnerable });

  let answer: DetectorAnswer;
  try {
    answer = await detector.ask(sample, cellId, signal);
  } catch (error) {
    if (signal?.aborted || !(error instanceof LlmError)) throw error;
    store.updateTask(cellId, sample.taskId, { status: 'failed', reason: `no answer: ${error.message}`, finalSampleId: sampleId });
    return `failed (${error.message})`;
  }
  store.transaction(() => {
    if (answer.findings) {
      store.deleteFindings(sampleId);
      store.insertFindings(sampleId, answer.findings);
    }
    if (answer.verdict === undefined) {
      const text = String(answer.detail.answer ?? '').replace(/\s+/g, ' ').trim();
      store.updateTask(cellId, sample.taskId, { status: 'failed', reason: `no clear answer: ${text.slice(0, 120) || '(empty)'}`, finalSampleId: sampleId });
      return;
    }
    store.putVerdict({ sampleId, judge: answer.findings ? SCAN_JUDGE : detector.key, cwe: sample.cwe, vulnerable: answer.verdict, detail: answer.detail });
    const correct = answer.verdict === sample.vulnerable;
    store.updateTask(cellId, sample.taskId, {
      status: answer.verdict ? 'vulnerable' : 'secure',
      reason: `${correct ? 'correct' : 'wrong'}: truth ${sample.vulnerable ? 'vulnerable' : 'not vulnerable'}`,
      finalSampleId: sampleId,
    });
  });
  if (answer.verdict === undefined) return 'no clear answer';
  return `${answer.verdict ? 'vulnerable' : 'not vulnerable'} (${answer.verdict === sample.vulnerable ? 'correct' : 'wrong'})`;
}

/** Table 3 and Figure 3 of an rq2 run. The detector's verdict is its task status; failed = no clear answer. */
export function tabulateRq2(store: Store, runId: string): ExperimentTables {
  const run = requireRun(store, runId);
  const cells = cellsOf(run);
  const settings = (run.config.settings ?? {}) as Record<string, unknown>;
  const table3: Grid<Rq2Cell> = {};
  const ci: Grid<Interval> = {};
  const figure3: ExperimentFalsePositive[] = [];
  const notes: string[] = [...((run.config.sourceNotes as string[] | undefined) ?? [])];

  for (const cell of cells) {
    const detector = cell.detector!;
    const generator = cell.generator!;
    let correct = 0;
    let total = 0;
    let unparsed = 0;
    let truthVulnerable = 0;
    let fp = 0;
    let tn = 0;
    let unparsedNegatives = 0;
    let pending = 0;
    for (const task of store.getRun(cell.runId) ? store.listTasks(cell.runId) : []) {
      if (task.status === 'pending' || task.finalSampleId === undefined) {
        pending++;
        continue;
      }
      const truth = store.getVerdicts(task.finalSampleId).find((v) => v.judge === TRUTH_JUDGE);
      if (!truth) continue;
      total++;
      if (truth.vulnerable) truthVulnerable++;
      if (task.status === 'failed') {
        unparsed++;
        if (!truth.vulnerable) unparsedNegatives++;
        continue;
      }
      const said = task.status === 'vulnerable';
      if (said === truth.vulnerable) correct++;
      if (!truth.vulnerable) {
        if (said) fp++;
        else tn++;
      }
    }
    (table3[detector] ??= {})[generator] = { correct, total, unparsed, truthVulnerable };
    (ci[detector] ??= {})[generator] = wilson(correct, total);
    figure3.push({ detector, generator, fp, tn, rate: fp + tn > 0 ? fp / (fp + tn) : NaN, ci: wilson(fp, fp + tn), unparsed: unparsedNegatives });
    if (unparsed > 0) notes.push(`${detector} judging ${generator}: ${unparsed} answers were neither true nor false; counted as not correct`);
    if (pending > 0 || !store.getRun(cell.runId)) notes.push(`${detector} judging ${generator}: not finished${pending ? ` (${pending} samples pending)` : ''}`);
  }
  notes.push(`truth: ${String(settings.source ?? 'unknown')}`);
  return {
    experiment: 'rq2',
    runId,
    status: run.status,
    table3,
    ci: { table3: ci },
    figure3,
    cost: costOfRuns(store, cells.map((c) => c.runId)),
    notes,
    settings,
  };
}
