// One function per CLI command of the study harness's data side; the CLI only parses
// arguments and prints.
import { UserError } from '../core/types.js';
import { renderStudyMarkdown } from '../report/html-markdown.js';
import { renderStudyHtml } from '../report/html.js';
import type { StudyReportData } from '../report/html-types.js';
import { writeTextFile } from '../report/write-file.js';
import { openStore, type Store } from '../store/index.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import { TABLE_FORMATS, renderTables, unknownFormatError, type TablesFormat } from './render.js';
import type { RejudgedTables } from './rejudge.js';
import { buildArtifactsReport, buildStoreReport, mergeReports } from './report.js';
import { computeStudyTables } from './tables.js';

export interface StudyTablesOptions {
  /** The artifacts folder; default `../shared/datasets/llmsecurecode` beside the repository. */
  artifacts?: string;
  format?: TablesFormat | string;
}

/** `secagent study tables`: Tables 2-5 from the published artifacts, as JSON, Markdown or CSV. */
export function studyTables({ artifacts, format = 'json' }: StudyTablesOptions = {}): string {
  if (!TABLE_FORMATS.includes(format as TablesFormat)) {
    throw unknownFormatError(format);
  }
  return renderTables(computeStudyTables(artifacts ?? studyArtifactsDir()), format as TablesFormat);
}

export interface WriteReportOptions {
  /** Report on the published artifacts from this folder. */
  artifacts?: string;
  /** A store (or its file) holding the run to report on; needs runId. */
  store?: Store | string;
  runId?: string;
  /** Output paths; at least one. */
  html?: string;
  markdown?: string;
  /** Tables 2 and 4 re-judged (rejudgeArtifacts), shown beside the study's. */
  rejudged?: RejudgedTables;
  judgeName?: string;
  /** Drill down into every RQ4 run, not only those that kept each round's code. */
  allRuns?: boolean;
}

export interface WrittenReport {
  html?: string;
  markdown?: string;
  data: StudyReportData;
}

/** `secagent report`: writes the HTML and/or Markdown report; returns the paths written and the data. */
export async function writeReport(options: WriteReportOptions): Promise<WrittenReport> {
  if (!options.html && !options.markdown) throw new UserError('report: give an --html and/or --markdown output path');
  if (!options.artifacts && !options.store) throw new UserError('report: give the study artifacts folder and/or a store with a run id');
  if (options.store && !options.runId) throw new UserError('report: a store needs a run id');

  const reports: StudyReportData[] = [];
  if (options.artifacts) {
    reports.push(
      await buildArtifactsReport(options.artifacts, { rejudged: options.rejudged, judgeName: options.judgeName, allRuns: options.allRuns }),
    );
  }
  if (options.store && options.runId) {
    const ownStore = typeof options.store === 'string';
    const store = typeof options.store === 'string' ? openStore(options.store) : options.store;
    try {
      reports.push(await buildStoreReport(store, options.runId));
    } finally {
      if (ownStore) store.close();
    }
  }
  const data = { ...mergeReports('secagent report', reports), generatedAt: new Date().toISOString() };
  const written: WrittenReport = { data };
  if (options.html) {
    writeTextFile(options.html, renderStudyHtml(data));
    written.html = options.html;
  }
  if (options.markdown) {
    writeTextFile(options.markdown, renderStudyMarkdown(data));
    written.markdown = options.markdown;
  }
  return written;
}
