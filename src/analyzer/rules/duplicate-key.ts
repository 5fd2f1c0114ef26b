import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { enclosingDef, localCallee, nodesIn, parts, unparen } from './code-shape.js';

/** A two-element tuple expression, directly or as what a local function returns. */
function isPair(model: ModuleModel, expr: PyNode | undefined, depth = 0): boolean {
  const e = unparen(expr);
  if (!e || depth > 3) return false;
  if ((e.type === 'tuple' || e.type === 'expression_list') && parts(e).length === 2) return true;
  if (e.type === 'identifier') {
    const bindings = model.reaching(e);
    return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && b.path.length === 0 && !b.element && isPair(model, b.value, depth + 1));
  }
  if (e.type === 'call') {
    const info = model.call(e);
    const def = info && localCallee(model, info);
    const fn = def && model.functionInfo(def);
    return !!fn && fn.returns.length > 0 && fn.returns.every((r) => isPair(model, r, depth + 1));
  }
  return false;
}

/** Statements between the list's creation and its use that remove duplicate keys. */
function deduplicated(scope: PyNode, list: string): boolean {
  for (const n of scope.walk()) {
    if (n.type === 'assignment' && n.child('left')?.text === list) {
      const right = unparen(n.child('right'));
      if (right?.type === 'call' && /^(set|dict|frozenset|list|sorted)$/.test(right.child('function')?.text ?? '') && /\b(set|dict|fromkeys)\b/.test(right.text)) return true;
    }
    // `if key not in [k for k, _ in alist]`, `if pair not in alist`, any membership test on it.
    if (n.type === 'comparison_operator' && /\bnot in\b|\bin\b/.test(n.text) && n.text.includes(list)) return true;
  }
  return false;
}

/**
 * The pair's key is the loop variable of a walk over something whose keys are already unique:
 * a dict (`.items()`, `.keys()`), `enumerate`, `range`, a set.
 */
function uniqueKey(model: ModuleModel, append: { positional: PyNode[]; node: PyNode }): boolean {
  const pair = unparen(append.positional[0]);
  const key = pair && (pair.type === 'tuple' || pair.type === 'expression_list') ? unparen(parts(pair)[0]) : undefined;
  if (key?.type !== 'identifier') return false;
  for (let p = append.node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') break;
    if (p.type !== 'for_statement') continue;
    const targets = [...(p.child('left')?.walk() ?? [])].filter((n) => n.type === 'identifier').map((n) => n.text);
    if (!targets.includes(key.text)) continue;
    const iter = unparen(p.child('right'));
    if (iter?.type === 'call' && /(\.(items|keys)|^(enumerate|range|set|sorted\(set|dict))\b/.test(iter.text)) return true;
    if (iter && ['set', 'dictionary', 'dictionary_comprehension', 'set_comprehension'].includes(iter.type)) return true;
    if (iter && model.values(iter).some((v) => v === 'dict' || v === 'set')) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/duplicate-key',
    cwes: [462],
    severity: 'low',
    confidence: 'medium',
    message: 'Associative data can hold the same key twice',
    fixHint: 'Keep key-value data in a dict (`table[key] = value`), or check `if key not in seen` before appending a pair; remove duplicate keys from dict literals.',
    doc: 'A list of (key, value) pairs used as a mapping can hold two entries for one key; which one a lookup, a sort or a dict() conversion keeps is then an accident, so a value can shadow or override another (a later duplicate silently wins). A dict literal that repeats a key keeps only the last value.',
  },
  check(context) {
    const { model } = context;
    return {
      nodes: {
        dictionary(node) {
          const seen = new Map<string, PyNode>();
          for (const pair of parts(node)) {
            if (pair.type !== 'pair') continue;
            const key = pair.child('key');
            const v = model.constValue(key);
            if (v === undefined || Array.isArray(v)) continue;
            const k = `${typeof v}:${String(v)}`;
            if (seen.has(k)) context.report({ node: pair, confidence: 'high', message: `key ${key!.text} appears twice in this dict literal; the first value is silently dropped` });
            else seen.set(k, pair);
          }
        },
      },
      call(c) {
          if (c.method !== 'append' || c.positional.length !== 1 || c.receiver?.type !== 'identifier') return;
          if (!isPair(model, c.positional[0])) return;
          if (uniqueKey(model, c)) return;
          const list = c.receiver.text;
          const scope = enclosingDef(c.node)?.child('body') ?? model.root;
          // Only lists created empty here: the snippet owns the association list.
          const made = model.reaching(c.receiver).some((b) => b.kind === 'assign' && unparen(b.value)?.type === 'list' && parts(unparen(b.value)).length === 0);
          if (!made) return;
          // A guarded append (`if key not in ...:`) is the duplicate check.
          for (let p = c.node.parent; p && p !== scope; p = p.parent) if (p.type === 'if_statement' || p.type === 'conditional_expression') return;
          if (deduplicated(scope, list)) return;
          let keyed: PyNode | undefined;
          for (const call of nodesIn(scope, 'call')) {
            const fn = call.child('function');
            const args = parts(call.child('arguments'));
            if (fn?.type === 'attribute' && fn.child('object')?.text === list && fn.child('attribute')?.text === 'sort') keyed ??= call;
            if (fn?.type === 'identifier' && /^(sorted|dict)$/.test(fn.text) && args[0]?.text === list) keyed ??= call;
          }
          if (!keyed) return;
          context.report({
            node: c.node,
            // Sorting pairs is also how ranked results are built; a dict() conversion is a mapping for sure.
            confidence: /^dict\(/.test(keyed.text) ? 'medium' : 'low',
            message: `(key, value) pairs appended to ${list} without checking for an existing key, then used as a mapping (${keyed.text.slice(0, 40)})`,
          });
      },
    };
  },
});
