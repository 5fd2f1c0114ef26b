// The study's Tables 2-5 and the data behind Figures 3, 4 and 6, computed from the published
// artifacts, with Wilson intervals and notes wherever an artifact figure differs from the paper.
import { resolve, sep } from 'node:path';
import { UserError } from '../core/types.js';
import {
  RQ4_ROUNDS,
  cweOfTask,
  readRq1Labels,
  readRq2Detections,
  readRq3Verify,
  readRq4Runs,
  type DetectionResults,
  type ModelKey,
  type Rq4Round,
  type Rq4Run,
  type VerifyLabels,
} from './artifacts.js';
import { GENERATORS, isVulnerableLabel } from './labels.js';
import { PUBLISHED } from './published.js';
import { mean, summarizeRuns, wilson, type Interval, type RunSummary } from './stats.js';

export interface Table2Cell {
  vulnerable: number;
  total: number;
}
export interface Table3Cell {
  correct: number;
  total: number;
}
export interface Table4Cell {
  fixed: number;
  vulnerable: number;
}

type ByModel<T> = Partial<Record<ModelKey, T>>;
type Grid<T> = ByModel<ByModel<T>>;

export type TableName = 'table2' | 'table3' | 'table4' | 'table5';

/** An artifact figure that differs from the published one. */
export interface StudyNote {
  table: TableName;
  /** Judging or repairing model; absent for Table 2. */
  row?: ModelKey;
  column: ModelKey;
  artifact: number;
  published: number;
  text: string;
}

export interface Table5Run {
  run: number;
  iter1: number;
  final: number;
  rate: number;
}

export interface Table5Detail {
  runs: Table5Run[];
  /** Summed over runs: 1 − fixed/vulnerable here equals the table5 rate. */
  vulnerable: number;
  fixed: number;
  /** Mean and sample SD of the per-run rates (a second reading of "mean over the runs"). */
  runRates: RunSummary;
}

export interface FalsePositiveCell {
  detector: ModelKey;
  generator: ModelKey;
  /** "true" answers on samples labelled not vulnerable. */
  fp: number;
  /** "false" answers on samples labelled not vulnerable. */
  tn: number;
  /** FP / (FP + TN). */
  rate: number;
  ci: Interval;
  /** Free-text answers on not-vulnerable samples, left out of FP and TN. */
  unparsed: number;
}

export interface CweFixCell {
  cwe: number;
  vulnerable: number;
  fixed: number;
}

export interface RepairerCweFixes {
  repairer: ModelKey;
  /** Per CWE, pooled over the four generators' RQ1-vulnerable samples. */
  cwes: CweFixCell[];
  /** CWEs whose every vulnerable sample was fixed. */
  fullyFixed: number[];
  /** The same per generator. */
  byGenerator: ByModel<{ cwes: number; fullyFixed: number[] }>;
}

export interface RoundCounts {
  /** Vulnerable files per round: iter1..iter5 and final. */
  counts: Record<Rq4Round, number>;
}

export interface Rq4Setup {
  repairer: ModelKey;
  generator: ModelKey;
  runs: (RoundCounts & { run: number; name: string })[];
  mean: Record<Rq4Round, number>;
}

export interface StudyTables {
  table2: ByModel<Table2Cell>;
  table3: Grid<Table3Cell>;
  table4: Grid<Table4Cell>;
  table5: Grid<number>;
  notes: StudyNote[];
  ci: {
    table2: ByModel<Interval>;
    table3: Grid<Interval>;
    table4: Grid<Interval>;
    /** Wilson interval on the pooled files of the five runs. */
    table5: Grid<Interval>;
  };
  table5Detail: Grid<Table5Detail>;
  /** Detector rows the study does not tabulate (they judged fewer than the four generators). */
  table3Partial: Grid<Table3Cell>;
  figure3: FalsePositiveCell[];
  figure4: RepairerCweFixes[];
  figure6: Rq4Setup[];
  /** Irregularities in the artifacts that the figures above work around. */
  dataIssues: string[];
}

/** Computes every table and figure from the artifacts folder. */
export function computeStudyTables(root: string): StudyTables {
  const labels = readRq1Labels(root);
  const detections = readRq2Detections(root);
  const verify = readRq3Verify(root);
  const runs = readRq4Runs(root);
  const tables = tabulate(labels, detections, verify, runs);
  const prefix = resolve(root) + sep;
  tables.dataIssues = tables.dataIssues.map((issue) => issue.split(prefix).join(''));
  return tables;
}

