// Reading SARIF 2.1.0 written by other tools (CodeQL, Semgrep) into Findings.
import type * as Sarif from 'sarif';
import type { Finding, FlowStep, Level } from '../core/types.js';
import { ScannerError } from './process.js';
import { findingSpan } from './source-lines.js';
import type { Diagnostic, ScanResult, SourceFile } from './types.js';

export interface SarifReadOptions {
  /** The Finding.scanner and Diagnostic.scanner value. */
  scanner: string;
  /** The batch file an artifact URI (as the tool wrote it) refers to. */
  lookup(uri: string): SourceFile | undefined;
}

/** CWE numbers in rule tags: `external/cwe/cwe-089` (CodeQL), `CWE-89: Improper …` (Semgrep), `CWE-89`. */
export function cwesFromTags(tags: readonly unknown[] | undefined): number[] {
  const found = new Set<number>();
  for (const tag of tags ?? []) {
    if (typeof tag !== 'string') continue;
    const m = /^(?:external\/cwe\/)?cwe-0*(\d+)\b/i.exec(tag.trim());
    if (m) found.add(Number(m[1]));
  }
  return [...found];
}

/** `security-severity` (CVSS-like score) or SARIF level → Level. */
export function levelOfSarif(securitySeverity: unknown, level: Sarif.Result.level | undefined): Level {
  const score = typeof securitySeverity === 'string' || typeof securitySeverity === 'number' ? Number(securitySeverity) : NaN;
  if (Number.isFinite(score)) return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (level === 'error') return 'high';
  if (level === 'warning' || level === undefined) return 'medium';
  return 'low';
}

export function readSarif(input: string | Sarif.Log, options: SarifReadOptions): ScanResult {
  let log: Sarif.Log;
  if (typeof input === 'string') {
    try {
      log = JSON.parse(input) as Sarif.Log;
    } catch (error) {
      throw new ScannerError(options.scanner, `SARIF output is not JSON: ${(error as Error).message}`, { cause: error });
    }
  } else {
    log = input;
  }
  if (!log || !Array.isArray(log.runs)) throw new ScannerError(options.scanner, 'SARIF output has no runs');

  const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
  for (const run of log.runs) readRun(run, options, result);
  return result;
}

function readRun(run: Sarif.Run, options: SarifReadOptions, out: ScanResult): void {
  for (const sarifResult of run.results ?? []) {
    if (sarifResult.kind && sarifResult.kind !== 'fail') continue;
    if (sarifResult.suppressions?.some((s) => s.status !== 'rejected')) {
      out.suppressed += 1;
      continue;
    }
    const rule = ruleOf(run, sarifResult);
    const ruleId = sarifResult.ruleId ?? sarifResult.rule?.id ?? rule?.id ?? 'unknown';
    const physical = sarifResult.locations?.[0]?.physicalLocation;
    const uri = physical ? uriOf(run, physical.artifactLocation) : undefined;
    const source = uri !== undefined ? options.lookup(uri) : undefined;
    if (!source) {
      out.diagnostics.push({
        scanner: options.scanner,
        message: `${ruleId} result for ${uri === undefined ? 'no file' : `unknown file ${uri}`} ignored`,
      });
      continue;
    }
    out.findings.push(toFinding(run, sarifResult, rule, ruleId, source, physical?.region, options));
  }
  for (const invocation of run.invocations ?? []) {
    const notifications = [
      ...(invocation.toolExecutionNotifications ?? []),
      ...(invocation.toolConfigurationNotifications ?? []),
    ];
    for (const notification of notifications) {
      const diagnostic = toDiagnostic(run, notification, options);
      if (diagnostic) out.diagnostics.push(diagnostic);
    }
  }
}

function toFinding(
  run: Sarif.Run,
  result: Sarif.Result,
  rule: Sarif.ReportingDescriptor | undefined,
  ruleId: string,
  source: SourceFile,
  region: Sarif.Region | undefined,
  options: SarifReadOptions,
): Finding {
  const line = region?.startLine ?? 1;
  const endLine = Math.max(line, region?.endLine ?? line);
  // Without a start line the result is about the file: column 1, not line 1's first non-blank.
  const column = region?.startColumn ?? (region?.startLine ? undefined : 1);
  const cwes = cwesFromTags([
    ...((rule?.properties?.tags as unknown[]) ?? []),
    ...((result.properties?.tags as unknown[]) ?? []),
    ...((result.properties?.cwe as unknown[]) ?? []),
  ]);
  const finding: Finding = {
    scanner: options.scanner,
    ruleId,
    cwes,
    severity: levelOfSarif(
      rule?.properties?.['security-severity'],
      result.level ?? rule?.defaultConfiguration?.level,
    ),
    confidence: confidenceOf(rule?.properties?.precision),
    message: messageText(result.message, rule) || rule?.shortDescription?.text || ruleId,
    file: source.path,
    ...findingSpan(source.content, line, endLine, column, region?.endColumn),
  };
  const fixHint = fixHintOf(rule);
  if (fixHint) finding.fixHint = fixHint;
  const flow = flowOf(run, result, options, source);
  if (flow.length > 0) finding.flow = flow;
  return finding;
}

