import type { Finding, FlowStep, Level } from '../core/types.js';
import type { PyNode } from './ast.js';
import type { CallInfo, ModuleModel } from './model.js';
import { lower, matchesPattern, type ReportDescriptor, type Rule, type RuleContext, type RuleVisitors, type TaintReport } from './rule.js';
import { bestTaint, step, type Taint, type TaintEngine } from './taint.js';

export interface RuleFailure {
  ruleId: string;
  error: unknown;
}

/**
 * Runs rules over one module: one shared walk, calls dispatched by qualified name.
 * A rule that throws loses its findings for this file and is reported as a failure;
 * the others still run.
 */
export function runRules(
  rules: readonly Rule[],
  model: ModuleModel,
  taint: TaintEngine,
  file: string,
): { findings: Finding[]; failures: RuleFailure[] } {
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  const active: Active[] = [];
  for (const rule of rules) {
    const found: Finding[] = [];
    const context = makeContext(rule, model, taint, file, found);
    try {
      const visitors = rule.check(context);
      if (visitors) active.push({ rule, visitors, found, failed: false });
      else findings.push(...found);
    } catch (error) {
      failures.push({ ruleId: rule.meta.id, error });
    }
  }
  /** Runs one handler; a rule that throws is stopped and reported, the others go on. */
  const dispatch = <T>(entry: Active, handler: (arg: T) => void, arg: T): void => {
    if (entry.failed) return;
    try {
      handler(arg);
    } catch (error) {
      entry.failed = true;
      failures.push({ ruleId: entry.rule.meta.id, error });
    }
  };

  const index = visitorIndex(active);
  // This file's handlers, by active rule and `calls` key (the index is shared between files).
  const handlers = active.map((a, i) => index.keys[i]!.map((k) => a.visitors.calls![k]!));
  const everyCall = active.filter((a) => a.visitors.call);
  const fired: Slot[] = [];
  // Indexed loops: runRules runs once per file, mostly before V8 optimises it, and unoptimised
  // for-of loops allocate an iterator result per step (a tenth of a scan's garbage).
  const calls = model.calls;
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c]!;
    for (let i = 0; i < everyCall.length; i++) dispatch(everyCall[i]!, everyCall[i]!.visitors.call!, call);
    // Handlers matched through any of the call's names; each runs once per call.
    fired.length = 0;
    const qnames = call.qnames;
    for (let n = 0; n < qnames.length; n++) {
      const q = qnames[n]!;
      const hits = index.exact.get(q);
      if (hits) for (let i = 0; i < hits.length; i++) if (!fired.includes(hits[i]!)) fired.push(hits[i]!);
      const suffixed = index.bySuffix.size ? index.bySuffix.get(q.slice(q.lastIndexOf('.') + 1)) : undefined;
      if (suffixed) for (let i = 0; i < suffixed.length; i++) if (!fired.includes(suffixed[i]!) && matchesPattern(q, suffixed[i]!.pattern)) fired.push(suffixed[i]!);
      const prefixed = index.byPrefix.size ? index.byPrefix.get(q.slice(0, q.indexOf('.') >>> 0)) : undefined;
      if (prefixed) for (let i = 0; i < prefixed.length; i++) if (!fired.includes(prefixed[i]!) && matchesPattern(q, prefixed[i]!.pattern)) fired.push(prefixed[i]!);
    }
    for (let i = 0; i < fired.length; i++) {
      const e = fired[i]!;
      const handler = handlers[e.rule]![e.key]!;
      let seen = false;
      for (let j = 0; j < i && !seen; j++) seen = handlers[fired[j]!.rule]![fired[j]!.key] === handler;
      if (!seen) dispatch(active[e.rule]!, handler, call);
    }
  }
  // Node visitors: types in the order rules first name them, then nodes in document order,
  // then rules in registry order (the order findings and failures come in).
  for (const [type, rules] of index.byNodeType) {
    const list: Array<{ entry: Active; handler: (n: PyNode) => void }> = [];
    for (const i of rules) {
      const visitors: Partial<Record<string, (n: PyNode) => void>> = active[i]!.visitors.nodes!;
      const handler = visitors[type];
      if (handler) list.push({ entry: active[i]!, handler });
    }
    const nodes = model.byType(type);
    for (let n = 0; n < nodes.length; n++) for (let h = 0; h < list.length; h++) dispatch(list[h]!.entry, list[h]!.handler, nodes[n]!);
  }
  for (const a of active) if (a.visitors.end) dispatch(a, a.visitors.end, undefined);
  for (const a of active) if (!a.failed) findings.push(...a.found);
  return { findings, failures };
}

interface Active {
  rule: Rule;
  visitors: RuleVisitors;
  found: Finding[];
  /** Set when one of the rule's handlers threw: its findings for this file are dropped. */
  failed: boolean;
}

/** A `calls` key of an active rule: the rule's place among the active ones and the key's place in its `calls`. */
interface Slot {
  rule: number;
  key: number;
  pattern: string;
}

/**
 * Where each visitor of the active rules is filed: exact call names in a map, `*.suffix` and
 * `prefix.*` patterns under the name segment they pin (`*.Cursor.execute` under `execute`,
 * `pickle.*` under `pickle`), node types in the order rules first name them.
 */
