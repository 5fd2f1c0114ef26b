import type { FlowStep, Level } from '../core/types.js';
import type { PyNode } from './ast.js';
import type { CallInfo, ModuleModel } from './model.js';
import type { SinkKind, Taint, TaintEngine } from './taint.js';

/** What a rule is: shown to users and to the repairing LLM. */
export interface RuleMeta {
  /** `py/sql-injection`: stable, lower-case, `py/` prefix. */
  id: string;
  /** CWE numbers the rule's findings carry; the first is the main one. */
  cwes: number[];
  severity: Level;
  /** Confidence for findings fed by request data or a clear pattern; see `report`. */
  confidence: Level;
  /** One sentence: what is wrong. */
  message: string;
  /** What to change, concretely, so a repairer can act on it. */
  fixHint: string;
  /** 2-4 sentences for documentation and SARIF `help`. */
  doc: string;
  /** Bandit test ids covering the same weakness: `# nosec B602` then also silences this rule. */
  bandit?: string[];
}

export interface ReportDescriptor {
  /** Node the finding points at (its range becomes the finding's location). */
  node: PyNode;
  /** Replaces `meta.message` for this finding. */
  message?: string;
  confidence?: Level;
  severity?: Level;
  /** Source-to-sink path; the sink step is added when missing. */
  flow?: FlowStep[];
  /** Replaces `meta.cwes` for this finding. */
  cwes?: number[];
  fixHint?: string;
}

export interface TaintReport {
  /** Where to point: the sink call usually. */
  node: PyNode;
  /** The expression that must not be tainted (an argument). */
  value: PyNode | undefined;
  kind: SinkKind;
  /** Replaces `meta.message`; `{source}` is replaced by the taint's description. */
  message?: string;
  severity?: Level;
  cwes?: number[];
  fixHint?: string;
  /** Report parameter-sourced data too (default true): snippet functions get untrusted input. */
  parameters?: boolean;
}

/**
 * What a rule sees. One context per rule per analysed file; nothing in it outlives the call.
 */
export interface RuleContext {
  readonly meta: RuleMeta;
  readonly file: string;
  readonly model: ModuleModel;
  readonly taint: TaintEngine;
  /** Records a finding. Duplicates (same rule, same range) are dropped. */
  report(descriptor: ReportDescriptor): void;
  /**
   * Reports `node` when `value` carries untrusted data for `kind`, with the data's path.
   * Confidence follows the origin: request data and local input keep `meta.confidence`,
   * file contents and the snippet's own parameters get one level less. Returns whether it
   * reported.
   */
  reportTaint(descriptor: TaintReport): boolean;
  /** The best taint reaching `value` (request data over parameters), lifted through callers. */
  taintOf(value: PyNode | undefined, kind: SinkKind): Taint | undefined;
}

/**
 * Visitors a rule subscribes with, ESLint style. Keys of `calls` are qualified names
 * (`subprocess.run`, `sqlite3.Cursor.execute`), or patterns with a leading `*.`
 * (`*.Cursor.execute`: any type's) or a trailing `.*` (`pickle.*`: anything under pickle).
 */
export interface RuleVisitors {
  calls?: Record<string, (call: CallInfo) => void>;
  /** Every call, resolved or not. */
  call?: (call: CallInfo) => void;
  /** Nodes by tree-sitter type (`function_definition`, `assignment`, `string`...). */
  nodes?: Record<string, (node: PyNode) => void>;
  /** After all nodes were visited. */
  end?: () => void;
}

export interface Rule {
  meta: RuleMeta;
  /** Returns visitors, or does its work directly on `context.model` and returns nothing. */
  check(context: RuleContext): RuleVisitors | void;
}

/** Identity helper that gives rule objects their type. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** True when the qualified name matches a `calls` key (exact, `*.suffix` or `prefix.*`). */
export function matchesPattern(qname: string, pattern: string): boolean {
  // Compared in place: rules test every call's names against their patterns, and cutting the
  // pattern into new strings for each test added up (`*.x` ≡ ends with `.x`, or is `x`).
  const n = pattern.length;
  if (n >= 2 && pattern.charCodeAt(0) === 42 && pattern.charCodeAt(1) === 46) {
    if (qname.length === n - 2) return sameChars(qname, 0, pattern, 2, n - 2);
    return qname.length >= n - 1 && sameChars(qname, qname.length - (n - 1), pattern, 1, n - 1);
  }
  if (n >= 2 && pattern.charCodeAt(n - 1) === 42 && pattern.charCodeAt(n - 2) === 46) return qname.length >= n - 1 && sameChars(qname, 0, pattern, 0, n - 1);
  return qname === pattern;
}

/** Whether `a` from `aStart` and `b` from `bStart` hold the same `length` characters. */
function sameChars(a: string, aStart: number, b: string, bStart: number, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  return true;
}

/** One level less sure. */
export function lower(level: Level): Level {
  return level === 'high' ? 'medium' : 'low';
}
