import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { identifiersIn, namesWritten, nodesIn, parts, unparen } from './code-shape.js';

/** Names some function declares `global` (or `nonlocal`): other code (another thread) may change them. */
function globallyWritten(model: ModuleModel): Set<string> {
  const out = new Set<string>();
  for (const type of ['global_statement', 'nonlocal_statement']) for (const n of model.byType(type)) for (const id of parts(n)) out.add(id.text);
  return out;
}

/** Statements that leave a loop from inside (not counting nested functions). */
function hasExit(body: PyNode): boolean {
  for (const type of ['break_statement', 'return_statement', 'raise_statement', 'yield']) {
    for (const n of nodesIn(body, type)) {
      // A `break` inside a nested loop leaves only that loop.
      if (type === 'break_statement' && nestedLoopBetween(n, body)) continue;
      return true;
    }
  }
  for (const call of nodesIn(body, 'call')) if (/(^|\.)(exit|_exit|quit|abort)$/.test(call.child('function')?.text ?? '')) return true;
  return false;
}

function conditionalBetween(node: PyNode, body: PyNode): boolean {
  for (let p = node.parent; p && p !== body; p = p.parent)
    if (['if_statement', 'conditional_expression', 'try_statement', 'boolean_operator', 'while_statement', 'for_statement', 'match_statement'].includes(p.type)) return true;
  return false;
}

function nestedLoopBetween(node: PyNode, outerBody: PyNode): boolean {
  for (let p = node.parent; p && p !== outerBody; p = p.parent) if (p.type === 'for_statement' || p.type === 'while_statement') return true;
  return false;
}

export default defineRule({
  meta: {
    id: 'py/infinite-loop',
    cwes: [835],
    severity: 'medium',
    confidence: 'high',
    message: 'Loop exit condition can never become true',
    fixHint: 'Update the variables the loop condition tests inside the loop (e.g. `i += 1`), or leave it with break/return; iterate over a copy (`for x in list(items)`) when the loop adds to the list it walks.',
    doc: 'A while loop whose condition reads only variables the body never changes either never runs or never stops; the same holds for a for loop that appends to the list it iterates. An unbounded loop hangs the thread and burns CPU, a denial of service when input decides whether it is entered.',
  },
  check(context) {
    const { model } = context;
    let shared: Set<string> | undefined;
    return {
      nodes: {
        while_statement(node) {
          const cond = unparen(node.child('condition'));
          const body = node.child('body');
          if (!cond || !body) return;
          // Only plain variables and operators: calls or attributes may change on their own.
          if (cond.type === 'true' || model.constValue(cond) !== undefined) return;
          for (const n of cond.walk()) if (n.type === 'call' || n.type === 'attribute' || n.type === 'subscript' || n.type === 'await') return;
          const names = identifiersIn(cond).map((i) => i.text);
          if (names.length === 0) return;
          const scope = model.scopeOf(node);
          if (names.some((n) => scope.globals.has(n) || scope.nonlocals.has(n))) return;
          // The same for every loop of the module: collected once.
          const sharedNames = (shared ??= globallyWritten(model));
          if (names.some((n) => sharedNames.has(n))) return;
          const written = namesWritten(body);
          if (names.some((n) => written.has(n))) return;
          // A container handed to a call can be changed by the callee; one whose methods are
          // used anywhere in the function (`pop = stack.pop`) can be changed through them.
          for (const call of nodesIn(body, 'call')) for (const a of parts(call.child('arguments'))) if (names.includes(a.text)) return;
          const fnBody = model.enclosingFunction(node)?.node ?? model.root;
          for (const a of nodesIn(fnBody, 'attribute')) if (names.includes(a.child('object')?.text ?? '')) return;
          if (hasExit(body)) return;
          context.report({ node: cond, message: `the loop never changes ${[...new Set(names)].join(', ')}, so \`${cond.text}\` stays true once it is true` });
        },
        for_statement(node) {
          const iter = unparen(node.child('right'));
          const body = node.child('body');
          if (iter?.type !== 'identifier' || !body) return;
          // The growing call first, the exit search (four scans of the body) only when there is one.
          let exits: boolean | undefined;
          for (const call of nodesIn(body, 'call')) {
            const fn = call.child('function');
            if (fn?.type !== 'attribute' || fn.child('object')?.text !== iter.text) continue;
            if (!['append', 'extend', 'insert'].includes(fn.child('attribute')?.text ?? '')) continue;
            // Only an append on every turn keeps the loop growing for ever.
            if (conditionalBetween(call, body)) continue;
            if ((exits ??= hasExit(body))) return;
            context.report({ node: call, message: `appending to ${iter.text} while iterating over it makes the loop run forever` });
            return;
          }
        },
      },
    };
  },
});
