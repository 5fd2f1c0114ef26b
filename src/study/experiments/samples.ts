// The RQ1 samples rq2 and rq3 work on, with their ground truth: from a stored rq1 run (its
// scanners' verdicts), or from the published artifacts (the study's labels); the truth can be
// replaced by labels from a CSV or by a scanner's verdicts.
import { UserError } from '../../core/types.js';
import { matchesGlob } from '../../tasks/glob.js';
import { toDatasetId, toFolderId } from '../../tasks/ids.js';
import { readSourceFile } from '../../tasks/read.js';
import type { Store } from '../../store/store.js';
import { modelFromFileName } from '../artifacts.js';
import { IMPORT_KINDS, LABEL_JUDGE } from '../import.js';
import { GENERATORS, isVulnerableLabel, listRq1Samples } from '../labels.js';
import { cellsOf, requireRun, type CodeJudge } from './common.js';
import { EXPERIMENT_KIND } from './types.js';

export interface SourceSample {
  /** Folder form, e.g. `CWE-020/author_1.py`. */
  taskId: string;
  cwe?: number;
  code: string;
  /** The ground truth: vulnerable to the task's CWE. */
  vulnerable: boolean;
}

export interface SourceGenerator {
  /** The generating model: a model id, or a study key (`gpt4`) for the artifacts. */
  key: string;
  samples: SourceSample[];
}

export interface SampleSource {
  /** Where the samples and their truth come from, e.g. `rq1 run 2026-...` or `artifacts RQ1 + labels`. */
  description: string;
  generators: SourceGenerator[];
  /** Samples left out (no label, no code) and why. */
  notes: string[];
}

export interface SampleFilter {
  /** Only these generators (model ids, or study keys and their file-name aliases for the artifacts). */
  generators?: readonly string[];
  /** Only tasks whose id matches one of these globs (folder or dataset form). */
  only?: readonly string[];
}

function keepTask(taskId: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((g) => matchesGlob(taskId, g) || matchesGlob(toDatasetId(taskId), g));
}

function keepGenerators(all: SourceGenerator[], wanted: readonly string[] | undefined, where: string, resolve: (name: string) => string | undefined): SourceGenerator[] {
  if (!wanted || wanted.length === 0) return all;
  const keys = wanted.map((name) => {
    const key = resolve(name);
    if (!key || !all.some((g) => g.key === key)) {
      throw new UserError(`${where}: no generator ${JSON.stringify(name)}; it has ${all.map((g) => g.key).join(', ')}`);
    }
    return key;
  });
  return all.filter((g) => keys.includes(g.key));
}

function checkNotEmpty(source: SampleSource, where: string): SampleSource {
  if (source.generators.every((g) => g.samples.length === 0)) throw new UserError(`${where}: no samples left to work on`);
  return source;
}

/** The samples of a finished (or partly finished) rq1 run: each task's code and the run's verdict. */
export function samplesFromRq1Run(store: Store, runId: string, filter: SampleFilter = {}): SampleSource {
  const run = requireRun(store, runId);
  if (run.kind === IMPORT_KINDS.rq1) return samplesFromImportedRun(store, runId, String(run.config.generator), filter);
  if (run.kind !== EXPERIMENT_KIND.rq1) {
    throw new UserError(`run "${runId}" is a ${run.kind} run, not an rq1 run of secagent study (or an imported study-rq1-<model> run)`);
  }
  const notes: string[] = [];
  const all: SourceGenerator[] = cellsOf(run).map((cell) => {
    const samples: SourceSample[] = [];
    let skipped = 0;
    for (const task of store.getRun(cell.runId) ? store.listTasks(cell.runId) : []) {
      if (!keepTask(task.taskId, filter.only)) continue;
      if ((task.status !== 'secure' && task.status !== 'vulnerable') || task.finalSampleId === undefined) {
        skipped++;
        continue;
      }
      const sample = store.getSample(task.finalSampleId)!;
      samples.push({ taskId: task.taskId, ...(task.cwe !== undefined ? { cwe: task.cwe } : {}), code: sample.code, vulnerable: task.status === 'vulnerable' });
    }
    if (skipped > 0) notes.push(`${cell.generator}: ${skipped} tasks of rq1 run ${runId} have no judged sample (failed or not done); left out`);
    return { key: cell.generator!, samples };
  });
  const generators = keepGenerators(all, filter.generators, `rq1 run ${runId}`, (name) => name);
  return checkNotEmpty({ description: `rq1 run ${runId} (truth: its scanners' verdicts)`, generators, notes }, `rq1 run ${runId}`);
}

/** An RQ1 run imported from the artifacts (`secagent study import`): its code and the study's labels. */
function samplesFromImportedRun(store: Store, runId: string, generator: string, filter: SampleFilter): SampleSource {
  if (filter.generators?.length && !filter.generators.some((g) => g === generator || modelFromFileName(g.toLowerCase()) === generator)) {
    throw new UserError(`imported run ${runId} holds only generator ${generator}`);
  }
  const samples: SourceSample[] = [];
  for (const task of store.listTasks(runId)) {
    if (!keepTask(task.taskId, filter.only)) continue;
    const sample = store.listSamples(runId, task.taskId).find((s) => s.round === 0);
    const label = sample && store.getVerdicts(sample.id).find((v) => v.judge === LABEL_JUDGE);
    if (!sample || !label) continue;
    samples.push({ taskId: task.taskId, ...(task.cwe !== undefined ? { cwe: task.cwe } : {}), code: sample.code, vulnerable: label.vulnerable });
  }
  return checkNotEmpty({ description: `imported run ${runId} (truth: the study's labels)`, generators: [{ key: generator, samples }], notes: [] }, `imported run ${runId}`);
}

