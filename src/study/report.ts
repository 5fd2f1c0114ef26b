// Builds the report data (tables, charts, drill-down) from the published artifacts and/or a
// run in the store, ready for renderStudyHtml / renderStudyMarkdown.
import { formatCwe } from '../core/types.js';
import { cweFixChartSpec, falsePositiveChartSpec, renderChartSvg, roundsChartSpec, type RatePoint, type RoundPoint } from '../report/charts.js';
import type { DrillGroup, DrillRound, ReportChart, ReportTable, StudyReportData } from '../report/html-types.js';
import type { Store } from '../store/index.js';
import { RQ4_ROUNDS } from './artifacts.js';
import { requireRun } from './experiments/common.js';
import { rq4DrillGroups, type Rq4DrillOptions } from './drilldown.js';
import { GENERATORS } from './labels.js';
import { MODEL_LABEL, ratio, studyReportTables } from './render.js';
import type { RejudgedTables } from './rejudge.js';
import { computeStudyTables, type StudyTables } from './tables.js';

export interface ArtifactsReportOptions extends Rq4DrillOptions {
  /** Tables 2 and 4 recomputed with another judge (rejudgeArtifacts), shown beside the study's. */
  rejudged?: RejudgedTables;
  /** Name of that judge, e.g. `secagent analyzer`. */
  judgeName?: string;
}

/** Report data for the published artifacts: Tables 2-5, Figures 3, 4, 6 and the RQ4 drill-down. */
export async function buildArtifactsReport(root: string, options: ArtifactsReportOptions = {}): Promise<StudyReportData> {
  const tables = computeStudyTables(root);
  const reportTables = studyReportTables(tables);
  if (options.rejudged) reportTables.push(...rejudgedTables(tables, options.rejudged, options.judgeName ?? 'the given judge'));
  return {
    title: 'EASE 2025 study: LLMs as end-to-end secure code agents for Python',
    intro: [
      'Tables 2-5 and Figures 3, 4 and 6 recomputed from the published LLMSecureCode artifacts (SecurityEval, 121 tasks). ' +
        'Intervals are Wilson 95% score intervals.',
    ],
    tables: reportTables,
    notes: tables.notes.map((n) => n.text),
    dataIssues: tables.dataIssues,
    charts: await studyCharts(tables),
    drilldown: rq4DrillGroups(root, options),
  };
}

/** Figures 6, 3 and 4 as SVG (their numbers are in studyReportTables; Figure 4 adds the list of fully fixed CWEs). */
export async function studyCharts(t: StudyTables): Promise<ReportChart[]> {
  const roundPoints: RoundPoint[] = [];
  for (const s of t.figure6) {
    const series = `${MODEL_LABEL[s.repairer]} fixing ${MODEL_LABEL[s.generator]}`;
    for (const round of RQ4_ROUNDS) {
      roundPoints.push({ series, round, vulnerable: s.mean[round] });
      for (const run of s.runs) roundPoints.push({ series, round, vulnerable: run.counts[round], run: `${series} #${run.run}` });
    }
  }
  const fpPoints: RatePoint[] = t.figure3
    .filter((c) => c.fp + c.tn > 0)
    .map((c) => ({ group: MODEL_LABEL[c.generator], series: MODEL_LABEL[c.detector], rate: c.rate, low: c.ci.low, high: c.ci.high }));
  const fixPoints: RatePoint[] = t.figure4.flatMap((r) =>
    r.cwes.map((c) => ({ group: formatCwe(c.cwe), series: MODEL_LABEL[r.repairer], rate: c.fixed / c.vulnerable })),
  );

  return [
    {
      title: 'Figure 6. Vulnerable files per round of iterative repair (RQ4)',
      caption: 'Bold: mean over the 5 runs of a setup; thin: the individual runs. iter1 scans the generated code, final the code after the 5th repair.',
      svg: await renderChartSvg(roundsChartSpec(roundPoints, RQ4_ROUNDS, 'Vulnerable files per round')),
    },
    {
      title: 'Figure 3. False-positive rate of LLM self-review (RQ2)',
      caption: 'FP / (FP + TN) against the RQ1 labels, with Wilson 95% intervals.',
      svg: await renderChartSvg(falsePositiveChartSpec(fpPoints)),
    },
    {
      title: 'Figure 4. One-shot fix rate per CWE (RQ3)',
      caption: 'Share of the RQ1-vulnerable samples of each CWE (all four generators) that the repairer fixed; 100% = fully fixed.',
      svg: await renderChartSvg(cweFixChartSpec(fixPoints)),
      data: {
        title: 'Figure 4',
        header: ['Repairer', 'CWEs fully fixed', 'CWEs'],
        rows: t.figure4.map((r) => [MODEL_LABEL[r.repairer], r.fullyFixed.map(formatCwe).join(' '), String(r.cwes.length)]),
      },
    },
  ];
}

