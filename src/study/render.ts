// Renders the study tables as JSON, Markdown or CSV, and as the generic tables the HTML and
// Markdown reports lay out.
import { UserError } from '../core/types.js';
import { RQ4_ROUNDS, type ModelKey } from './artifacts.js';
import { GENERATORS } from './labels.js';
import { PUBLISHED } from './published.js';
import { markdownTable } from '../report/html-markdown.js';
import type { ReportTable } from '../report/html-types.js';
import type { Interval } from './stats.js';
import { entries, type StudyNote, type StudyTables, type TableName } from './tables.js';

export type TablesFormat = 'json' | 'markdown' | 'csv';
export const TABLE_FORMATS: readonly TablesFormat[] = ['json', 'markdown', 'csv'];

export const MODEL_LABEL: Readonly<Record<ModelKey, string>> = {
  'gpt3.5': 'GPT-3.5',
  gpt4: 'GPT-4',
  codellama: 'Code Llama',
  codegeex2: 'CodeGeeX2',
};

export function renderTables(tables: StudyTables, format: TablesFormat): string {
  switch (format) {
    case 'json':
      return renderTablesJson(tables);
    case 'markdown':
      return renderTablesMarkdown(tables);
    case 'csv':
      return renderTablesCsv(tables);
    default:
      throw unknownFormatError(format);
  }
}

/** The error for a tables format other than json, markdown and csv. */
export function unknownFormatError(format: unknown): UserError {
  return new UserError(`unknown format ${JSON.stringify(format)}: use one of ${TABLE_FORMATS.join(', ')}`);
}

