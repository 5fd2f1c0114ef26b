// The study's experiments (RQ1-RQ4) on any models, resumable from the store, with tables in
// the shapes of the published ones; and the published tables re-judged by secagent's scanners.
export * from './types.js';
export {
  CodeJudge,
  SCAN_JUDGE,
  TRUTH_JUDGE,
  cellRunId,
  cellsOf,
  costOfRuns,
  experimentOf,
  type Cell,
  type CodeVerdict,
  type ExperimentBase,
} from './common.js';
export {
  readTruthLabels,
  sampleCount,
  samplesFromArtifacts,
  samplesFromRq1Run,
  withLabels,
  withScannerTruth,
  type SampleFilter,
  type SampleSource,
  type SourceGenerator,
  type SourceSample,
  type TruthLabels,
} from './samples.js';
export { runRq1, tabulateRq1, DEFAULT_MAX_ASKS, type Rq1Options } from './rq1.js';
export { runRq2, tabulateRq2, SCANNER_DETECTOR_PREFIX, type Rq2Options } from './rq2.js';
export { runRq3, tabulateRq3, type Rq3Options } from './rq3.js';
export { runRq4, tabulateRq4, roundLabels, vulnerableAfterRounds, DEFAULT_RQ4_ITERATIONS, DEFAULT_RQ4_RUNS, type Rq4Options } from './rq4.js';
export {
  costLine,
  experimentCharts,
  experimentReportTables,
  experimentTitle,
  modelLabel,
  renderExperiment,
  renderExperimentCsv,
  renderExperimentJson,
  renderExperimentMarkdown,
} from './render.js';
export { buildExperimentReport, buildStudyReport, tabulateExperiment, type StudyReport, type StudyReportOptions } from './report.js';
export { rejudgeWithScanners, renderTablesWithRejudged, type Agreement, type Rejudged, type RejudgeOptions } from './rejudge-tables.js';
