// Reports on experiment runs: the tables, charts and per-task drill-down of an rq1-rq4 run
// from the store, or of any other run (the agent's), or of the published artifacts; as one
// self-contained HTML page and/or Markdown.
import { UserError } from '../../core/types.js';
import { renderStudyMarkdown } from '../../report/html-markdown.js';
import { renderStudyHtml } from '../../report/html.js';
import type { StudyReportData } from '../../report/html-types.js';
import { writeTextFile } from '../../report/write-file.js';
import type { Store } from '../../store/store.js';
import type { RejudgedTables } from '../rejudge.js';
import { buildArtifactsReport, buildStoreReport, mergeReports, storeDrillGroup } from '../report.js';
import { cellsOf, experimentOf, requireRun, type Cell } from './common.js';
import { costLine, experimentCharts, experimentReportTables, experimentTitle, modelLabel } from './render.js';
import { tabulateRq1 } from './rq1.js';
import { tabulateRq2 } from './rq2.js';
import { tabulateRq3 } from './rq3.js';
import { tabulateRq4 } from './rq4.js';
import type { Experiment, ExperimentTables } from './types.js';

const TABULATE: Readonly<Record<Experiment, (store: Store, runId: string) => ExperimentTables>> = {
  rq1: tabulateRq1,
  rq2: tabulateRq2,
  rq3: tabulateRq3,
  rq4: tabulateRq4,
};

/** The tables of an experiment run in the store; a run of another kind is a UserError. */
export function tabulateExperiment(store: Store, runId: string): ExperimentTables {
  const run = requireRun(store, runId);
  const experiment = experimentOf(run);
  if (!experiment) throw new UserError(`run "${runId}" is a ${run.kind} run, not an experiment of secagent study (rq1-rq4)`);
  return TABULATE[experiment](store, runId);
}

function cellTitle(experiment: Experiment, cell: Cell): string {
  switch (experiment) {
    case 'rq1':
      return `${modelLabel(cell.generator!)} generating`;
    case 'rq2':
      return `${modelLabel(cell.detector!)} judging ${modelLabel(cell.generator!)}`;
    case 'rq3':
      return `${modelLabel(cell.repairer!)} fixing ${modelLabel(cell.generator!)}`;
    case 'rq4':
      return `${modelLabel(cell.repairer!)} fixing ${modelLabel(cell.generator!)}, run ${cell.run}`;
  }
}

/** Report data of an experiment run: its tables and charts, and each cell's tasks round by round. */
export async function buildExperimentReport(store: Store, runId: string): Promise<StudyReportData> {
  const tables = tabulateExperiment(store, runId);
  const run = store.getRun(runId)!;
  const drilldown = cellsOf(run)
    .filter((cell) => store.getRun(cell.runId))
    .map((cell) => ({ ...storeDrillGroup(store, cell.runId), title: cellTitle(tables.experiment, cell) }));
  return {
    title: experimentTitle(tables),
    intro: [
      `Run ${runId}: ${run.status}, started ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}. ${costLine(tables)}.`,
      `Settings: ${describeSettings(tables.settings)}.`,
    ],
    tables: experimentReportTables(tables),
    notes: tables.notes,
    charts: await experimentCharts(tables),
    drilldown,
  };
}

function describeSettings(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .filter(([key, value]) => value !== null && key !== 'tasks' && key !== 'samples')
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');
}

export interface StudyReportOptions {
  store?: Store;
  /** An experiment run (rq1-rq4) or any other run of the store. */
  runId?: string;
  /** Also (or only) the published artifacts from this folder. */
  artifacts?: string;
  /** Tables 2 and 4 re-judged, shown beside the artifacts' (see rejudgeArtifacts). */
  rejudged?: RejudgedTables;
  judgeName?: string;
  /** Output files; without either, only the data is returned (e.g. to print Markdown). */
  html?: string;
  markdown?: string;
}

export interface StudyReport {
  data: StudyReportData;
  markdown: string;
  written: string[];
}

/** Builds the report of a run and/or the artifacts, writes the files asked for, and returns its Markdown too. */
export async function buildStudyReport(options: StudyReportOptions): Promise<StudyReport> {
  if (!options.runId && !options.artifacts) throw new UserError('report: give a run id or --artifacts <dir>');
  const reports: StudyReportData[] = [];
  if (options.artifacts) {
    reports.push(await buildArtifactsReport(options.artifacts, { rejudged: options.rejudged, judgeName: options.judgeName }));
  }
  if (options.runId) {
    if (!options.store) throw new UserError('report: a run id needs a store');
    const run = requireRun(options.store, options.runId);
    reports.push(experimentOf(run) ? await buildExperimentReport(options.store, options.runId) : await buildStoreReport(options.store, options.runId));
  }
  const data: StudyReportData = { ...mergeReports('secagent report', reports), generatedAt: new Date().toISOString() };
  const written: string[] = [];
  if (options.html) {
    writeTextFile(options.html, renderStudyHtml(data));
    written.push(options.html);
  }
  const markdown = renderStudyMarkdown(data);
  if (options.markdown) {
    writeTextFile(options.markdown, markdown);
    written.push(options.markdown);
  }
  return { data, markdown, written };
}