function ruleOf(run: Sarif.Run, result: Sarif.Result): Sarif.ReportingDescriptor | undefined {
  const reference = result.rule;
  const componentIndex = reference?.toolComponent?.index;
  if (componentIndex !== undefined && reference?.index !== undefined) {
    const rule = run.tool.extensions?.[componentIndex]?.rules?.[reference.index];
    if (rule) return rule;
  }
  const index = result.ruleIndex ?? (componentIndex === undefined ? reference?.index : undefined);
  if (index !== undefined && run.tool.driver.rules?.[index]) return run.tool.driver.rules[index];
  const id = result.ruleId ?? reference?.id;
  if (id === undefined) return undefined;
  const all = [...(run.tool.driver.rules ?? []), ...(run.tool.extensions ?? []).flatMap((e) => e.rules ?? [])];
  return all.find((rule) => rule.id === id);
}

function uriOf(run: Sarif.Run, location: Sarif.ArtifactLocation | undefined): string | undefined {
  if (!location) return undefined;
  const uri = location.uri ?? (location.index !== undefined ? run.artifacts?.[location.index]?.location?.uri : undefined);
  return uri === undefined ? undefined : safeDecodeUri(uri);
}

function safeDecodeUri(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

/** The message with `{0}` placeholders filled and markdown links `[text](1)` reduced to their text. */
function messageText(message: Sarif.Message, rule: Sarif.ReportingDescriptor | undefined): string {
  let text = message.text ?? (message.id ? rule?.messageStrings?.[message.id]?.text : undefined) ?? '';
  const args = message.arguments ?? [];
  text = text.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
  return text.replace(/\[([^\]]*)\]\(\d+\)/g, '$1').trim();
}

function confidenceOf(precision: unknown): Level {
  if (precision === 'very-high' || precision === 'high') return 'high';
  if (precision === 'low') return 'low';
  return 'medium';
}

/** The rule's "Recommendation" paragraph (CodeQL help), else its help text when short. */
function fixHintOf(rule: Sarif.ReportingDescriptor | undefined): string | undefined {
  const help = rule?.help?.markdown ?? rule?.help?.text;
  if (help) {
    const m = /^#+\s*Recommendation\s*$([\s\S]*?)(?=^#+\s|$(?![\s\S]))/im.exec(help);
    const section = m?.[1]?.trim();
    if (section) return firstParagraphs(section, 600);
    if (help.length <= 600) return help.trim();
  }
  const full = rule?.fullDescription?.text;
  return full && full.length <= 600 ? full.trim() : undefined;
}

function firstParagraphs(text: string, maxChars: number): string {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
  let out = '';
  for (const paragraph of paragraphs) {
    if (out && out.length + paragraph.length > maxChars) break;
    out = out ? `${out}\n${paragraph}` : paragraph;
  }
  return out.length > maxChars ? `${out.slice(0, maxChars - 1)}…` : out;
}

function flowOf(run: Sarif.Run, result: Sarif.Result, options: SarifReadOptions, source: SourceFile): FlowStep[] {
  const steps = result.codeFlows?.[0]?.threadFlows?.[0]?.locations ?? [];
  const flow: FlowStep[] = [];
  for (const step of steps) {
    const physical = step.location?.physicalLocation;
    const region = physical?.region;
    if (!region?.startLine) continue;
    const uri = uriOf(run, physical?.artifactLocation);
    if (uri !== undefined && options.lookup(uri)?.path !== source.path) continue;
    flow.push({
      line: region.startLine,
      column: region.startColumn ?? 1,
      ...(region.endLine !== undefined ? { endLine: region.endLine } : {}),
      ...(region.endColumn !== undefined ? { endColumn: region.endColumn } : {}),
      message: step.location?.message?.text ?? '',
    });
  }
  return flow;
}

function toDiagnostic(run: Sarif.Run, notification: Sarif.Notification, options: SarifReadOptions): Diagnostic | undefined {
  const level = notification.level ?? 'warning';
  if (level !== 'error' && level !== 'warning') return undefined;
  const physical = notification.locations?.[0]?.physicalLocation;
  const uri = physical ? uriOf(run, physical.artifactLocation) : undefined;
  const source = uri !== undefined ? options.lookup(uri) : undefined;
  const diagnostic: Diagnostic = {
    scanner: options.scanner,
    message: notification.message.text ?? notification.descriptor?.id ?? 'tool notification',
  };
  if (source) diagnostic.file = source.path;
  if (physical?.region?.startLine) diagnostic.line = physical.region.startLine;
  return diagnostic;
}
