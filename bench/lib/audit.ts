// Our audit of the study's labels (bench/label-audit/*.json): for a miss or a false alarm, a
// reviewer's verdict on whether the published label is right. The floors are always scored on
// the published labels; the audit gives a second view with the overturned labels flipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../src/core/types.js';
import type { EvalSample } from './samples.js';

const entrySchema = z.object({
  set: z.enum(['rq1', 'rq3']),
  path: z.string().min(1),
  cwe: z.number().int().positive(),
  kind: z.enum(['miss', 'false-alarm']),
  verdict: z.enum(['fixed', 'label-error', 'still-missed']),
  reason: z.string().min(1),
});

export type AuditEntry = z.infer<typeof entrySchema> & { source: string };

export interface LabelAudit {
  entries: AuditEntry[];
  /** `set:path` of every sample whose label the audit overturns. */
  overturned: Set<string>;
  /** Entries that do not fit the data (unknown file, other CWE, kind against the label). */
  problems: string[];
}

export const auditKey = (set: string, path: string): string => `${set}:${path}`;

/** Reads every `*.json` audit file in `dir` (no folder: no entries). */
export function readLabelAudit(dir: string): AuditEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    files = [];
  }
  const entries: AuditEntry[] = [];
  for (const file of files) {
    const path = join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = z.array(entrySchema).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(`${path}: entry ${String(issue.path[0] ?? '?')}: ${issue.path.slice(1).join('.') || 'value'}: ${issue.message}`);
    }
    for (const e of parsed.data) entries.push({ ...e, source: file });
  }
  return entries;
}

/** Checks the entries against the samples: the label errors that fit are `overturned`. */
export function applyAudit(entries: readonly AuditEntry[], samples: readonly EvalSample[]): LabelAudit {
  const byKey = new Map(samples.map((s) => [auditKey(s.set, s.path), s]));
  const overturned = new Set<string>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const key = auditKey(e.set, e.path);
    const sample = byKey.get(key);
    const where = `${e.source}: ${e.set} ${e.path}`;
    if (!sample) problems.push(`${where}: no such sample`);
    else if (sample.cwe !== e.cwe) problems.push(`${where}: the sample's CWE is ${sample.cwe}, not ${e.cwe}`);
    else if (sample.vulnerable !== (e.kind === 'miss')) problems.push(`${where}: a ${e.kind} needs a sample labelled ${e.kind === 'miss' ? 'vulnerable' : 'clean'}`);
    else if (seen.has(key)) problems.push(`${where}: audited twice`);
    else if (e.verdict === 'label-error') overturned.add(key);
    seen.add(key);
  }
  return { entries: [...entries], overturned, problems };
}

/** The samples with the audit's overturned labels flipped. */
export function withAuditedLabels(samples: readonly EvalSample[], audit: LabelAudit): EvalSample[] {
  return samples.map((s) => (audit.overturned.has(auditKey(s.set, s.path)) ? { ...s, vulnerable: !s.vulnerable } : s));
}
