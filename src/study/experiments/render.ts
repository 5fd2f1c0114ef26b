// Experiment results as JSON, Markdown or CSV, and as the layout tables and charts of the
// HTML/Markdown report. Rows and columns are whatever models the experiment ran, so the
// columns come from the data, not from the study's four generators.
import { formatCwe } from '../../core/types.js';
import { cweFixChartSpec, falsePositiveChartSpec, renderChartSvg, roundsChartSpec, type RatePoint, type RoundPoint } from '../../report/charts.js';
import { markdownTable } from '../../report/html-markdown.js';
import type { ReportChart, ReportTable } from '../../report/html-types.js';
import { CSV_HEADER, MODEL_LABEL, ciText, csvCell, csvNumber, pct, ratio, unknownFormatError, type TablesFormat } from '../render.js';
import type { Interval } from '../stats.js';
import type { ExperimentTables, Grid } from './types.js';

/** A model key as shown: the study's names for its four models, the id itself for others. */
export function modelLabel(key: string): string {
  return Object.hasOwn(MODEL_LABEL, key) ? MODEL_LABEL[key as keyof typeof MODEL_LABEL] : key;
}

const TITLES = {
  rq1: 'RQ1: vulnerable code generated',
  rq2: 'RQ2: models judging whether code is vulnerable',
  rq3: 'RQ3: one-shot repair',
  rq4: 'RQ4: iterative repair (Algorithm 1)',
} as const;

export function experimentTitle(t: ExperimentTables): string {
  return `${TITLES[t.experiment]} (run ${t.runId})`;
}

export function renderExperiment(t: ExperimentTables, format: TablesFormat | string): string {
  switch (format) {
    case 'json':
      return renderExperimentJson(t);
    case 'markdown':
      return renderExperimentMarkdown(t);
    case 'csv':
      return renderExperimentCsv(t);
    default:
      throw unknownFormatError(format);
  }
}

/** Tables 2-5 first, in the keys computeStudyTables uses, then intervals, figures, cost, notes, settings. */
export function renderExperimentJson(t: ExperimentTables): string {
  const ordered: Record<string, unknown> = { experiment: t.experiment, runId: t.runId, status: t.status };
  for (const key of ['table2', 'table3', 'table4', 'table5'] as const) if (t[key]) ordered[key] = t[key];
  ordered.ci = t.ci;
  for (const key of ['table5Detail', 'figure3', 'figure4', 'figure6'] as const) if (t[key]) ordered[key] = t[key];
  Object.assign(ordered, { cost: t.cost, notes: t.notes, settings: t.settings });
  return JSON.stringify(ordered, null, 2) + '\n';
}

/** Column keys of a grid in first-seen order. */
function columnsOf<T>(grid: Grid<T>): string[] {
  const seen: string[] = [];
  for (const row of Object.values(grid)) for (const key of Object.keys(row)) if (!seen.includes(key)) seen.push(key);
  return seen;
}

function gridTable<T>(title: string, caption: string, corner: string, grid: Grid<T>, cell: (row: string, column: string, value: T) => string): ReportTable {
  const columns = columnsOf(grid);
  return {
    title,
    caption,
    header: [corner, ...columns.map(modelLabel)],
    rows: Object.entries(grid).map(([row, values]) => [modelLabel(row), ...columns.map((c) => (values[c] === undefined ? '—' : cell(row, c, values[c])))]),
  };
}