/** The required keys first (table2..table5, notes), then the extras (ci, details, figures). */
export function renderTablesJson(t: StudyTables): string {
  const ordered = {
    table2: t.table2,
    table3: t.table3,
    table4: t.table4,
    table5: t.table5,
    notes: t.notes,
    ci: t.ci,
    table5Detail: t.table5Detail,
    table3Partial: t.table3Partial,
    figure3: t.figure3,
    figure4: t.figure4,
    figure6: t.figure6,
    dataIssues: t.dataIssues,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

// ---------------------------------------------------------------- generic tables

/** A share as a percentage with one decimal; `—` when it is not a finite number. */
export const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');
/** A Wilson interval as `[low, high]`; empty when there is none or its share is undefined. */
export const ciText = (ci: Interval | undefined) => (ci && Number.isFinite(ci.p) ? `[${pct(ci.low)}, ${pct(ci.high)}]` : '');
/** `k/n (share)`. */
export const ratio = (k: number, n: number) => `${k}/${n} (${pct(k / n)})`;

function noteMark(notes: StudyNote[], table: TableName, row: ModelKey | undefined, column: ModelKey): string {
  const matching = notes.filter((n) => n.table === table && n.row === row && n.column === column);
  return matching.length === 0 ? '' : ` † (paper: ${matching.map((n) => n.published).join('/')})`;
}

/** Tables 2-5 and the figures' data as layout-ready tables. */
export function studyReportTables(t: StudyTables): ReportTable[] {
  const columns = GENERATORS.map((g) => MODEL_LABEL[g]);
  const out: ReportTable[] = [];

  out.push({
    title: 'Table 2. Vulnerable code generated (RQ1)',
    caption: 'Samples labelled vulnerable (1 or 0.5) of the 121 SecurityEval tasks, with Wilson 95% intervals.',
    header: ['', ...columns],
    rows: [
      [
        'Vulnerable',
        ...GENERATORS.map((g) => {
          const c = t.table2[g];
          return c ? `${ratio(c.vulnerable, c.total)} ${ciText(t.ci.table2[g])}${noteMark(t.notes, 'table2', undefined, g)}` : '—';
        }),
      ],
    ],
  });

  out.push({
    title: 'Table 3. Correct self-review answers (RQ2)',
    caption: 'Detector (row) asked whether code by the generator (column) is vulnerable to its CWE; correct when the answer equals the RQ1 label.',
    header: ['Detector', ...columns],
    rows: entries(t.table3).map(([det, row]) => [
      MODEL_LABEL[det],
      ...GENERATORS.map((g) => {
        const c = row[g];
        return c ? `${ratio(c.correct, c.total)} ${ciText(t.ci.table3[det]?.[g])}${noteMark(t.notes, 'table3', det, g)}` : '—';
      }),
    ]),
  });

  out.push({
    title: 'Table 4. One-shot repair (RQ3)',
    caption: 'Fixed of the vulnerable samples, repairer (row) fixing the generator (column).',
    header: ['Repairer', ...columns],
    rows: entries(t.table4).map(([rep, row]) => [
      MODEL_LABEL[rep],
      ...GENERATORS.map((g) => {
        const c = row[g];
        return c ? `${ratio(c.fixed, c.vulnerable)} ${ciText(t.ci.table4[rep]?.[g])}${noteMark(t.notes, 'table4', rep, g)}` : '—';
      }),
    ]),
  });

  out.push({
    title: 'Table 5. Iterative repair over 5 runs (RQ4)',
    caption:
      'Fix rate 1 − mean(final)/mean(iter1) vulnerable files over the runs, Wilson interval on the pooled files; ' +
      'in parentheses the mean ± SD of the per-run rates.',
    header: ['Repairer', ...columns],
    rows: entries(t.table5).map(([rep, row]) => [
      MODEL_LABEL[rep],
      ...GENERATORS.map((g) => {
        const rate = row[g];
        const d = t.table5Detail[rep]?.[g];
        if (rate === undefined || !d) return '—';
        return `${pct(rate)} ${ciText(t.ci.table5[rep]?.[g])} (${pct(d.runRates.mean)} ± ${pct(d.runRates.sd)})${noteMark(t.notes, 'table5', rep, g)}`;
      }),
    ]),
  });

  out.push(falsePositiveTable(t));
  out.push(cweFixTable(t));
  out.push(roundsTable(t));
  return out;
}

function falsePositiveTable(t: StudyTables): ReportTable {
  return {
    title: 'Figure 3 data. False-positive rate of the detectors',
    caption: 'FP / (FP + TN) over the samples labelled not vulnerable; free-text answers left out.',
    header: ['Detector', 'Generator', 'FP', 'TN', 'Rate', '95% CI', 'Free text'],
    rows: t.figure3.map((c) => [
      MODEL_LABEL[c.detector],
      MODEL_LABEL[c.generator],
      String(c.fp),
      String(c.tn),
      pct(c.rate),
      ciText(c.ci),
      String(c.unparsed),
    ]),
  };
}

function cweFixTable(t: StudyTables): ReportTable {
  return {
    title: 'Figure 4 data. CWEs fully fixed by one-shot repair',
    caption: 'A CWE is fully fixed when every vulnerable sample of it was fixed.',
    header: ['Repairer', 'All generators', ...GENERATORS.map((g) => MODEL_LABEL[g])],
    rows: t.figure4.map((r) => [
      MODEL_LABEL[r.repairer],
      `${r.fullyFixed.length}/${r.cwes.length}`,
      ...GENERATORS.map((g) => {
        const c = r.byGenerator[g];
        return c ? `${c.fullyFixed.length}/${c.cwes}` : '—';
      }),
    ]),
  };
}

function roundsTable(t: StudyTables): ReportTable {
  const rows: string[][] = [];
  for (const s of t.figure6) {
    const setup = `${MODEL_LABEL[s.repairer]} fixing ${MODEL_LABEL[s.generator]}`;
    rows.push([setup, 'mean', ...RQ4_ROUNDS.map((r) => s.mean[r].toFixed(1))]);
    for (const run of s.runs) rows.push([setup, `run ${run.run}`, ...RQ4_ROUNDS.map((r) => String(run.counts[r]))]);
  }
  return {
    title: 'Figure 6 data. Vulnerable files per round (RQ4)',
    header: ['Setup', 'Run', ...RQ4_ROUNDS],
    rows,
  };
}

// ---------------------------------------------------------------- Markdown and CSV

export function renderTablesMarkdown(t: StudyTables): string {
  const parts = ['## EASE 2025 study: tables from the published artifacts', ''];
  for (const table of studyReportTables(t)) parts.push(markdownTable(table));
  parts.push('### Notes (artifact figure vs. published figure, marked † above)', '');
  if (t.notes.length === 0) parts.push('None: every cell matches the paper.');
  for (const n of t.notes) parts.push(`- ${n.text}`);
  parts.push('', '### Data issues in the artifacts', '');
  if (t.dataIssues.length === 0) parts.push('None.');
  for (const issue of t.dataIssues) parts.push(`- ${issue}`);
  return parts.join('\n') + '\n';
}

/** The columns of the CSV of Tables 2-5, the study's and an experiment's. */
export const CSV_HEADER = ['table', 'row', 'column', 'count', 'total', 'rate', 'ci_low', 'ci_high', 'published_count', 'published_rate'];

/** A number for the CSV, rounded to 6 decimals; empty when there is none or it is not finite. */
export function csvNumber(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : String(Math.round(x * 1e6) / 1e6);
}

/** One line per cell of Tables 2-5: `count/total = rate`, its Wilson interval and the paper's figure. */
export function renderTablesCsv(t: StudyTables): string {
  const lines = [CSV_HEADER.join(',')];
  const push = (table: string, row: string, column: string, count: number, total: number, rate: number, ci: Interval | undefined, pubCount?: number, pubRate?: number) =>
    lines.push([table, row, column, String(count), String(total), csvNumber(rate), csvNumber(ci?.low), csvNumber(ci?.high), csvNumber(pubCount), csvNumber(pubRate)].map(csvCell).join(','));

  for (const [g, c] of entries(t.table2)) {
    const pub = PUBLISHED.table2[g];
    push('table2', '', g, c.vulnerable, c.total, c.vulnerable / c.total, t.ci.table2[g], pub, pub === undefined ? undefined : pub / c.total);
  }
  for (const [d, row] of entries(t.table3)) {
    for (const [g, c] of entries(row)) {
      const pub = PUBLISHED.table3[d]?.[g];
      push('table3', d, g, c.correct, c.total, c.correct / c.total, t.ci.table3[d]?.[g], pub, pub === undefined ? undefined : pub / c.total);
    }
  }
  for (const [r, row] of entries(t.table4)) {
    for (const [g, c] of entries(row)) {
      const pub = PUBLISHED.table4[r]?.[g];
      push('table4', r, g, c.fixed, c.vulnerable, c.fixed / c.vulnerable, t.ci.table4[r]?.[g], pub?.fixed, pub ? pub.fixed / pub.vulnerable : undefined);
    }
  }
  for (const [r, row] of entries(t.table5)) {
    for (const [g, rate] of entries(row)) {
      const d = t.table5Detail[r]?.[g];
      const pub = PUBLISHED.table5[r]?.[g];
      push('table5', r, g, d?.fixed ?? 0, d?.vulnerable ?? 0, rate, t.ci.table5[r]?.[g], undefined, pub === undefined ? undefined : pub / 100);
    }
  }
  return lines.join('\n') + '\n';
}

export function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