export function tabulate(
  labels: Map<ModelKey, Map<string, number>>,
  detections: DetectionResults[],
  verify: VerifyLabels[],
  runs: Rq4Run[],
): StudyTables {
  const dataIssues: string[] = [];
  const order = (m: ModelKey) => GENERATORS.indexOf(m);
  detections = [...detections].sort((a, b) => order(a.detector) - order(b.detector) || order(a.generator) - order(b.generator));
  verify = [...verify].sort((a, b) => order(a.repairer) - order(b.repairer) || order(a.generator) - order(b.generator));
  const table2 = computeTable2(labels);
  const { full: table3, partial: table3Partial } = computeTable3(labels, detections, dataIssues);
  const table4 = computeTable4(labels, verify, dataIssues);
  const { rates: table5, detail: table5Detail } = computeTable5(runs, dataIssues);

  const ci = {
    table2: mapValues(table2, (c) => wilson(c.vulnerable, c.total)),
    table3: mapGrid(table3, (c) => wilson(c.correct, c.total)),
    table4: mapGrid(table4, (c) => wilson(Math.min(c.fixed, c.vulnerable), c.vulnerable)),
    table5: mapGrid(table5Detail, (d) => wilson(d.fixed, d.vulnerable)),
  };
  return {
    table2,
    table3,
    table4,
    table5,
    notes: compareWithPublished(table2, table3, table4, table5),
    ci,
    table5Detail,
    table3Partial,
    figure3: computeFalsePositives(labels, detections),
    figure4: computeCweFixes(labels, verify),
    figure6: computeRounds(runs),
    dataIssues,
  };
}

// ---------------------------------------------------------------- Table 2 (RQ1)

function computeTable2(labels: Map<ModelKey, Map<string, number>>): ByModel<Table2Cell> {
  const table: ByModel<Table2Cell> = {};
  for (const [generator, byTask] of labels) {
    const vulnerable = [...byTask.values()].filter(isVulnerableLabel).length;
    table[generator] = { vulnerable, total: byTask.size };
  }
  return table;
}

// ---------------------------------------------------------------- Table 3 (RQ2)

/** Correct = the detector's true/false equals the RQ1 label (1 and 0.5 vulnerable); free text is never correct. */
function computeTable3(
  labels: Map<ModelKey, Map<string, number>>,
  detections: DetectionResults[],
  dataIssues: string[],
): { full: Grid<Table3Cell>; partial: Grid<Table3Cell> } {
  const all: Grid<Table3Cell> = {};
  for (const d of detections) {
    const truth = labelsOf(labels, d.generator, d.path);
    let correct = 0;
    let unparsed = 0;
    let missing = 0;
    for (const id of d.answers.keys()) {
      if (!truth.has(id)) throw new UserError(`${d.path}: ID ${id} has no RQ1 label for ${d.generator}`);
    }
    for (const [taskId, label] of truth) {
      const entry = d.answers.get(taskId);
      if (!entry) {
        missing++;
        continue;
      }
      if (entry.answer === 'unparsed') unparsed++;
      else if ((entry.answer === 'true') === isVulnerableLabel(label)) correct++;
    }
    if (unparsed > 0) {
      dataIssues.push(`${d.path}: ${unparsed} of ${truth.size} answers are free text, not true/false; counted as not correct`);
    }
    if (missing > 0) dataIssues.push(`${d.path}: no answer for ${missing} of ${truth.size} samples; counted as not correct`);
    (all[d.detector] ??= {})[d.generator] = { correct, total: truth.size };
  }
  const full: Grid<Table3Cell> = {};
  const partial: Grid<Table3Cell> = {};
  for (const [detector, row] of entries(all)) {
    const complete = GENERATORS.every((g) => row[g] !== undefined);
    (complete ? full : partial)[detector] = row;
    if (!complete) {
      dataIssues.push(`RQ2: detector ${detector} judged only ${Object.keys(row).join(', ')}; kept out of Table 3 (see table3Partial)`);
    }
  }
  return { full, partial };
}

// ---------------------------------------------------------------- Table 4 (RQ3)

/**
 * As the paper counts it: fixed = samples whose verify label is 0, vulnerable = the generator's
 * RQ1-vulnerable samples (Table 2). A few verify labels disagree with RQ1 on which samples were
 * repaired; they are reported in dataIssues and left as published.
 */
