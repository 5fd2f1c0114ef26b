// The text form of an eval report.
import type { EvalReport, GroupSummary, Issue } from './score.js';

const pct = (x: number | null) => (x === null ? '   n/a' : (x * 100).toFixed(1).padStart(5) + '%');
const fixed = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

function table(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) =>
    r
      .map((cell, i) => (i === 0 || header[i] === 'name' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function groupRows(groups: GroupSummary[]): (string | number)[][] {
  return groups.map((g) => [
    g.group,
    g.samples,
    g.confusion.tp,
    g.confusion.fp,
    g.confusion.fn,
    g.confusion.tn,
    pct(g.rates.precision),
    pct(g.rates.recall),
    pct(g.rates.accuracy),
  ]);
}

const SET_HEADER = ['', 'samples', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'accuracy'];

export function renderText(report: EvalReport, { details = false } = {}): string {
  const out: string[] = [];
  out.push(`scanner: ${report.scanner}   data: ${report.dataDir}   CWE match: same, or within ${report.matchDepth} ChildOf step(s) / category member`);
  if (report.insecure) {
    const { flagged, total, missed } = report.insecure;
    out.push('', `SecurityEval Insecure_code: ${flagged}/${total} flagged (${pct(total ? flagged / total : null).trim()})`);
    if (missed.length > 0) out.push(`  missed (${missed.length}): ${missed.join(' ')}`);
  }
  for (const [title, summary] of [
    ['RQ1 generated code (label 1 or 0.5 = vulnerable)', report.rq1],
    ['RQ3 repaired code (label 0 = fixed, 0.5 or 1 = still vulnerable)', report.rq3],
  ] as const) {
    if (!summary) continue;
    out.push('', `${title}: ${summary.samples} samples`);
    out.push(...table(SET_HEADER, groupRows([...summary.groups, summary])).map((l) => '  ' + l));
  }

  out.push('', 'Per CWE (Insecure_code flagged/total; RQ1+RQ3 vulnerable: flagged, missed; clean: false positives):');
  const weakestFirst = [...report.perCwe].sort(
    (a, b) =>
      b.missed + b.falsePositives + (b.insecureTotal - b.insecureFlagged) -
        (a.missed + a.falsePositives + (a.insecureTotal - a.insecureFlagged)) || a.cwe - b.cwe,
  );
  out.push(
    ...table(
      ['CWE', 'insecure', 'vuln', 'flagged', 'missed', 'clean', 'FP', 'name'],
      weakestFirst.map((r) => [
        `CWE-${r.cwe}`,
        r.insecureTotal ? `${r.insecureFlagged}/${r.insecureTotal}` : '-',
        r.vulnerable,
        r.flagged,
        r.missed,
        r.clean,
        r.falsePositives,
        r.name.length > 60 ? r.name.slice(0, 57) + '...' : r.name,
      ]),
    ).map((l) => '  ' + l),
  );

  if (details) {
    const section = (title: string, issues: Issue[]) => {
      out.push('', `${title} (${issues.length}):`);
      for (const i of issues) {
        const reported = i.reported.length > 0 ? `  [${i.reported.join('; ')}]` : '';
        out.push(`  ${i.set} ${i.group}  CWE-${i.cwe}  ${i.location}${reported}`);
      }
    };
    section('Misses (vulnerable, not flagged; reported = every finding on the file)', report.issues.filter((i) => i.kind === 'miss'));
    section('False alarms (not vulnerable, flagged; reported = the matching findings)', report.issues.filter((i) => i.kind === 'false-alarm'));
    if (report.diagnosticMessages.length > 0) {
      out.push('', `Scanner diagnostics (${report.diagnosticMessages.length}):`, ...report.diagnosticMessages.map((m) => '  ' + m));
    }
  }

  out.push('');
  for (const floor of report.floors) {
    const value = floor.id === 'insecure' ? String(floor.value) : fixed(floor.value);
    out.push(`${floor.passed ? 'PASS' : 'FAIL'}  ${floor.description} (measured ${value})`);
  }
  if (report.audit) {
    const a = report.audit;
    const verdicts = Object.entries(a.verdicts).map(([v, n]) => `${n} ${v}`).join(', ');
    out.push('', `Label audit (bench/label-audit: ${a.entries} entries, ${verdicts}); the floors above use the published labels.`);
    for (const [name, summary, overturned] of [['RQ1', a.rq1, a.overturned.rq1], ['RQ3', a.rq3, a.overturned.rq3]] as const) {
      if (!summary) continue;
      out.push(
        `  ${name} with ${overturned} label(s) overturned: precision ${fixed(summary.rates.precision)}, recall ${fixed(summary.rates.recall)} ` +
          `(${summary.confusion.tp} TP, ${summary.confusion.fp} FP, ${summary.confusion.fn} FN)`,
      );
    }
    for (const p of a.problems) out.push(`  ignored: ${p}`);
  }
  if (report.diagnostics > 0) out.push(`${report.diagnostics} scanner diagnostic(s) (files not parsed or tool warnings)`);
  out.push(`time: ${report.seconds.total.toFixed(1)} s (scanning ${report.seconds.scan.toFixed(1)} s)`);
  return out.join('\n');
}
