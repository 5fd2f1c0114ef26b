// Scoring a scanner against labelled samples: a sample is flagged when any finding on it
// names a CWE that cweMatches the task's CWE.
import type { Finding } from '../../src/core/types.js';
import { cweMatches, cweName, type MatchOptions } from '../../src/cwe/index.js';
import { auditKey, type LabelAudit } from './audit.js';
import type { EvalSample, EvalSet } from './samples.js';

export interface Outcome {
  sample: EvalSample;
  flagged: boolean;
  /** All findings on the sample's file. */
  findings: Finding[];
  /** The findings whose CWEs match the task's CWE. */
  matched: Finding[];
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Rates {
  /** null when undefined (nothing flagged, or nothing vulnerable). */
  precision: number | null;
  recall: number | null;
  accuracy: number | null;
}

export interface GroupSummary {
  group: string;
  samples: number;
  confusion: Confusion;
  rates: Rates;
}

export interface SetSummary extends GroupSummary {
  groups: GroupSummary[];
}

export interface InsecureSummary {
  flagged: number;
  total: number;
  missed: string[];
}

export interface CweRow {
  cwe: number;
  name: string;
  insecureFlagged: number;
  insecureTotal: number;
  /** RQ1 + RQ3 samples labelled vulnerable, and how many of them were flagged / missed. */
  vulnerable: number;
  flagged: number;
  missed: number;
  /** RQ1 + RQ3 samples labelled not vulnerable, and how many of them were flagged anyway. */
  clean: number;
  falsePositives: number;
}

export interface Issue {
  kind: 'miss' | 'false-alarm';
  set: EvalSet;
  group: string;
  taskId: string;
  cwe: number;
  location: string;
  /** What the scanner reported on the file: `B608 CWE-89` (all findings for a miss, the matching ones for a false alarm). */
  reported: string[];
}

export interface Floor {
  id: string;
  description: string;
  check(report: Pick<EvalReport, 'insecure' | 'rq1' | 'rq3'>): { value: number | null; threshold: number } | undefined;
}

export interface FloorResult {
  id: string;
  description: string;
  value: number | null;
  threshold: number;
  passed: boolean;
}

export interface EvalReport {
  scanner: string;
  dataDir: string;
  matchDepth: number;
  insecure?: InsecureSummary;
  rq1?: SetSummary;
  rq3?: SetSummary;
  perCwe: CweRow[];
  issues: Issue[];
  floors: FloorResult[];
  diagnostics: number;
  /** `file: message` for each scanner diagnostic (files that did not parse, tool warnings). */
  diagnosticMessages: string[];
  seconds: { scan: number; total: number };
  /** The same findings scored against the labels as our audit corrects them (bench/label-audit). */
  audit?: AuditedView;
}

export interface AuditedView {
  entries: number;
  verdicts: Record<string, number>;
  /** Labels the audit overturns, per set. */
  overturned: { rq1: number; rq3: number };
  /** Entries that do not fit the data; they are ignored. */
  problems: string[];
  rq1?: SetSummary;
  rq3?: SetSummary;
}

export function judge(samples: EvalSample[], findings: Finding[], match: MatchOptions = {}): Outcome[] {
  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  return samples.map((sample) => {
    const onFile = byFile.get(sample.path) ?? [];
    const matched = onFile.filter((f) => f.cwes.some((cwe) => cweMatches(cwe, sample.cwe, match)));
    return { sample, flagged: matched.length > 0, findings: onFile, matched };
  });
}

export function confusionOf(outcomes: Outcome[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const { sample, flagged } of outcomes) {
    if (sample.vulnerable) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  return c;
}

export function ratesOf(c: Confusion): Rates {
  const ratio = (num: number, den: number) => (den === 0 ? null : num / den);
  return {
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.fn + c.tn),
  };
}

function summarize(group: string, outcomes: Outcome[]): GroupSummary {
  const confusion = confusionOf(outcomes);
  return { group, samples: outcomes.length, confusion, rates: ratesOf(confusion) };
}

function summarizeSet(outcomes: Outcome[]): SetSummary {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(o.sample.group, [...(groups.get(o.sample.group) ?? []), o]);
  return {
    ...summarize('overall', outcomes),
    groups: [...groups].map(([group, list]) => summarize(group, list)),
  };
}

export const FLOORS: readonly Floor[] = [
  {
    id: 'insecure',
    description: 'SecurityEval Insecure_code flagged >= 115/121',
    check: (r) => r.insecure && { value: r.insecure.flagged, threshold: Math.ceil((r.insecure.total * 115) / 121) },
  },
  { id: 'rq1-precision', description: 'RQ1 precision >= 0.95', check: (r) => r.rq1 && { value: r.rq1.rates.precision, threshold: 0.95 } },
  { id: 'rq1-recall', description: 'RQ1 recall >= 0.90', check: (r) => r.rq1 && { value: r.rq1.rates.recall, threshold: 0.9 } },
  { id: 'rq3-precision', description: 'RQ3 precision >= 0.90', check: (r) => r.rq3 && { value: r.rq3.rates.precision, threshold: 0.9 } },
  { id: 'rq3-recall', description: 'RQ3 recall >= 0.85', check: (r) => r.rq3 && { value: r.rq3.rates.recall, threshold: 0.85 } },
];

/** Floors of the sets that were evaluated; an undefined rate fails. */
export function checkFloors(report: Pick<EvalReport, 'insecure' | 'rq1' | 'rq3'>): FloorResult[] {
  const results: FloorResult[] = [];
  for (const floor of FLOORS) {
    const measured = floor.check(report);
    if (!measured) continue;
    const passed = measured.value !== null && measured.value >= measured.threshold;
    results.push({ id: floor.id, description: floor.description, ...measured, passed });
  }
  return results;
}

function describeFinding(f: Finding): string {
  return `${f.ruleId} ${f.cwes.map((c) => `CWE-${c}`).join(',') || 'no CWE'} line ${f.line}`;
}

function perCweRows(outcomes: Outcome[]): CweRow[] {
  const rows = new Map<number, CweRow>();
  for (const { sample, flagged } of outcomes) {
    let row = rows.get(sample.cwe);
    if (!row) {
      row = {
        cwe: sample.cwe,
        name: cweName(sample.cwe) ?? '',
        insecureFlagged: 0,
        insecureTotal: 0,
        vulnerable: 0,
        flagged: 0,
        missed: 0,
        clean: 0,
        falsePositives: 0,
      };
      rows.set(sample.cwe, row);
    }
    if (sample.set === 'insecure') {
      row.insecureTotal++;
      if (flagged) row.insecureFlagged++;
    } else if (sample.vulnerable) {
      row.vulnerable++;
      flagged ? row.flagged++ : row.missed++;
    } else {
      row.clean++;
      if (flagged) row.falsePositives++;
    }
  }
  return [...rows.values()].sort((a, b) => a.cwe - b.cwe);
}

export function buildReport(
  outcomes: Outcome[],
  meta: Pick<EvalReport, 'scanner' | 'dataDir' | 'matchDepth' | 'diagnosticMessages' | 'seconds'>,
): EvalReport {
  const inSet = (set: EvalSet) => outcomes.filter((o) => o.sample.set === set);
  const report: EvalReport = { ...meta, diagnostics: meta.diagnosticMessages.length, perCwe: perCweRows(outcomes), issues: [], floors: [] };
  const insecure = inSet('insecure');
  if (insecure.length > 0) {
    report.insecure = {
      flagged: insecure.filter((o) => o.flagged).length,
      total: insecure.length,
      missed: insecure.filter((o) => !o.flagged).map((o) => o.sample.taskId),
    };
  }
  if (inSet('rq1').length > 0) report.rq1 = summarizeSet(inSet('rq1'));
  if (inSet('rq3').length > 0) report.rq3 = summarizeSet(inSet('rq3'));
  for (const { sample, flagged, findings, matched } of outcomes) {
    if (sample.vulnerable === flagged) continue;
    report.issues.push({
      kind: sample.vulnerable ? 'miss' : 'false-alarm',
      set: sample.set,
      group: sample.group,
      taskId: sample.taskId,
      cwe: sample.cwe,
      location: sample.location,
      reported: (sample.vulnerable ? findings : matched).map(describeFinding),
    });
  }
  report.floors = checkFloors(report);
  return report;
}

/** Scores outcomes judged against the audited labels. */
export function auditedView(audit: LabelAudit, outcomes: Outcome[]): AuditedView {
  const verdicts: Record<string, number> = {};
  for (const e of audit.entries) verdicts[e.verdict] = (verdicts[e.verdict] ?? 0) + 1;
  const count = (set: EvalSet) => outcomes.filter((o) => o.sample.set === set && audit.overturned.has(auditKey(set, o.sample.path))).length;
  const inSet = (set: EvalSet) => outcomes.filter((o) => o.sample.set === set);
  const view: AuditedView = { entries: audit.entries.length, verdicts, overturned: { rq1: count('rq1'), rq3: count('rq3') }, problems: audit.problems };
  if (inSet('rq1').length > 0) view.rq1 = summarizeSet(inSet('rq1'));
  if (inSet('rq3').length > 0) view.rq3 = summarizeSet(inSet('rq3'));
  return view;
}
