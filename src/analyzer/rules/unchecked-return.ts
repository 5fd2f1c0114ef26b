import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { blockLeaves, identifiersIn, localCallee, nodesIn, parts } from './code-shape.js';

/** Library calls that return None to signal "no result". */
const MAY_RETURN_NONE = new Set([
  're.match',
  're.search',
  're.fullmatch',
  're.Pattern.match',
  're.Pattern.search',
  're.Pattern.fullmatch',
  'shutil.which',
  'mimetypes.guess_extension',
  'imghdr.what',
]);

function anyMayReturnNone(names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (MAY_RETURN_NONE.has(names[i]!)) return true;
  return false;
}

/**
 * A module function that returns None on some path while returning a value on others.
 * `returns`: its own return statements (not those of nested functions, classes or lambdas).
 */
function mayReturnNone(def: PyNode, returns: readonly PyNode[]): boolean {
  let valued = false;
  let bare = false;
  for (const r of returns) {
    const v = firstPart(r);
    if (v && v.type !== 'none') valued = true;
    else bare = true;
  }
  if (!valued) return false;
  if (bare) return true;
  // Falling off the end returns None too.
  return !blockLeaves(def.child('body')) && !isGenerator(def);
}

/** The first named child that is not a comment (what `parts(node)[0]` gives, without the array). */
function firstPart(node: PyNode): PyNode | undefined {
  for (const c of node.children) if (c.isNamed && c.type !== 'comment') return c;
  return undefined;
}

const OWNERS = new Set(['function_definition', 'class_definition', 'lambda']);

/**
 * The module's return statements by the function they belong to (the nearest enclosing
 * function, class or lambda must be that function): one pass instead of a scan per function.
 */
function returnsByFunction(model: ModuleModel): Map<number, PyNode[]> {
  const out = new Map<number, PyNode[]>();
  const returns = model.byType('return_statement');
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    let owner = r.parent;
    while (owner && !OWNERS.has(owner.type)) owner = owner.parent;
    if (owner?.type !== 'function_definition') continue;
    const list = out.get(owner.id);
    if (list) list.push(r);
    else out.set(owner.id, [r]);
  }
  return out;
}

function isGenerator(def: PyNode): boolean {
  return [...nodesIn(def.child('body')!, 'yield')].length > 0;
}

/** How `expr` is used, if that use fails on None: `len(x)`, `x[i]`, `x.attr`, `for _ in x`. */
function unsafeUse(model: ModuleModel, expr: PyNode): string | undefined {
  const p = expr.parent;
  if (!p) return undefined;
  if (p.type === 'subscript' && expr.field === 'value') return 'indexed';
  if (p.type === 'attribute' && expr.field === 'object') return `.${p.child('attribute')?.text ?? ''} accessed`;
  if (p.type === 'for_statement' && expr.field === 'right') return 'iterated';
  if (p.type === 'argument_list') {
    const call = p.parent;
    const q = call && model.qname(call.child('function'));
    if (q && /^(len|sorted|list|tuple|set|dict|sum|max|min|iter|enumerate|zip)$/.test(q)) return `passed to ${q}()`;
  }
  if (p.type === 'binary_operator' && /^[-+*/%]$/.test(p.child('operator')?.text ?? '')) return 'used in arithmetic';
  return undefined;
}

/** A check of `name` against None (or its truth) that comes before `use` in the function. */
function checkedFirst(fnBody: PyNode, name: string, use: PyNode): boolean {
  // Guarded where it is used: `m.group() if m else None`, `m and m.group()`.
  for (let p = use.parent; p && p !== fnBody; p = p.parent) {
    const guard = p.type === 'conditional_expression' ? parts(p)[1] : p.type === 'boolean_operator' ? p.child('left') : undefined;
    if (guard && !guard.contains(use) && identifiersIn(guard).some((i) => i.text === name)) return true;
  }
  for (const n of fnBody.walk()) {
    if (n.startIndex >= use.startIndex) break;
    const cond =
      n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'while_statement'
        ? n.child('condition')
        : n.type === 'conditional_expression'
          ? parts(n)[1]
          : n.type === 'boolean_operator'
            ? n.child('left')
            : n.type === 'assert_statement'
              ? parts(n)[0]
              : undefined;
    if (cond && identifiersIn(cond).some((i) => i.text === name)) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/unchecked-return',
    cwes: [252, 476],
    severity: 'medium',
    confidence: 'medium',
    message: 'Return value that can signal failure is used unchecked',
    fixHint: 'Check the result before using it: `parsed = parse(data)` then `if parsed is None: return error` (or raise); for re.match use `m = re.match(...)` and `if m:` before m.group().',
    doc: 'Functions that return None (or another failure marker) when they cannot do their job leave it to the caller to check. Using the result directly, for its length, an index or an attribute, turns bad input into an unhandled TypeError or AttributeError: a crash that an attacker can trigger at will, or logic that continues on a failed step.',
  },
  check(context) {
    const { model } = context;
    // A module function is called from many places: judge its returns once.
    const returnsNone = new Map<number, boolean>();
    let returns: Map<number, PyNode[]> | undefined;
    return {
      call(c) {
        const def = localCallee(model, c);
        let failing: boolean;
        if (def) {
          let known = returnsNone.get(def.id);
          if (known === undefined) {
            returns ??= returnsByFunction(model);
            returnsNone.set(def.id, (known = mayReturnNone(def, returns.get(def.id) ?? [])));
          }
          failing = known;
        } else failing = anyMayReturnNone(c.qnames);
        if (!failing) return;
        const what = `${c.callee.text}()`;
        // Used directly: `len(parse(data))`, `re.match(p, s).group()`.
        const direct = unsafeUse(model, c.node);
        if (direct) {
          context.report({ node: c.node, message: `${what} can return None, and its result is ${direct} without a check` });
          return;
        }
        // Assigned, then used before any check: `parsed = parse(data); return len(parsed)`.
        const assign = c.node.parent?.type === 'assignment' && c.node.field === 'right' ? c.node.parent : undefined;
        const target = assign?.child('left');
        if (target?.type !== 'identifier') return;
        const fnBody = model.enclosingFunction(c.node)?.node.child('body') ?? model.root;
        // The identifiers after the assignment, in document order: node ids are pre-order, so
        // they follow the assignment's subtree (ids up to assign.lastId start before its end).
        const name = target.text;
        const nodes = fnBody.source.nodes;
        for (let i = Math.max(assign!.lastId + 1, fnBody.id); i <= fnBody.lastId; i++) {
          const id = nodes[i]!;
          if (id.type !== 'identifier' || id.endIndex - id.startIndex !== name.length || id.startIndex <= assign!.endIndex || id === target || id.text !== name) continue;
          if (!model.reaching(id).some((b) => b.kind === 'assign' && b.stmt === assign)) continue;
          const use = unsafeUse(model, id);
          if (!use) continue;
          if (checkedFirst(fnBody, target.text, id)) return;
          context.report({ node: id.parent!, message: `${target.text} comes from ${what}, which can return None, and is ${use} without a check` });
          return;
        }
      },
    };
  },
});