function computeTable4(
  labels: Map<ModelKey, Map<string, number>>,
  verify: VerifyLabels[],
  dataIssues: string[],
): Grid<Table4Cell> {
  const table: Grid<Table4Cell> = {};
  for (const v of verify) {
    const truth = labelsOf(labels, v.generator, v.path);
    const vulnerable = [...truth.values()].filter(isVulnerableLabel).length;
    const fixed = [...v.labels.values()].filter((l) => l === 0).length;
    for (const [taskId, label] of v.labels) {
      const rq1 = truth.get(taskId);
      if (rq1 === undefined) throw new UserError(`${v.path}: ${taskId} has no RQ1 label for ${v.generator}`);
      if ((label >= 0) !== isVulnerableLabel(rq1)) {
        const rq1Says = isVulnerableLabel(rq1) ? 'vulnerable' : 'not vulnerable';
        // -1 means the sample was left out of repair as not vulnerable; 0, 0.5 and 1 that it was given one.
        const verifySays = label < 0 ? 'left out of repair as not vulnerable' : 'given a repair';
        dataIssues.push(`${v.path}: ${taskId} is ${verifySays} (label ${label}) but RQ1 labels it ${rq1Says} (${rq1})`);
      }
    }
    (table[v.repairer] ??= {})[v.generator] = { fixed, vulnerable };
  }
  return table;
}

// ---------------------------------------------------------------- Table 5 (RQ4)

/**
 * Fix rate of a setup = 1 − mean(final)/mean(iter1) vulnerable files over its runs, i.e. pooled
 * over the runs. That reading reproduces three of the four published cells exactly; the mean of
 * the per-run rates (kept in table5Detail.runRates) misses all four by about 0.4 points.
 */
function computeTable5(runs: Rq4Run[], dataIssues: string[]): { rates: Grid<number>; detail: Grid<Table5Detail> } {
  const detail: Grid<Table5Detail> = {};
  for (const run of runs) {
    for (const round of RQ4_ROUNDS) dataIssues.push(...run.scans[round].warnings);
    const iter1 = run.scans.iter1.vulnerableFiles;
    const final = run.scans.final.vulnerableFiles;
    if (iter1 === 0) throw new UserError(`${run.scans.iter1.path}: no vulnerable files at iter1, fix rate undefined`);
    const row = (detail[run.repairer] ??= {});
    const d = (row[run.generator] ??= { runs: [], vulnerable: 0, fixed: 0, runRates: summarizeRuns([]) });
    d.runs.push({ run: run.run, iter1, final, rate: 1 - final / iter1 });
    d.vulnerable += iter1;
    d.fixed += iter1 - final;
  }
  for (const [, row] of entries(detail)) {
    for (const [, d] of entries(row)) d.runRates = summarizeRuns(d.runs.map((r) => r.rate));
  }
  return { rates: mapGrid(detail, (d) => d.fixed / d.vulnerable), detail };
}

// ---------------------------------------------------------------- comparison with the paper

function compareWithPublished(
  table2: ByModel<Table2Cell>,
  table3: Grid<Table3Cell>,
  table4: Grid<Table4Cell>,
  table5: Grid<number>,
): StudyNote[] {
  const notes: StudyNote[] = [];
  for (const [column, published] of entries(PUBLISHED.table2)) {
    const artifact = table2[column]?.vulnerable;
    if (artifact !== undefined && artifact !== published) {
      notes.push({ table: 'table2', column, artifact, published, text: `Table 2 ${column}: artifacts give ${artifact} vulnerable, the paper ${published}` });
    }
  }
  for (const [row, cols] of entries(PUBLISHED.table3)) {
    for (const [column, published] of entries(cols)) {
      const artifact = table3[row]?.[column]?.correct;
      if (artifact !== undefined && artifact !== published) {
        notes.push({ table: 'table3', row, column, artifact, published, text: `Table 3 ${row} judging ${column}: artifacts give ${artifact} correct, the paper ${published}` });
      }
    }
  }
  for (const [row, cols] of entries(PUBLISHED.table4)) {
    for (const [column, published] of entries(cols)) {
      const cell = table4[row]?.[column];
      if (!cell) continue;
      if (cell.fixed !== published.fixed) {
        notes.push({ table: 'table4', row, column, artifact: cell.fixed, published: published.fixed, text: `Table 4 ${row} fixing ${column}: artifacts give ${cell.fixed} fixed, the paper ${published.fixed}` });
      }
      if (cell.vulnerable !== published.vulnerable) {
        notes.push({ table: 'table4', row, column, artifact: cell.vulnerable, published: published.vulnerable, text: `Table 4 ${row} fixing ${column}: artifacts give ${cell.vulnerable} vulnerable, the paper ${published.vulnerable}` });
      }
    }
  }
  for (const [row, cols] of entries(PUBLISHED.table5)) {
    for (const [column, published] of entries(cols)) {
      const rate = table5[row]?.[column];
      if (rate === undefined) continue;
      const artifact = Math.round(rate * 1000) / 10;
      if (artifact !== published) {
        notes.push({ table: 'table5', row, column, artifact, published, text: `Table 5 ${row} fixing ${column}: artifacts give ${artifact.toFixed(1)}%, the paper ${published.toFixed(1)}%` });
      }
    }
  }
  return notes;
}

// ---------------------------------------------------------------- figures

