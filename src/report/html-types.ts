// The input of the HTML and Markdown study reports: formatted tables, rendered charts and a
// per-task drill-down. Both the published artifacts (RQ4 codeSpace) and the agent's own runs
// from the store map onto it.

/** A table ready for layout: header cells and rows of already formatted text. */
export interface ReportTable {
  title: string;
  caption?: string;
  header: string[];
  rows: string[][];
}

export interface ReportChart {
  title: string;
  /** SVG markup rendered by Vega (see charts.ts); inlined as is. */
  svg: string;
  caption?: string;
  /** The chart's numbers, shown in the Markdown report in its place. */
  data?: ReportTable;
}

export interface DrillFinding {
  message: string;
  cwes: number[];
  ruleId?: string;
  scanner?: string;
  /** 1-based; absent when the source gives no location (the study's logs). */
  line?: number;
  severity?: string;
}

/** One version of a task's code and what the scanners found in it. */
export interface DrillRound {
  /** 0 = first generated, K = after repair round K. */
  round: number;
  /** Shown beside the round number, e.g. `patched`, `fixed2`, `iter3.txt`. */
  label?: string;
  /** Absent when the source kept findings but not the code of that round. */
  code?: string;
  findings: DrillFinding[];
}

export interface DrillTask {
  taskId: string;
  cwe?: number;
  /** e.g. `secure`, `vulnerable`, `fixed in round 2`. */
  status?: string;
  rounds: DrillRound[];
}

export interface DrillGroup {
  /** e.g. a run: `GPT-4 fixing GPT-3.5, run 1`. */
  title: string;
  summary?: string;
  tasks: DrillTask[];
}

export interface StudyReportData {
  title: string;
  /** Paragraphs of plain text under the title. */
  intro?: string[];
  tables: ReportTable[];
  /** Where the figures differ from the published ones. */
  notes: string[];
  /** Irregularities in the source data. */
  dataIssues?: string[];
  charts: ReportChart[];
  drilldown: DrillGroup[];
  /** ISO time shown in the footer; omitted when absent (keeps output reproducible). */
  generatedAt?: string;
}
