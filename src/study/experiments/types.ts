// The results of the study's experiments (RQ1-RQ4) run on any models. Tables 2-5 and the
// figures' data keep the shapes computeStudyTables gives for the published artifacts
// (rows: the judging or repairing model, columns: the generating model), keyed by model id
// (`openai:gpt-4o-mini`), a study model key (`gpt4`, for samples read from the artifacts)
// or, for scanners judged as detectors, `scanner:<name>`.
import type { RunSummary } from '../stats.js';
import type { Interval } from '../stats.js';
import type { CweFixCell, Table2Cell, Table3Cell, Table4Cell } from '../tables.js';

export const EXPERIMENTS = ['rq1', 'rq2', 'rq3', 'rq4'] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

/** Run kinds in the store: the experiment's own run, and the runs of its cells. */
export const EXPERIMENT_KIND: Readonly<Record<Experiment, string>> = {
  rq1: 'study-rq1',
  rq2: 'study-rq2',
  rq3: 'study-rq3',
  rq4: 'study-rq4',
};
export const CELL_KIND: Readonly<Record<Experiment, string>> = {
  rq1: 'study-rq1-cell',
  rq2: 'study-rq2-cell',
  rq3: 'study-rq3-cell',
  rq4: 'study-rq4-cell',
};

export type Grid<T> = Record<string, Record<string, T>>;

/** Table 2 cell with the tasks that produced no usable code (left out of `total`). */
export interface Rq1Cell extends Table2Cell {
  failed: number;
}

/** Table 3 cell with the answers that were neither true nor false (counted as not correct). */
export interface Rq2Cell extends Table3Cell {
  unparsed: number;
  /** Samples whose ground truth says vulnerable. */
  truthVulnerable: number;
}

/** Table 4 cell; `failed` repairs (no usable reply) count as not fixed. */
export interface Rq3Cell extends Table4Cell {
  failed: number;
  /** The same restricted to the samples the chosen scanners also find vulnerable before repair. */
  judgeBase: Table4Cell;
}

export interface ExperimentFalsePositive {
  detector: string;
  generator: string;
  fp: number;
  tn: number;
  rate: number;
  ci: Interval;
  unparsed: number;
}

export interface ExperimentCweFixes {
  repairer: string;
  cwes: CweFixCell[];
  fullyFixed: number[];
  byGenerator: Record<string, { cwes: number; fullyFixed: number[] }>;
}

export interface Rq4RunCounts {
  run: number;
  /** The store run of this repetition. */
  name: string;
  /** Vulnerable tasks by round label (`iter1` = as generated ... `final` = after round k). */
  counts: Record<string, number>;
}

export interface ExperimentRounds {
  repairer: string;
  generator: string;
  /** The round labels in order: iter1 (as generated), iter2 (after repair 1), ..., final (after repair k). */
  rounds: string[];
  runs: Rq4RunCounts[];
  mean: Record<string, number>;
  sd: Record<string, number>;
  /** 1 − count(round)/count(iter1) per run, summarized over the runs. */
  cumulativeFixRate: Record<string, RunSummary>;
}

export interface ExperimentTable5Run {
  run: number;
  iter1: number;
  final: number;
  rate: number;
}

export interface ExperimentTable5Detail {
  runs: ExperimentTable5Run[];
  vulnerable: number;
  fixed: number;
  runRates: RunSummary;
}

export interface CostSummary {
  /** Calls that reached a model (paid). */
  calls: number;
  /** Requests answered from the store's cache. */
  cachedCalls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Paid calls with no known price (not in costUsd). */
  unpricedCalls: number;
}

export interface ExperimentTables {
  experiment: Experiment;
  runId: string;
  status: string;
  table2?: Record<string, Rq1Cell>;
  table3?: Grid<Rq2Cell>;
  table4?: Grid<Rq3Cell>;
  table5?: Grid<number>;
  ci: {
    table2?: Record<string, Interval>;
    table3?: Grid<Interval>;
    table4?: Grid<Interval>;
    table5?: Grid<Interval>;
  };
  table5Detail?: Grid<ExperimentTable5Detail>;
  figure3?: ExperimentFalsePositive[];
  figure4?: ExperimentCweFixes[];
  figure6?: ExperimentRounds[];
  cost: CostSummary;
  /** What the reader should know: left-out samples, settings that differ from the study. */
  notes: string[];
  /** The settings the experiment ran with. */
  settings: Record<string, unknown>;
}

/** Progress of an experiment: `done` of `total` units (samples, tasks) across its cells. */
export interface ExperimentProgress {
  experiment: Experiment;
  done: number;
  total: number;
  /** The cell the unit belongs to, e.g. `openai:gpt-4o fixing gpt4, run 2`. */
  cell: string;
  /** What happened to the unit, e.g. `CWE-089/author_1.py: vulnerable`. */
  detail?: string;
}

export interface ExperimentOutcome {
  runId: string;
  status: 'done' | 'interrupted';
  /** True when the run existed before this call (it was continued). */
  resumed: boolean;
  tables: ExperimentTables;
}
