// The human-readable report: one line per finding, its code line and fix hint, then a summary.
import type { Finding, Level } from '../core/types.js';
import { formatCwe } from '../core/types.js';
import { sortFindings } from '../scanners/combine.js';
import { allFindings, displayPath, lineLookup, type ReportInput } from './model.js';

export interface TextOptions {
  /** ANSI colors; only when asked (e.g. stdout is a terminal and NO_COLOR is unset). */
  color?: boolean;
  /** Show the code line under each finding. Default true. */
  showCode?: boolean;
  /** Show the fix hint under each finding. Default true. */
  showHints?: boolean;
  baseDir?: string;
}

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m' };
const SEVERITY_COLOR: Record<Level, string> = { high: ANSI.red, medium: ANSI.yellow, low: ANSI.cyan };

export function toText(input: ReportInput, options: TextOptions = {}): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const lines = lineLookup(input.files);
  const findings = sortFindings(allFindings(input));
  const out: string[] = [];

  for (const finding of findings) {
    const where = `${displayPath(finding.file, options.baseDir)}:${finding.line}:${finding.column}`;
    out.push(
      [
        paint(ANSI.bold, where),
        paint(SEVERITY_COLOR[finding.severity], finding.severity.padEnd(6)),
        finding.ruleId,
        cweLabel(finding),
        `${finding.message} [${finding.scanner}]`,
      ].join('  '),
    );
    if (options.showCode !== false) {
      const code = lines(finding.file, finding.line) ?? finding.snippet?.split('\n')[0];
      if (code !== undefined) out.push(paint(ANSI.dim, `    ${String(finding.line).padStart(4)} | ${code}`));
    }
    if (options.showHints !== false && finding.fixHint) out.push(`           fix: ${finding.fixHint}`);
  }

  const diagnostics = input.runs.flatMap((run) => run.result.diagnostics);
  if (diagnostics.length > 0) {
    if (out.length > 0) out.push('');
    for (const d of diagnostics) {
      const where = d.file ? `${displayPath(d.file, options.baseDir)}${d.line ? `:${d.line}` : ''}` : '(no file)';
      out.push(`${paint(ANSI.bold, where)}  ${paint(ANSI.dim, 'note')}  ${d.scanner}  ${d.message}`);
    }
  }
  for (const failure of input.failures ?? []) {
    out.push(paint(ANSI.red, `scanner ${failure.scanner} failed: ${failure.message}`));
  }

  if (out.length > 0) out.push('');
  out.push(summaryLine(input, findings));
  return `${out.join('\n')}\n`;
}

/** "N findings in M files (k suppressed)", M counting files with findings. */
export function summaryLine(input: ReportInput, findings: readonly Finding[] = allFindings(input)): string {
  const files = new Set(findings.map((f) => f.file)).size;
  const suppressed = input.runs.reduce((sum, run) => sum + run.result.suppressed, 0);
  return `${plural(findings.length, 'finding')} in ${plural(files, 'file')} (${suppressed} suppressed)`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function cweLabel(finding: Finding): string {
  return finding.cwes.length ? finding.cwes.map(formatCwe).join(',') : 'CWE-?';
}
