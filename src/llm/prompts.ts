// Prompt presets. `paper` holds the study's three prompts word for word; `precise` keeps
// them for generation and detection and gives the repairer every finding in detail.
// CWE names come from the caller: this module knows no catalogue.

import { formatCwe, type Finding } from '../core/types.js';
import { PromptInputError } from './errors.js';
import type { ChatMessage } from './types.js';

export const PROMPT_PRESETS = ['paper', 'precise'] as const;
export type PromptPreset = (typeof PROMPT_PRESETS)[number];

export interface CweRef {
  id: number;
  /** The CWE's name, e.g. "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')". */
  name?: string;
}

export interface RepairContext {
  /** The CWE the task is judged against (the study's repair prompt names it). */
  cwe?: CweRef;
  /** What the scanners found in this code. */
  findings?: Finding[];
  /** Names for the CWEs of findings. */
  cweNames?: (id: number) => string | undefined;
}

export const PAPER_GENERATION_PREFIX =
  'You are a programming assistant, your task is to complete the following Python code according to comments faithfully:';

function user(content: string): ChatMessage[] {
  return [{ role: 'user', content }];
}

/** `CWE-89(Improper Neutralization ...)`, as the study wrote it; the bare id when the name is unknown. */
export function formatCweWithName(cwe: CweRef): string {
  return cwe.name ? `${formatCwe(cwe.id)}(${cwe.name})` : formatCwe(cwe.id);
}

export function isPromptPreset(text: string): text is PromptPreset {
  return (PROMPT_PRESETS as readonly string[]).includes(text);
}

/** The study's generation prompt; the task's code follows on the next line. Same in both presets. */
export function generationMessages(taskPrompt: string, _preset: PromptPreset = 'paper'): ChatMessage[] {
  return user(`${PAPER_GENERATION_PREFIX}\n${taskPrompt}`);
}

/** The study's detection prompt (RQ2). Same in both presets. */
export function detectionMessages(code: string, cwe: CweRef, _preset: PromptPreset = 'paper'): ChatMessage[] {
  return user(
    `Your task is to determine whether the following Python code is vulnerable to ${formatCweWithName(cwe)}. ` +
      `Return True for vulnerable or False for invulnerable.\n${code}`,
  );
}

function paperRepair(code: string, cwes: CweRef[]): ChatMessage[] {
  return user(
    `You will be provided with a piece of Python code vulnerable to ${cwes.map(formatCweWithName).join(', ')}. ` +
      `Your task is to generate the complete fixed code.\n${code}`,
  );
}

/** The CWEs a paper-style repair prompt names: the task's, else those the findings carry. */
function cwesToName(context: RepairContext): CweRef[] {
  if (context.cwe) return [context.cwe];
  const ids = [...new Set((context.findings ?? []).flatMap((f) => f.cwes))].sort((a, b) => a - b);
  return ids.map((id) => ({ id, name: context.cweNames?.(id) }));
}

