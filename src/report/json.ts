// The JSON report: a stable, versioned shape for scripts and CI (documented in FORMATS.md).
import type { Finding, FlowStep, Level } from '../core/types.js';
import { formatCwe } from '../core/types.js';
import { sortFindings } from '../scanners/combine.js';
import type { Diagnostic } from '../scanners/types.js';
import { LEVELS, allFindings, displayPath, type ReportFailure, type ReportInput } from './model.js';

export const JSON_REPORT_FORMAT = 'secagent-report/v1';

export interface JsonFinding {
  scanner: string;
  ruleId: string;
  /** `CWE-89` strings, in the scanner's order; empty when the scanner named none. */
  cwes: string[];
  severity: Level;
  confidence: Level;
  message: string;
  fixHint?: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  snippet?: string;
  flow?: FlowStep[];
}

export interface JsonFileEntry {
  path: string;
  findings: number;
  /** Highest severity among its findings; absent when it has none. */
  highestSeverity?: Level;
}

export interface JsonScannerSummary {
  findings: number;
  suppressed: number;
  diagnostics: number;
  durationMs?: number;
  failed?: string;
}

export interface JsonReport {
  format: typeof JSON_REPORT_FORMAT;
  summary: {
    files: number;
    filesWithFindings: number;
    findings: number;
    suppressed: number;
    diagnostics: number;
    bySeverity: Record<Level, number>;
    /** Findings per CWE (`CWE-89`); a finding with two CWEs counts under both; `none` for no CWE. */
    byCwe: Record<string, number>;
    byScanner: Record<string, JsonScannerSummary>;
  };
  files: JsonFileEntry[];
  findings: JsonFinding[];
  diagnostics: Diagnostic[];
  failures: ReportFailure[];
}

export interface JsonOptions {
  /** Paths are shown relative to this folder. */
  baseDir?: string;
}

export function buildJsonReport(input: ReportInput, options: JsonOptions = {}): JsonReport {
  const findings = sortFindings(allFindings(input));
  const shown = (file: string) => displayPath(file, options.baseDir);

  const bySeverity: Record<Level, number> = { high: 0, medium: 0, low: 0 };
  const byCwe: Record<string, number> = {};
  for (const finding of findings) {
    bySeverity[finding.severity] += 1;
    const keys = finding.cwes.length ? [...new Set(finding.cwes)].map(formatCwe) : ['none'];
    for (const key of keys) byCwe[key] = (byCwe[key] ?? 0) + 1;
  }

  const byScanner: Record<string, JsonScannerSummary> = {};
  for (const run of input.runs) {
    byScanner[run.scanner] = {
      findings: run.result.findings.length,
      suppressed: run.result.suppressed,
      diagnostics: run.result.diagnostics.length,
      ...(run.durationMs !== undefined ? { durationMs: Math.round(run.durationMs) } : {}),
    };
  }
  for (const failure of input.failures ?? []) {
    byScanner[failure.scanner] = { findings: 0, suppressed: 0, diagnostics: 0, failed: failure.message };
  }

  const perFile = new Map<string, Finding[]>();
  for (const finding of findings) perFile.set(finding.file, [...(perFile.get(finding.file) ?? []), finding]);
  const files: JsonFileEntry[] = input.files.map((file) => {
    const own = perFile.get(file.path) ?? [];
    const entry: JsonFileEntry = { path: shown(file.path), findings: own.length };
    const highest = LEVELS.find((level) => own.some((f) => f.severity === level));
    if (highest) entry.highestSeverity = highest;
    return entry;
  });
  const diagnostics = input.runs.flatMap((run) => run.result.diagnostics).map((d) => (d.file ? { ...d, file: shown(d.file) } : d));

  return {
    format: JSON_REPORT_FORMAT,
    summary: {
      files: input.files.length,
      filesWithFindings: perFile.size,
      findings: findings.length,
      suppressed: input.runs.reduce((sum, run) => sum + run.result.suppressed, 0),
      diagnostics: diagnostics.length,
      bySeverity,
      byCwe: Object.fromEntries(Object.entries(byCwe).sort(([a], [b]) => cweOrder(a) - cweOrder(b))),
      byScanner,
    },
    files,
    findings: findings.map((finding) => toJsonFinding(finding, shown(finding.file))),
    diagnostics,
    failures: input.failures ?? [],
  };
}

export function toJson(input: ReportInput, options: JsonOptions = {}): string {
  return `${JSON.stringify(buildJsonReport(input, options), null, 2)}\n`;
}

function toJsonFinding(finding: Finding, file: string): JsonFinding {
  const out: JsonFinding = {
    scanner: finding.scanner,
    ruleId: finding.ruleId,
    cwes: finding.cwes.map(formatCwe),
    severity: finding.severity,
    confidence: finding.confidence,
    message: finding.message,
    file,
    line: finding.line,
    column: finding.column,
    endLine: finding.endLine,
    endColumn: finding.endColumn,
  };
  if (finding.fixHint !== undefined) out.fixHint = finding.fixHint;
  if (finding.snippet !== undefined) out.snippet = finding.snippet;
  if (finding.flow?.length) out.flow = finding.flow;
  return out;
}

function cweOrder(key: string): number {
  const n = Number(key.replace(/^CWE-/, ''));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
