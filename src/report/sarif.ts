// SARIF 2.1.0 output: one run per scanner, rules with CWE tags, results with locations and code flows.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Finding, FlowStep, Level } from '../core/types.js';
import { formatCwe } from '../core/types.js';
import type { RuleInfo, ScannerInfo, ToolInfo } from '../scanners/metadata.js';
import { sortFindings } from '../scanners/combine.js';
import type { Diagnostic } from '../scanners/types.js';
import { displayPath, lineLookup, type LineLookup, type ReportInput, type ReportRun } from './model.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = 'SRCROOT';
export const FINGERPRINT_KEY = 'secagentLineHash/v1';

export interface SarifOptions {
  /** Tool and rule descriptions per scanner name (e.g. from a scanner's describe()). */
  tools?: Record<string, Partial<ScannerInfo>>;
  /** Artifact URIs are made relative to this folder and based on `SRCROOT`. */
  baseDir?: string;
}

/** SARIF `level` for a severity. */
export function sarifLevel(severity: Level): Sarif.Result.level {
  return severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** GitHub's `security-severity` score bands: high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9. */
export function securitySeverity(severity: Level): string {
  return severity === 'high' ? '8.0' : severity === 'medium' ? '5.5' : '3.0';
}

/** `external/cwe/cwe-089` (CodeQL's form) and `CWE-89`. */
export function cweTags(cwes: readonly number[]): string[] {
  return [
    ...cwes.map((cwe) => `external/cwe/cwe-${String(cwe).padStart(3, '0')}`),
    ...cwes.map((cwe) => formatCwe(cwe)),
  ];
}

export function toSarif(input: ReportInput, options: SarifOptions = {}): Sarif.Log {
  const lines = lineLookup(input.files);
  const runs = input.runs.map((run) => buildRun(run, options, lines));
  for (const failure of input.failures ?? []) {
    runs.push({
      tool: { driver: driverOf(failure.scanner, options.tools?.[failure.scanner]?.tool, []) },
      invocations: [
        {
          executionSuccessful: false,
          toolExecutionNotifications: [{ level: 'error', message: { text: failure.message } }],
        },
      ],
      results: [],
    });
  }
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}

export function toSarifText(input: ReportInput, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(input, options), null, 2)}\n`;
}

function buildRun(run: ReportRun, options: SarifOptions, lines: LineLookup): Sarif.Run {
  const info = options.tools?.[run.scanner];
  const findings = sortFindings(run.result.findings);
  const rules = rulesFor(findings, info?.rules ?? []);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const occurrences = new Map<string, number>();

  const results = findings.map((finding): Sarif.Result => {
    const uri = artifactUri(finding.file, options.baseDir);
    const result: Sarif.Result = {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: sarifLevel(finding.severity),
      message: { text: finding.message },
      locations: [{ physicalLocation: physicalLocation(uri, options.baseDir, regionOf(finding, lines)) }],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding, uri, lines, occurrences) },
      properties: {
        cwe: finding.cwes.map(formatCwe),
        tags: ['security', ...finding.cwes.map(formatCwe)],
        confidence: finding.confidence,
        ...(finding.fixHint ? { fixHint: finding.fixHint } : {}),
      },
    };
    if (finding.flow?.length) result.codeFlows = [codeFlow(finding.flow, uri, options.baseDir, lines, finding.file)];
    return result;
  });

  const sarifRun: Sarif.Run = {
    tool: { driver: driverOf(run.scanner, info?.tool, rules) },
    invocations: [
      {
        executionSuccessful: true,
        toolExecutionNotifications: run.result.diagnostics.map((d) => notification(d, options.baseDir)),
      },
    ],
    results,
    columnKind: 'utf16CodeUnits',
    properties: { suppressedCount: run.result.suppressed, ...(run.durationMs !== undefined ? { durationMs: Math.round(run.durationMs) } : {}) },
  };
  if (options.baseDir) {
    sarifRun.originalUriBaseIds = { [SRCROOT]: { uri: directoryUri(options.baseDir) } };
  }
  return sarifRun;
}

function driverOf(scanner: string, tool: ToolInfo | undefined, rules: Sarif.ReportingDescriptor[]): Sarif.ToolComponent {
  const driver: Sarif.ToolComponent = { name: tool?.name ?? scanner, rules };
  if (tool?.version) driver.version = tool.version;
  if (tool?.informationUri) driver.informationUri = tool.informationUri;
  return driver;
}

/** The rules the findings use: declared metadata where known, else described from the findings. */
function rulesFor(findings: readonly Finding[], declared: readonly RuleInfo[]): Sarif.ReportingDescriptor[] {
  const declaredById = new Map(declared.map((rule) => [rule.id, rule]));
  const used = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = used.get(finding.ruleId) ?? [];
    list.push(finding);
    used.set(finding.ruleId, list);
  }
  return [...used.keys()].sort().map((id) => descriptor(id, declaredById.get(id), used.get(id) ?? []));
}

function descriptor(id: string, rule: RuleInfo | undefined, findings: readonly Finding[]): Sarif.ReportingDescriptor {
  const cwes = [...new Set([...(rule?.cwes ?? []), ...findings.flatMap((f) => f.cwes)])].sort((a, b) => a - b);
  const severity = rule?.severity ?? highest(findings.map((f) => f.severity));
  const short = rule?.shortDescription ?? findings[0]?.message ?? id;
  const help = rule?.help ?? findings.find((f) => f.fixHint)?.fixHint;
  const out: Sarif.ReportingDescriptor = {
    id,
    shortDescription: { text: short },
    fullDescription: { text: rule?.fullDescription ?? short },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { tags: ['security', ...cweTags(cwes)], 'security-severity': securitySeverity(severity) },
  };
  if (rule?.name) out.name = rule.name;
  if (help) out.help = { text: help };
  if (rule?.helpUri) out.helpUri = rule.helpUri;
  return out;
}

function highest(levels: readonly Level[]): Level {
  return levels.includes('high') ? 'high' : levels.includes('medium') ? 'medium' : 'low';
}

interface RegionParts {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  snippet?: string;
}

function regionOf(finding: Finding, lines: LineLookup): RegionParts {
  const startLine = Math.max(1, finding.line);
  const startColumn = Math.max(1, finding.column);
  const endLine = Math.max(startLine, finding.endLine);
  let endColumn = Math.max(1, finding.endColumn);
  if (endLine === startLine) endColumn = Math.max(endColumn, startColumn);
  const snippet = finding.snippet ?? lines(finding.file, startLine);
  return { startLine, startColumn, endLine, endColumn, snippet };
}

function physicalLocation(uri: string, baseDir: string | undefined, region: RegionParts): Sarif.PhysicalLocation {
  const sarifRegion: Sarif.Region = {
    startLine: region.startLine,
    startColumn: region.startColumn,
    endLine: region.endLine,
    endColumn: region.endColumn,
  };
  if (region.snippet !== undefined) sarifRegion.snippet = { text: region.snippet };
  return { artifactLocation: artifactLocation(uri, baseDir), region: sarifRegion };
}

function artifactLocation(uri: string, baseDir: string | undefined): Sarif.ArtifactLocation {
  return baseDir ? { uri, uriBaseId: SRCROOT } : { uri };
}

/** A relative URI reference for a file path: forward slashes, each segment percent-encoded. */
export function artifactUri(file: string, baseDir?: string): string {
  return displayPath(file, baseDir)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function codeFlow(flow: readonly FlowStep[], uri: string, baseDir: string | undefined, lines: LineLookup, file: string): Sarif.CodeFlow {
  return {
    threadFlows: [
      {
        locations: flow.map((step) => {
          const startLine = Math.max(1, step.line);
          const startColumn = Math.max(1, step.column);
          const endLine = Math.max(startLine, step.endLine ?? startLine);
          const region: RegionParts = {
            startLine,
            startColumn,
            endLine,
            endColumn: step.endColumn ?? (endLine === startLine ? startColumn + 1 : 1),
            snippet: lines(file, startLine),
          };
          if (endLine === startLine) region.endColumn = Math.max(region.endColumn, startColumn);
          return { location: { physicalLocation: physicalLocation(uri, baseDir, region), message: { text: step.message } } };
        }),
      },
    ],
  };
}

/** ruleId + file + the trimmed text of the line, with an occurrence count: stable when lines move. */
function fingerprint(finding: Finding, uri: string, lines: LineLookup, seen: Map<string, number>): string {
  const text = (lines(finding.file, finding.line) ?? finding.snippet?.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
  const hash = createHash('sha256').update(`${finding.ruleId}\0${uri}\0${text}`).digest('hex').slice(0, 32);
  const count = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, count);
  return `${hash}:${count}`;
}

function notification(diagnostic: Diagnostic, baseDir: string | undefined): Sarif.Notification {
  const out: Sarif.Notification = { level: 'warning', message: { text: diagnostic.message } };
  if (diagnostic.file !== undefined) {
    const physical: Sarif.PhysicalLocation = { artifactLocation: artifactLocation(artifactUri(diagnostic.file, baseDir), baseDir) };
    if (diagnostic.line !== undefined && diagnostic.line >= 1) physical.region = { startLine: diagnostic.line };
    out.locations = [{ physicalLocation: physical }];
  }
  return out;
}
