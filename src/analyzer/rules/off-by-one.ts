import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { comparisonOperands, comparisonOperators, parts, unparen } from './code-shape.js';

/** `len(x)` → the text of x. */
function lenOf(model: ModuleModel, node: PyNode | undefined): string | undefined {
  const e = unparen(node);
  if (e?.type !== 'call' || model.qname(e.child('function')) !== 'len') return undefined;
  const arg = parts(e.child('arguments'));
  return arg.length === 1 ? arg[0]!.text : undefined;
}

/** `len(x) + 1` (or `1 + len(x)`) → the text of x. */
function lenPlusOne(model: ModuleModel, node: PyNode | undefined): string | undefined {
  const e = unparen(node);
  if (e?.type !== 'binary_operator' || e.child('operator')?.text !== '+') return undefined;
  const l = e.child('left');
  const r = e.child('right');
  if (model.constValue(r) === 1) return lenOf(model, l);
  if (model.constValue(l) === 1) return lenOf(model, r);
  return undefined;
}

/**
 * Subscripts `seq[index]` (index exactly the name) inside `scope` that no inner test such as
 * `if index < len(seq):` protects.
 */
function indexings(scope: PyNode, seq: string, index: string): PyNode[] {
  const out: PyNode[] = [];
  for (const n of scope.walk())
    if (n.type === 'subscript' && n.child('value')?.text === seq && unparen(n.child('subscript'))?.text === index && !boundsChecked(n, scope, index)) out.push(n);
  return out;
}

function boundsChecked(node: PyNode, scope: PyNode, index: string): boolean {
  for (let p = node.parent; p && p !== scope; p = p.parent) {
    const cond = p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement' ? p.child('condition') : p.type === 'conditional_expression' ? parts(p)[1] : p.type === 'boolean_operator' ? p.child('left') : undefined;
    if (cond && !cond.contains(node) && /</.test(cond.text) && new RegExp(`\\b${index}\\b`).test(cond.text)) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/off-by-one',
    cwes: [193],
    severity: 'medium',
    confidence: 'high',
    message: 'Index can reach one past the end of the sequence',
    fixHint: 'Valid indexes of x run from 0 to len(x) - 1: loop with `for i in range(len(x))` (or `for item in x` / enumerate(x)) and compare with `i < len(x)`, never `<=`.',
    doc: 'A bound written as len(x) + 1 or i <= len(x) lets the loop use the index len(x), one past the last element. In Python that raises IndexError (a crash an attacker can trigger with chosen input); in code that writes through the index it corrupts or skips data.',
  },
  check(context) {
    const { model } = context;
    return {
      calls: {
        range(c) {
          const stop = c.positional.length === 1 ? c.positional[0] : c.positional[1];
          const seq = lenPlusOne(model, stop);
          if (!seq) return;
          const loop = c.node.parent?.type === 'for_statement' && c.node.field === 'right' ? c.node.parent : undefined;
          const target = loop?.child('left');
          // Without a loop that indexes the sequence, `len(x) + 1` may be a deliberate count.
          if (!loop || target?.type !== 'identifier' || indexings(loop.child('body')!, seq, target.text).length === 0) return;
          context.report({ node: c.node, message: `range(... len(${seq}) + 1) makes ${target.text} reach len(${seq}), one past the last index of ${seq}` });
        },
      },
      nodes: {
        comparison_operator(node) {
          const ops = comparisonOperators(node);
          if (ops.length !== 1) return;
          const [left, right] = comparisonOperands(node);
          let index: PyNode | undefined;
          let seq: string | undefined;
          if (ops[0] === '<=') [index, seq] = [unparen(left), lenOf(model, right)];
          else if (ops[0] === '>=') [index, seq] = [unparen(right), lenOf(model, left)];
          if (!index || !seq || index.type !== 'identifier') return;
          const holder = node.parent?.type === 'while_statement' || node.parent?.type === 'if_statement' ? node.parent : undefined;
          const body = holder?.child(holder.type === 'while_statement' ? 'body' : 'consequence');
          if (!body || node.field !== 'condition' || indexings(body, seq, index.text).length === 0) return;
          context.report({ node, message: `${index.text} <= len(${seq}) lets ${seq}[${index.text}] run one past the last element` });
        },
        subscript(node) {
          const seq = node.child('value')?.text;
          const sub = unparen(node.child('subscript'));
          if (!seq || lenOf(model, sub) !== seq) return;
          // `table[len(table)] = v` on a dict is an insertion, not an out-of-range read.
          if (node.field === 'left' || node.parent?.type === 'augmented_assignment' && node.field === 'left') return;
          context.report({ node, message: `${seq}[len(${seq})] is one past the last element (use ${seq}[-1] or ${seq}[len(${seq}) - 1])` });
        },
      },
    };
  },
});
