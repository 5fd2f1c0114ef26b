// Running several scanners on one batch, merging their results, and the verdict rule.
import type { Finding } from '../core/types.js';
import { cweMatches as hierarchyMatches } from '../cwe/index.js';
import type { Diagnostic, ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';

export interface ScannerRun {
  scanner: string;
  result: ScanResult;
  durationMs: number;
}

export interface ScannerFailure {
  scanner: string;
  message: string;
}

export interface CombinedScanResult extends ScanResult {
  /** Each scanner's own result (after de-duplication), in the order the scanners were given. */
  runs: ScannerRun[];
  /** Scanners that failed (only with `onScannerError: 'record'`). */
  failures: ScannerFailure[];
}

export interface ScanAllOptions extends ScanOptions {
  /**
   * `throw` (default): a failing scanner fails the whole scan, so no sample is called secure
   * by a scanner that never ran. `record`: keep the others' results and list the failure.
   */
  onScannerError?: 'throw' | 'record';
}

/** Runs every scanner on the batch in parallel and merges findings, diagnostics and suppression counts. */
export async function scanAll(scanners: readonly Scanner[], files: SourceFile[], options: ScanAllOptions = {}): Promise<CombinedScanResult> {
  const settled = await Promise.allSettled(
    scanners.map(async (scanner): Promise<ScannerRun> => {
      const started = performance.now();
      const result = await scanner.scan(files, { signal: options.signal });
      return {
        scanner: scanner.name,
        result: { ...result, findings: sortFindings(dedupeFindings(result.findings)) },
        durationMs: performance.now() - started,
      };
    }),
  );

  const runs: ScannerRun[] = [];
  const failures: ScannerFailure[] = [];
  for (const [index, outcome] of settled.entries()) {
    if (outcome.status === 'fulfilled') {
      runs.push(outcome.value);
      continue;
    }
    const reason: unknown = outcome.reason;
    if (options.signal?.aborted || options.onScannerError !== 'record') throw reason;
    failures.push({ scanner: scanners[index].name, message: reason instanceof Error ? reason.message : String(reason) });
  }

  const findings = sortFindings(runs.flatMap((run) => run.result.findings));
  const diagnostics: Diagnostic[] = [
    ...runs.flatMap((run) => run.result.diagnostics),
    ...failures.map((failure) => ({ scanner: failure.scanner, message: `scanner failed: ${failure.message}` })),
  ];
  const suppressed = runs.reduce((sum, run) => sum + run.result.suppressed, 0);
  return { findings, diagnostics, suppressed, runs, failures };
}

/** Drops repeats of the same scanner, rule, file and line (first one kept). */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = JSON.stringify([finding.scanner, finding.ruleId, finding.file, finding.line]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** By file, line, column, then scanner and rule: a stable order for reports. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compareText(a.scanner, b.scanner) ||
      compareText(a.ruleId, b.ruleId),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type VerdictPolicy = 'any' | 'task-cwe';
export const VERDICT_POLICIES: readonly VerdictPolicy[] = ['any', 'task-cwe'];

export interface VerdictOptions {
  /** `any`: the study's rule, any finding from any scanner. `task-cwe`: only findings of the task's CWE. */
  policy: VerdictPolicy;
  /** The task's CWE; without it `task-cwe` falls back to `any`. */
  taskCwe?: number;
  /** CWE matching along the hierarchy; default cweMatches from src/cwe (same, parent or child). */
  cweMatches?: (a: number, b: number) => boolean;
}

/** The findings that decide the verdict under the policy. */
export function countedFindings(findings: readonly Finding[], options: VerdictOptions): Finding[] {
  if (options.policy === 'any' || options.taskCwe === undefined) return [...findings];
  const matches = options.cweMatches ?? ((a: number, b: number) => hierarchyMatches(a, b));
  const taskCwe = options.taskCwe;
  return findings.filter((finding) => finding.cwes.some((cwe) => matches(cwe, taskCwe)));
}

export function isVulnerable(findings: readonly Finding[], options: VerdictOptions): boolean {
  return countedFindings(findings, options).length > 0;
}
