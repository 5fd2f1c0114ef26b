// Recomputes Tables 2 and 4 with another judge than the study's (manual review + CodeQL +
// Bandit), e.g. secagent's analyzer, so both can be put side by side.
import pLimit from 'p-limit';
import { UserError } from '../core/types.js';
import { readSourceFile } from '../tasks/read.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelKey } from './artifacts.js';
import { REPAIRERS, listRq1Samples, rq3CodeDir } from './labels.js';
import { wilson, type Interval } from './stats.js';
import type { Table2Cell, Table4Cell } from './tables.js';

/** Says whether `code` (read from `path`) is vulnerable to CWE `cwe`. Never runs the code. */
export type Judge = (code: string, cwe: number, path: string) => Promise<boolean>;

export interface RejudgeOptions {
  /** Judge calls in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each judged file. */
  onProgress?: (done: number, total: number) => void;
}

export interface JudgedSample {
  set: 'rq1' | 'rq3';
  generator: ModelKey;
  repairer?: ModelKey;
  taskId: string;
  cwe: number;
  path: string;
  vulnerable: boolean;
}

export interface RejudgedTables {
  /** Samples of each generator the judge finds vulnerable, of all its samples. */
  table2: Partial<Record<ModelKey, Table2Cell>>;
  /**
   * The study's repair set (its RQ1-vulnerable samples, which have repaired code): `fixed` =
   * repaired files the judge finds clean, `vulnerable` = the size of that set, as in the paper.
   */
  table4: Partial<Record<ModelKey, Partial<Record<ModelKey, Table4Cell>>>>;
  /** The same restricted to samples the judge also finds vulnerable before repair. */
  table4JudgeBase: Partial<Record<ModelKey, Partial<Record<ModelKey, Table4Cell>>>>;
  ci: {
    table2: Partial<Record<ModelKey, Interval>>;
    table4: Partial<Record<ModelKey, Partial<Record<ModelKey, Interval>>>>;
  };
  samples: JudgedSample[];
}

/** Judges every RQ1 sample and every RQ3 repaired file, then tabulates as the study does. */
export async function rejudgeArtifacts(root: string, judge: Judge, options: RejudgeOptions = {}): Promise<RejudgedTables> {
  const rq1 = listRq1Samples(root);
  type Job = Omit<JudgedSample, 'vulnerable'>;
  const jobs: Job[] = rq1.map((s) => ({ set: 'rq1', generator: s.generator, taskId: s.taskId, cwe: s.cwe, path: s.path }));
  for (const repairer of REPAIRERS) {
    for (const s of rq1) {
      if (!s.vulnerable) continue;
      const path = join(rq3CodeDir(root, repairer, s.generator), s.taskId);
      if (!existsSync(path)) throw new UserError(`${path}: no repaired code for an RQ1-vulnerable sample`);
      jobs.push({ set: 'rq3', generator: s.generator, repairer, taskId: s.taskId, cwe: s.cwe, path });
    }
  }

  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  let done = 0;
  const samples = await Promise.all(
    jobs.map((job) =>
      limit(async (): Promise<JudgedSample> => {
        options.signal?.throwIfAborted();
        const vulnerable = await judge(readSourceFile(job.path), job.cwe, job.path);
        options.onProgress?.(++done, jobs.length);
        return { ...job, vulnerable };
      }),
    ),
  );
  return tabulateJudged(samples, rq1.map((s) => ({ generator: s.generator, taskId: s.taskId, vulnerable: s.vulnerable })));
}

function tabulateJudged(
  samples: JudgedSample[],
  published: { generator: ModelKey; taskId: string; vulnerable: boolean }[],
): RejudgedTables {
  const table2: RejudgedTables['table2'] = {};
  const before = new Map<string, boolean>();
  for (const s of samples.filter((x) => x.set === 'rq1')) {
    const cell = (table2[s.generator] ??= { vulnerable: 0, total: 0 });
    cell.total++;
    if (s.vulnerable) cell.vulnerable++;
    before.set(`${s.generator}\0${s.taskId}`, s.vulnerable);
  }
  const publishedVulnerable = new Set(published.filter((p) => p.vulnerable).map((p) => `${p.generator}\0${p.taskId}`));

  const table4: RejudgedTables['table4'] = {};
  const table4JudgeBase: RejudgedTables['table4JudgeBase'] = {};
  for (const s of samples.filter((x) => x.set === 'rq3')) {
    const key = `${s.generator}\0${s.taskId}`;
    if (!publishedVulnerable.has(key)) continue;
    const cell = ((table4[s.repairer!] ??= {})[s.generator] ??= { fixed: 0, vulnerable: 0 });
    cell.vulnerable++;
    if (!s.vulnerable) cell.fixed++;
    if (before.get(key)) {
      const base = ((table4JudgeBase[s.repairer!] ??= {})[s.generator] ??= { fixed: 0, vulnerable: 0 });
      base.vulnerable++;
      if (!s.vulnerable) base.fixed++;
    }
  }
  const ci: RejudgedTables['ci'] = { table2: {}, table4: {} };
  for (const [g, c] of Object.entries(table2) as [ModelKey, Table2Cell][]) ci.table2[g] = wilson(c.vulnerable, c.total);
  for (const [r, row] of Object.entries(table4) as [ModelKey, Partial<Record<ModelKey, Table4Cell>>][]) {
    for (const [g, c] of Object.entries(row) as [ModelKey, Table4Cell][]) (ci.table4[r] ??= {})[g] = wilson(c.fixed, c.vulnerable);
  }
  return { table2, table4, table4JudgeBase, ci, samples };
}