/** The study's RQ1 samples (RQ1/generatedCode_<model>) with its labels (1 and 0.5 vulnerable). */
export function samplesFromArtifacts(root: string, filter: SampleFilter = {}): SampleSource {
  const bySet = new Map<string, SourceSample[]>();
  for (const s of listRq1Samples(root)) {
    if (!keepTask(s.taskId, filter.only)) continue;
    const list = bySet.get(s.generator) ?? [];
    list.push({ taskId: s.taskId, cwe: s.cwe, code: readSourceFile(s.path), vulnerable: s.vulnerable });
    bySet.set(s.generator, list);
  }
  const all = GENERATORS.map((key) => ({ key, samples: bySet.get(key) ?? [] }));
  const generators = keepGenerators(all, filter.generators, `${root}/RQ1`, (name) => modelFromFileName(name.toLowerCase()));
  return checkNotEmpty({ description: 'the study\'s RQ1 code (truth: its labels)', generators, notes: [] }, `${root}/RQ1`);
}

/** Labels by generator (`*` for a CSV without a generator column), then by task id. */
export type TruthLabels = Map<string, Map<string, number>>;

/**
 * Reads ground-truth labels: `taskId,label` lines (any generator) or `generator,taskId,label`
 * lines; no header; label 1 or 0.5 vulnerable, 0 not, below 0 left out. Task ids in any form.
 */
export function readTruthLabels(path: string): TruthLabels {
  const labels: TruthLabels = new Map();
  const lines = readSourceFile(path).split(/\r?\n/);
  let width: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    const cells = line.split(',').map((c) => c.trim());
    if ((cells.length !== 2 && cells.length !== 3) || cells.some((c) => c === '')) {
      throw new UserError(`${where}: expected "taskId,label" or "generator,taskId,label", got ${JSON.stringify(line)}`);
    }
    if (width !== undefined && cells.length !== width) throw new UserError(`${where}: ${cells.length} columns where earlier lines have ${width}`);
    width = cells.length;
    const [generator, taskId, raw] = cells.length === 3 ? cells : ['*', cells[0], cells[1]];
    const label = Number(raw);
    if (!Number.isFinite(label)) throw new UserError(`${where}: label ${JSON.stringify(raw)} is not a number`);
    const byTask = labels.get(generator) ?? new Map<string, number>();
    const id = toFolderId(taskId);
    if (byTask.has(id)) throw new UserError(`${where}: duplicate label for ${generator === '*' ? '' : `${generator} `}${id}`);
    byTask.set(id, label);
    labels.set(generator, byTask);
  }
  if (labels.size === 0) throw new UserError(`${path}: no labels`);
  return labels;
}

/** The source with its truth replaced by the labels; samples without a label (or labelled below 0) are left out. */
export function withLabels(source: SampleSource, labels: TruthLabels, path: string): SampleSource {
  const notes = [...source.notes];
  const resolve = (key: string) => labels.get(key) ?? labels.get(modelFromFileName(key) ?? '') ?? findAlias(labels, key) ?? labels.get('*');
  const generators = source.generators.map((g) => {
    const byTask = resolve(g.key);
    const samples: SourceSample[] = [];
    let unlabelled = 0;
    for (const s of g.samples) {
      const label = byTask?.get(s.taskId);
      if (label === undefined || label < 0) {
        unlabelled++;
        continue;
      }
      samples.push({ ...s, vulnerable: isVulnerableLabel(label) });
    }
    if (unlabelled > 0) notes.push(`${g.key}: ${unlabelled} samples have no label in ${path}; left out`);
    return { key: g.key, samples };
  });
  return checkNotEmpty({ description: `${source.description.replace(/ \(truth: .*\)$/, '')} (truth: labels in ${path})`, generators, notes }, path);
}

function findAlias(labels: TruthLabels, key: string): Map<string, number> | undefined {
  for (const [name, byTask] of labels) if (modelFromFileName(name.toLowerCase()) === key) return byTask;
  return undefined;
}

/** The source with its truth replaced by a scanner judge's verdicts (scanned now, or from the scan cache). */
export async function withScannerTruth(
  source: SampleSource,
  judge: CodeJudge,
  options: { signal?: AbortSignal; onSample?: () => void } = {},
): Promise<SampleSource> {
  const generators: SourceGenerator[] = [];
  for (const g of source.generators) {
    const samples: SourceSample[] = [];
    for (const s of g.samples) {
      const verdict = await judge.judge(s.taskId, s.cwe, s.code, options.signal);
      samples.push({ ...s, vulnerable: verdict.vulnerable });
      options.onSample?.();
    }
    generators.push({ key: g.key, samples });
  }
  return { description: `${source.description.replace(/ \(truth: .*\)$/, '')} (truth: scanner ${judge.name})`, generators, notes: source.notes };
}

export function sampleCount(source: SampleSource): number {
  return source.generators.reduce((n, g) => n + g.samples.length, 0);
}