interface VisitorIndex {
  /** What the index was built from: each active rule and its `calls` and `nodes` keys. */
  rules: readonly Rule[];
  keys: string[][];
  nodeKeys: string[][];
  exact: Map<string, Slot[]>;
  bySuffix: Map<string, Slot[]>;
  byPrefix: Map<string, Slot[]>;
  /** Node type → active rules (by place) with a visitor for it. */
  byNodeType: Map<string, number[]>;
}

// Rules return the same visitor keys for almost every file, so the index of the last file
// is kept and reused when they match (building it anew cost about a third of the engine's
// fixed work per file).
let lastIndex: VisitorIndex | undefined;

function visitorIndex(active: readonly Active[]): VisitorIndex {
  const keys = active.map((a) => (a.visitors.calls ? Object.keys(a.visitors.calls) : NO_KEYS));
  const nodeKeys = active.map((a) => (a.visitors.nodes ? Object.keys(a.visitors.nodes) : NO_KEYS));
  const last = lastIndex;
  if (last && last.rules.length === active.length && active.every((a, i) => a.rule === last.rules[i] && sameKeys(keys[i]!, last.keys[i]!) && sameKeys(nodeKeys[i]!, last.nodeKeys[i]!)))
    return last;
  const index: VisitorIndex = {
    rules: active.map((a) => a.rule),
    keys,
    nodeKeys,
    exact: new Map(),
    bySuffix: new Map(),
    byPrefix: new Map(),
    byNodeType: new Map(),
  };
  const fileUnder = <E>(map: Map<string, E[]>, key: string, e: E): void => {
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  };
  keys.forEach((list, rule) =>
    list.forEach((pattern, key) => {
      const slot: Slot = { rule, key, pattern };
      if (pattern.startsWith('*.')) fileUnder(index.bySuffix, pattern.slice(pattern.lastIndexOf('.') + 1), slot);
      else if (pattern.endsWith('.*')) fileUnder(index.byPrefix, pattern.slice(0, pattern.indexOf('.')), slot);
      else fileUnder(index.exact, pattern, slot);
    }),
  );
  for (const list of nodeKeys) for (const type of list) if (!index.byNodeType.has(type)) index.byNodeType.set(type, []);
  for (const [type, rules] of index.byNodeType) nodeKeys.forEach((list, rule) => list.includes(type) && rules.push(rule));
  lastIndex = index;
  return index;
}

const NO_KEYS: string[] = [];

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function makeContext(rule: Rule, model: ModuleModel, taint: TaintEngine, file: string, out: Finding[]): RuleContext {
  const meta = rule.meta;
  const seen = new Set<string>();
  const report = (d: ReportDescriptor): void => {
    const n = d.node;
    const key = `${n.startIndex}:${n.endIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    const startRow = n.startRow;
    const sinkStep = step(n, 'sink');
    const flow = d.flow && d.flow.length ? withSink(d.flow, sinkStep, meta.id) : undefined;
    out.push({
      scanner: 'builtin',
      ruleId: meta.id,
      cwes: [...(d.cwes ?? meta.cwes)],
      severity: d.severity ?? meta.severity,
      confidence: d.confidence ?? meta.confidence,
      message: d.message ?? meta.message,
      fixHint: d.fixHint ?? meta.fixHint,
      file,
      line: startRow + 1,
      column: n.startColumn + 1,
      endLine: n.endRow + 1,
      endColumn: n.endColumn + 1,
      snippet: lineText(n, startRow),
      ...(flow ? { flow } : {}),
    });
  };
  const taintOf = (value: PyNode | undefined, kind: string): Taint | undefined => {
    const best = bestTaint(taint.of(value, kind));
    return best ? taint.callerTaint(best, kind) : undefined;
  };
  return {
    meta,
    file,
    model,
    taint,
    report,
    taintOf,
    reportTaint(d: TaintReport): boolean {
      const t = taintOf(d.value, d.kind);
      if (!t) return false;
      if (t.origin === 'parameter' && d.parameters === false) return false;
      const confidence: Level = t.origin === 'parameter' || t.origin === 'file' ? lower(meta.confidence) : meta.confidence;
      const base = d.message ?? meta.message;
      const message = base.includes('{source}') ? base.replace('{source}', t.label) : `${base} (data from ${t.label})`;
      report({ node: d.node, message, confidence, severity: d.severity, cwes: d.cwes, fixHint: d.fixHint, flow: t.steps });
      return true;
    },
  };
}

function withSink(flow: FlowStep[], sink: FlowStep, ruleId: string): FlowStep[] {
  const last = flow[flow.length - 1];
  const steps = last && last.line === sink.line && last.column === sink.column ? flow : [...flow, { ...sink, message: `reaches the sink (${ruleId})` }];
  return steps;
}

/** The source line a row stands on, without its line break or trailing blanks. */
function lineText(node: PyNode, row: number): string {
  const { text, lineStarts } = node.source;
  const start = lineStarts[row];
  if (start === undefined) return '';
  return text.slice(start, lineStarts[row + 1] ?? text.length).trimEnd();
}