/** Figure 3: FP / (FP + TN) of each detector against the generator's RQ1 labels. */
function computeFalsePositives(labels: Map<ModelKey, Map<string, number>>, detections: DetectionResults[]): FalsePositiveCell[] {
  const cells: FalsePositiveCell[] = [];
  for (const d of detections) {
    const truth = labelsOf(labels, d.generator, d.path);
    let fp = 0;
    let tn = 0;
    let unparsed = 0;
    for (const [taskId, label] of truth) {
      if (isVulnerableLabel(label)) continue;
      const answer = d.answers.get(taskId)?.answer;
      if (answer === 'true') fp++;
      else if (answer === 'false') tn++;
      else unparsed++;
    }
    const n = fp + tn;
    cells.push({ detector: d.detector, generator: d.generator, fp, tn, rate: n === 0 ? NaN : fp / n, ci: wilson(fp, n), unparsed });
  }
  return cells;
}

/** Figure 4: per repairer and CWE, how many RQ1-vulnerable samples the one-shot repair fixed. */
function computeCweFixes(labels: Map<ModelKey, Map<string, number>>, verify: VerifyLabels[]): RepairerCweFixes[] {
  const byRepairer = new Map<ModelKey, VerifyLabels[]>();
  for (const v of verify) byRepairer.set(v.repairer, [...(byRepairer.get(v.repairer) ?? []), v]);
  const out: RepairerCweFixes[] = [];
  for (const [repairer, files] of byRepairer) {
    const pooled = new Map<number, CweFixCell>();
    const byGenerator: RepairerCweFixes['byGenerator'] = {};
    for (const v of files) {
      const own = new Map<number, CweFixCell>();
      for (const [taskId, rq1] of labelsOf(labels, v.generator, v.path)) {
        if (!isVulnerableLabel(rq1)) continue;
        const cwe = cweOfTask(taskId, v.path);
        const fixed = v.labels.get(taskId) === 0 ? 1 : 0;
        for (const map of [pooled, own]) {
          const cell = map.get(cwe) ?? { cwe, vulnerable: 0, fixed: 0 };
          cell.vulnerable++;
          cell.fixed += fixed;
          map.set(cwe, cell);
        }
      }
      byGenerator[v.generator] = { cwes: own.size, fullyFixed: fullyFixed(own) };
    }
    const cwes = [...pooled.values()].sort((a, b) => a.cwe - b.cwe);
    out.push({ repairer, cwes, fullyFixed: fullyFixed(pooled), byGenerator });
  }
  return out;
}

/** The CWEs whose every vulnerable sample was fixed, in ascending order. */
export function fullyFixed(cells: Map<number, CweFixCell>): number[] {
  return [...cells.values()].filter((c) => c.vulnerable > 0 && c.fixed === c.vulnerable).map((c) => c.cwe).sort((a, b) => a - b);
}

/** Figure 6: vulnerable files per round, per run and averaged over a setup's runs. */
function computeRounds(runs: Rq4Run[]): Rq4Setup[] {
  const setups: Rq4Setup[] = [];
  for (const run of runs) {
    let setup = setups.find((s) => s.repairer === run.repairer && s.generator === run.generator);
    if (!setup) {
      setup = { repairer: run.repairer, generator: run.generator, runs: [], mean: {} as Record<Rq4Round, number> };
      setups.push(setup);
    }
    const counts = {} as Record<Rq4Round, number>;
    for (const round of RQ4_ROUNDS) counts[round] = run.scans[round].vulnerableFiles;
    setup.runs.push({ run: run.run, name: run.name, counts });
  }
  for (const setup of setups) {
    for (const round of RQ4_ROUNDS) {
      setup.mean[round] = mean(setup.runs.map((r) => r.counts[round]));
    }
  }
  return setups;
}

// ---------------------------------------------------------------- helpers

function labelsOf(labels: Map<ModelKey, Map<string, number>>, generator: ModelKey, where: string): Map<string, number> {
  const truth = labels.get(generator);
  if (!truth) throw new UserError(`${where}: no RQ1 labels for generator ${generator}`);
  return truth;
}

/** Object entries in the study's model order. */
export function entries<T>(record: ByModel<T>): [ModelKey, T][] {
  return GENERATORS.filter((k) => record[k] !== undefined).map((k) => [k, record[k] as T]);
}

function mapValues<T, U>(record: ByModel<T>, f: (v: T) => U): ByModel<U> {
  const out: ByModel<U> = {};
  for (const [k, v] of entries(record)) out[k] = f(v);
  return out;
}

function mapGrid<T, U>(grid: Grid<T>, f: (v: T) => U): Grid<U> {
  const out: Grid<U> = {};
  for (const [k, row] of entries(grid)) out[k] = mapValues(row, f);
  return out;
}