/** Tables 2-5 (those the experiment has) and the figures' data as layout-ready tables. */
export function experimentReportTables(t: ExperimentTables): ReportTable[] {
  const out: ReportTable[] = [];
  if (t.table2) {
    out.push({
      title: 'Table 2. Vulnerable code generated (RQ1)',
      caption: `Samples the scanners (${scannersOf(t)}, policy ${String(t.settings.policy)}) judge vulnerable, of those judged; Wilson 95% intervals.`,
      header: ['Generator', 'Vulnerable', '95% CI', 'No usable code'],
      rows: Object.entries(t.table2).map(([g, c]) => [modelLabel(g), ratio(c.vulnerable, c.total), ciText(t.ci.table2?.[g]), String(c.failed)]),
    });
  }
  if (t.table3) {
    out.push(
      gridTable(
        'Table 3. Correct answers to "is this code vulnerable to its CWE?" (RQ2)',
        'Detector (row) judging code by the generator (column): answers equal to the ground truth, of all samples; answers neither true nor false count as not correct.',
        'Detector',
        t.table3,
        (row, col, c) => `${ratio(c.correct, c.total)} ${ciText(t.ci.table3?.[row]?.[col])}${c.unparsed ? `, ${c.unparsed} unclear` : ''}`,
      ),
    );
  }
  if (t.table4) {
    out.push(
      gridTable(
        'Table 4. One-shot repair (RQ3)',
        'Repairer (row) fixing the generator\'s (column) vulnerable samples: fixed of vulnerable; in parentheses, of those the scanners also find vulnerable before repair.',
        'Repairer',
        t.table4,
        (row, col, c) => `${ratio(c.fixed, c.vulnerable)} ${ciText(t.ci.table4?.[row]?.[col])} (${c.judgeBase.fixed}/${c.judgeBase.vulnerable})`,
      ),
    );
  }
  if (t.table5) {
    out.push(
      gridTable(
        `Table 5. Iterative repair, ${String(t.settings.maxIterations)} rounds, ${String(t.settings.runs)} runs (RQ4)`,
        'Fix rate 1 − Σfinal/Σiter1 vulnerable tasks over the runs, Wilson interval on the pooled tasks; in parentheses the mean ± SD of the per-run rates.',
        'Repairer',
        t.table5,
        (row, col, rate) => {
          const d = t.table5Detail?.[row]?.[col];
          return `${pct(rate)} ${ciText(t.ci.table5?.[row]?.[col])}${d ? ` (${pct(d.runRates.mean)} ± ${pct(d.runRates.sd)})` : ''}`;
        },
      ),
    );
  }
  if (t.figure3) {
    out.push({
      title: 'Figure 3 data. False-positive rate of the detectors',
      caption: 'FP / (FP + TN) over the samples the ground truth calls not vulnerable; unclear answers left out.',
      header: ['Detector', 'Generator', 'FP', 'TN', 'Rate', '95% CI', 'Unclear'],
      rows: t.figure3.map((c) => [modelLabel(c.detector), modelLabel(c.generator), String(c.fp), String(c.tn), pct(c.rate), ciText(c.ci), String(c.unparsed)]),
    });
  }
  if (t.figure4) {
    const generators = [...new Set(t.figure4.flatMap((r) => Object.keys(r.byGenerator)))];
    out.push({
      title: 'Figure 4 data. CWEs fully fixed by one-shot repair',
      caption: 'A CWE is fully fixed when every vulnerable sample of it was fixed.',
      header: ['Repairer', 'All generators', ...generators.map(modelLabel), 'Fully fixed'],
      rows: t.figure4.map((r) => [
        modelLabel(r.repairer),
        `${r.fullyFixed.length}/${r.cwes.length}`,
        ...generators.map((g) => (r.byGenerator[g] ? `${r.byGenerator[g].fullyFixed.length}/${r.byGenerator[g].cwes}` : '—')),
        r.fullyFixed.map(formatCwe).join(' '),
      ]),
    });
  }
  if (t.figure6) {
    const labels = t.figure6[0]?.rounds ?? [];
    const rows: string[][] = [];
    for (const s of t.figure6) {
      const setup = `${modelLabel(s.repairer)} fixing ${modelLabel(s.generator)}`;
      rows.push([setup, 'mean ± SD', ...labels.map((l) => `${fixed1(s.mean[l])} ± ${fixed1(s.sd[l])}`)]);
      rows.push([setup, 'cumulative fix rate', ...labels.map((l) => `${pct(s.cumulativeFixRate[l]?.mean ?? NaN)} ± ${pct(s.cumulativeFixRate[l]?.sd ?? NaN)}`)]);
      for (const run of s.runs) rows.push([setup, `run ${run.run}`, ...labels.map((l) => String(run.counts[l]))]);
    }
    out.push({
      title: 'Figure 6 data. Vulnerable tasks after each round (RQ4)',
      caption: 'iter1 = as generated, iterK = after repair round K−1, final = after the last round; a task that stopped keeps its last verdict.',
      header: ['Setup', 'Run', ...labels],
      rows,
    });
  }
  return out;
}

const fixed1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

function scannersOf(t: ExperimentTables): string {
  const names = t.settings.scanners;
  return Array.isArray(names) ? names.join('+') : '?';
}