/** Tables 2 and 4 re-judged, each beside the study's figures. */
export function rejudgedTables(t: StudyTables, r: RejudgedTables, judge: string): ReportTable[] {
  const columns = GENERATORS.map((g) => MODEL_LABEL[g]);
  const two: ReportTable = {
    title: `Table 2 re-judged: vulnerable samples by ${judge} vs. the study`,
    header: ['Judge', ...columns],
    rows: [
      ['Study (manual + CodeQL + Bandit)', ...GENERATORS.map((g) => cellText(t.table2[g]?.vulnerable, t.table2[g]?.total))],
      [judge, ...GENERATORS.map((g) => cellText(r.table2[g]?.vulnerable, r.table2[g]?.total))],
    ],
  };
  const four: ReportTable = {
    title: `Table 4 re-judged: one-shot repairs ${judge} finds fixed vs. the study`,
    caption: 'Of the study\'s repair set (its RQ1-vulnerable samples); in parentheses, of those the judge also finds vulnerable before repair.',
    header: ['Repairer', 'Judge', ...columns],
    rows: Object.keys(t.table4).flatMap((rep) => {
      const key = rep as keyof typeof t.table4;
      return [
        [MODEL_LABEL[key], 'Study', ...GENERATORS.map((g) => cellText(t.table4[key]?.[g]?.fixed, t.table4[key]?.[g]?.vulnerable))],
        [
          MODEL_LABEL[key],
          judge,
          ...GENERATORS.map((g) => {
            const all = r.table4[key]?.[g];
            const base = r.table4JudgeBase[key]?.[g];
            return `${cellText(all?.fixed, all?.vulnerable)} (${base ? `${base.fixed}/${base.vulnerable}` : '—'})`;
          }),
        ],
      ];
    }),
  };
  return [two, four];
}

function cellText(k: number | undefined, n: number | undefined): string {
  return k === undefined || n === undefined ? '—' : ratio(k, n);
}

// ---------------------------------------------------------------- a run from the store

/** Report data for one run of the store: status counts, vulnerable samples per round, drill-down. */
export async function buildStoreReport(store: Store, runId: string): Promise<StudyReportData> {
  const run = requireRun(store, runId);
  const group = storeDrillGroup(store, runId);
  const counts = store.taskCounts(runId);

  const maxRound = Math.max(0, ...group.tasks.flatMap((t) => t.rounds.map((r) => r.round)));
  const perRound: { round: string; vulnerable: number; samples: number }[] = [];
  for (let round = 0; round <= maxRound; round++) {
    // A task that stopped early keeps the verdict of its last round in later rounds.
    let vulnerable = 0;
    let samples = 0;
    for (const t of group.tasks) {
      const last = lastRoundUpTo(t.rounds, round);
      if (!last) continue;
      samples++;
      if (last.findings.length > 0) vulnerable++;
    }
    perRound.push({ round: `round ${round}`, vulnerable, samples });
  }
  const roundNames = perRound.map((p) => p.round);
  const chart: ReportChart = {
    title: 'Vulnerable tasks per round',
    caption: 'Tasks whose latest code at that round has at least one finding.',
    svg: await renderChartSvg(roundsChartSpec(perRound.map((p) => ({ series: runId, round: p.round, vulnerable: p.vulnerable })), roundNames, 'Vulnerable tasks per round')),
    data: { title: 'Vulnerable tasks per round', header: ['Round', 'Vulnerable', 'Tasks'], rows: perRound.map((p) => [p.round, String(p.vulnerable), String(p.samples)]) },
  };
  return {
    title: `secagent run ${runId}`,
    intro: [`Run kind ${run.kind}, status ${run.status}, started ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}.`],
    tables: [
      {
        title: 'Tasks by status',
        header: ['Status', 'Tasks'],
        rows: (Object.entries(counts) as [string, number][]).map(([status, n]) => [status, String(n)]),
      },
    ],
    notes: [],
    charts: [chart],
    drilldown: [group],
  };
}

function lastRoundUpTo(rounds: DrillRound[], round: number): DrillRound | undefined {
  let last: DrillRound | undefined;
  for (const r of rounds) if (r.round <= round) last = r;
  return last;
}

/** A store run as one drill-down group: every task with its samples by round and their findings. */
export function storeDrillGroup(store: Store, runId: string): DrillGroup {
  const tasks = store.listTasks(runId).map((task) => {
    const rounds: DrillRound[] = store.listSamples(runId, task.taskId).map((s) => ({
      round: s.round,
      label: s.model,
      code: s.code,
      findings: store.getFindings(s.id).map((f) => ({
        cwes: f.cwes,
        message: f.message,
        ruleId: f.ruleId,
        scanner: f.scanner,
        ...(f.line > 0 ? { line: f.line } : {}),
        severity: f.severity,
      })),
    }));
    return {
      taskId: task.taskId,
      ...(task.cwe !== undefined ? { cwe: task.cwe } : {}),
      status: task.status + (task.reason ? ` (${task.reason})` : ''),
      rounds,
    };
  });
  return { title: `Run ${runId}`, summary: `${tasks.length} tasks`, tasks };
}

/** Puts several reports on one page (e.g. the study's and a run of the agent). */
export function mergeReports(title: string, reports: StudyReportData[]): StudyReportData {
  if (reports.length === 1) return reports[0];
  return {
    title,
    intro: reports.flatMap((r) => [r.title, ...(r.intro ?? [])]),
    tables: reports.flatMap((r) => r.tables),
    notes: reports.flatMap((r) => r.notes),
    dataIssues: reports.flatMap((r) => r.dataIssues ?? []),
    charts: reports.flatMap((r) => r.charts),
    drilldown: reports.flatMap((r) => r.drilldown),
  };
}