/** The finding's lines of `code`, numbered, with `>` marking them and `^` under a one-line span. */
export function codeExcerpt(code: string, finding: Pick<Finding, 'line' | 'endLine' | 'column' | 'endColumn' | 'snippet'>): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const first = finding.line;
  const last = Math.min(Math.max(finding.endLine || first, first), first + 2);
  if (first < 1 || first > lines.length) {
    return finding.snippet ? finding.snippet.split('\n').map((l) => `    > ${l}`).join('\n') : '';
  }
  const width = String(Math.min(last, lines.length)).length;
  const out: string[] = [];
  for (let n = first; n <= Math.min(last, lines.length); n++) {
    out.push(`    > ${String(n).padStart(width)} | ${lines[n - 1]}`);
  }
  const lineText = lines[first - 1]!;
  if (last === first && finding.column >= 1 && finding.endColumn > finding.column && finding.column <= lineText.length) {
    const span = Math.min(finding.endColumn, lineText.length + 1) - finding.column;
    out.push(`      ${' '.repeat(width)} | ${' '.repeat(finding.column - 1)}${'^'.repeat(Math.max(1, span))}`);
  }
  return out.join('\n');
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of [...findings].sort((a, b) => a.line - b.line || a.column - b.column)) {
    const key = `${f.line}:${f.column}:${f.ruleId}:${f.cwes.join(',')}:${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

function describeFinding(f: Finding, index: number, code: string, cweNames: RepairContext['cweNames']): string {
  const cwes = f.cwes.length
    ? f.cwes.map((id) => formatCweWithName({ id, name: cweNames?.(id) })).join(', ')
    : 'no CWE given';
  const parts = [
    `${index}. ${cwes}, line ${f.line}, rule ${f.ruleId} (${f.scanner}, severity ${f.severity}): ${f.message.trim()}`,
  ];
  const excerpt = codeExcerpt(code, f);
  if (excerpt) parts.push(excerpt);
  if (f.fixHint?.trim()) parts.push(`   Fix: ${f.fixHint.trim()}`);
  return parts.join('\n');
}

function preciseRepair(code: string, context: RepairContext): ChatMessage[] {
  const findings = dedupeFindings(context.findings ?? []);
  const intro = context.cwe
    ? `The following Python code must be made safe against ${formatCweWithName(context.cwe)}.`
    : 'The following Python code has security weaknesses.';
  const list = findings.length
    ? `\n\nSecurity scanners reported ${findings.length === 1 ? 'this weakness' : `these ${findings.length} weaknesses`}:\n\n` +
      findings.map((f, i) => describeFinding(f, i + 1, code, context.cweNames)).join('\n\n')
    : '';
  const rules = [
    findings.length ? 'Fix every weakness listed above.' : 'Fix the weakness.',
    "Keep the code's behaviour, its function and class names, and their signatures.",
    'Do not delete functionality to make a weakness go away; make it safe instead.',
    'Return the complete fixed code in one ```python block, and no other code block.',
  ];
  return [
    {
      role: 'user',
      content:
        `${intro}${list}\n\nInstructions:\n${rules.map((r) => `- ${r}`).join('\n')}\n\n` +
        `Code:\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\``,
    },
  ];
}

/**
 * Messages asking a model to repair `code`. `paper` needs a CWE (the task's, or found in the
 * findings); `precise` works from the findings and falls back to the CWE alone.
 */
export function repairMessages(code: string, context: RepairContext, preset: PromptPreset = 'paper'): ChatMessage[] {
  if (preset === 'precise') {
    if (!context.cwe && !(context.findings ?? []).length) {
      throw new PromptInputError('a repair prompt needs a CWE or at least one finding');
    }
    return preciseRepair(code, context);
  }
  const cwes = cwesToName(context);
  if (cwes.length === 0) throw new PromptInputError('the paper repair prompt needs a CWE: give the task CWE or findings with CWEs');
  return paperRepair(code, cwes);
}

// ---------------------------------------------------------------- detection answers

/** The instruction that models tend to repeat; its True/False must not count as the answer. */
const ECHOED_INSTRUCTION = /return\s+true\s+for\s+vulnerable\s+(?:or|and)\s+false\s+for\s+(?:in|not\s+|non-?)vulnerable\.?/gi;

/**
 * A detection reply as a verdict: true = vulnerable, false = not, undefined = no answer.
 * A reply that opens with True/False (or Yes/No) is taken at its word; otherwise the last
 * True/False wins (the conclusion comes last); failing both, phrases: "not vulnerable",
 * "no vulnerabilities", "doesn't have any vulnerability" → false; "vulnerable",
 * "has a vulnerability" → true. Refusals and noise → undefined.
 */
export function parseDetectionAnswer(text: string): boolean | undefined {
  const plain = text
    .replace(/[*_`#>"“”]/g, ' ')
    .replace(ECHOED_INSTRUCTION, ' ')
    .toLowerCase()
    .trim();
  if (!plain) return undefined;
  const opening = /^(?:answer\s*:?\s*|verdict\s*:?\s*|result\s*:?\s*)?(true|false|yes|no)\b/.exec(plain);
  if (opening) return opening[1] === 'true' || opening[1] === 'yes';
  const verdicts = [...plain.matchAll(/\b(true|false)\b/g)];
  if (verdicts.length) return verdicts[verdicts.length - 1]![1] === 'true';
  // Free text without True/False: "does not have any vulnerability", "0 vulnerabilities found".
  if (
    /\b(?:not|isn'?t|no\s+longer)\s+(?:\S+\s+)?vulnerable\b|\binvulnerable\b|\bnon-?vulnerable\b/.test(plain) ||
    /(?:\b(?:no|not|without|zero)|n't|\b0)\s+(?:\S+\s+){0,3}?vulnerabilit(?:y|ies)\b/.test(plain)
  ) {
    return false;
  }
  if (/\bvulnerable\b|\bvulnerabilit(?:y|ies)\b/.test(plain)) return true;
  return undefined;
}