/** Figures 6, 3 and 4, those the experiment has, rendered to SVG. */
export async function experimentCharts(t: ExperimentTables): Promise<ReportChart[]> {
  const charts: ReportChart[] = [];
  if (t.figure6 && t.figure6.some((s) => s.runs.length > 0)) {
    const points: RoundPoint[] = [];
    for (const s of t.figure6) {
      const series = `${modelLabel(s.repairer)} fixing ${modelLabel(s.generator)}`;
      for (const round of s.rounds) {
        if (s.runs.length > 0) points.push({ series, round, vulnerable: s.mean[round] });
        for (const run of s.runs) points.push({ series, round, vulnerable: run.counts[round], run: `${series} #${run.run}` });
      }
    }
    charts.push({
      title: 'Figure 6. Vulnerable tasks per round of iterative repair (RQ4)',
      caption: 'Bold: mean over the runs of a setup; thin: the individual runs.',
      svg: await renderChartSvg(roundsChartSpec(points, t.figure6[0].rounds, 'Vulnerable tasks per round')),
    });
  }
  if (t.figure3) {
    const points: RatePoint[] = t.figure3
      .filter((c) => c.fp + c.tn > 0)
      .map((c) => ({ group: modelLabel(c.generator), series: modelLabel(c.detector), rate: c.rate, low: c.ci.low, high: c.ci.high }));
    if (points.length > 0) {
      charts.push({
        title: 'Figure 3. False-positive rate of the detectors (RQ2)',
        caption: 'FP / (FP + TN) against the ground truth, with Wilson 95% intervals.',
        svg: await renderChartSvg(falsePositiveChartSpec(points, 'False-positive rate of the detectors')),
      });
    }
  }
  if (t.figure4) {
    const points: RatePoint[] = t.figure4.flatMap((r) =>
      r.cwes.map((c) => ({ group: formatCwe(c.cwe), series: modelLabel(r.repairer), rate: c.vulnerable > 0 ? c.fixed / c.vulnerable : 0 })),
    );
    if (points.length > 0) {
      charts.push({
        title: 'Figure 4. One-shot fix rate per CWE (RQ3)',
        caption: 'Share of the vulnerable samples of each CWE (all generators) that the repairer fixed; 100% = fully fixed.',
        svg: await renderChartSvg(cweFixChartSpec(points)),
      });
    }
  }
  return charts;
}

/** One line on LLM use: calls, cache hits, tokens, cost. */
export function costLine(t: ExperimentTables): string {
  const c = t.cost;
  return (
    `${c.calls} LLM calls (${c.cachedCalls} answered from the store${c.failedCalls ? `, ${c.failedCalls} failed` : ''}), ` +
    `${c.inputTokens} input + ${c.outputTokens} output tokens, $${c.costUsd.toFixed(4)}` +
    (c.unpricedCalls ? ` (+${c.unpricedCalls} calls with no known price)` : '')
  );
}

export function renderExperimentMarkdown(t: ExperimentTables): string {
  const parts = [`## ${experimentTitle(t)}`, '', `Status: ${t.status}. ${costLine(t)}.`, ''];
  for (const table of experimentReportTables(t)) parts.push(markdownTable(table));
  if (t.notes.length > 0) {
    parts.push('### Notes', '');
    for (const n of t.notes) parts.push(`- ${n.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}`);
    parts.push('');
  }
  return parts.join('\n');
}

/** One line per cell of Tables 2-5, in the columns `study tables --format csv` uses (no published figures here). */
export function renderExperimentCsv(t: ExperimentTables): string {
  const lines = [CSV_HEADER.join(',')];
  const push = (table: string, row: string, column: string, count: number, total: number, rate: number, ci: Interval | undefined) =>
    lines.push([table, row, column, String(count), String(total), csvNumber(rate), csvNumber(ci?.low), csvNumber(ci?.high), '', ''].map(csvCell).join(','));
  for (const [g, c] of Object.entries(t.table2 ?? {})) push('table2', '', g, c.vulnerable, c.total, c.vulnerable / c.total, t.ci.table2?.[g]);
  for (const [d, row] of Object.entries(t.table3 ?? {})) {
    for (const [g, c] of Object.entries(row)) push('table3', d, g, c.correct, c.total, c.correct / c.total, t.ci.table3?.[d]?.[g]);
  }
  for (const [r, row] of Object.entries(t.table4 ?? {})) {
    for (const [g, c] of Object.entries(row)) push('table4', r, g, c.fixed, c.vulnerable, c.fixed / c.vulnerable, t.ci.table4?.[r]?.[g]);
  }
  for (const [r, row] of Object.entries(t.table5 ?? {})) {
    for (const [g, rate] of Object.entries(row)) {
      const d = t.table5Detail?.[r]?.[g];
      push('table5', r, g, d?.fixed ?? 0, d?.vulnerable ?? 0, rate, t.ci.table5?.[r]?.[g]);
    }
  }
  return lines.join('\n') + '\n';
}
