// Structural helpers for the rules about files, resources, concurrency, logic and
// authorisation: statements, handlers, loops, stub functions, simple def-use closures.
// Not a rule.
import type { PyNode } from '../ast.js';
import { elementAt, type CallInfo, type FunctionInfo, type ModuleModel } from '../model.js';

/** Named children that are not comments. */
export function parts(node: PyNode | undefined): PyNode[] {
  return node ? node.namedChildren.filter((c) => c.type !== 'comment') : [];
}

/** `<=`, `is not`, `not in`: the operators of a comparison, tokens joined. */
export function comparisonOperators(cmp: PyNode): string[] {
  const ops: string[] = [];
  let pending: string | undefined;
  for (const c of cmp.children) {
    if (c.field !== 'operators') {
      if (pending !== undefined) ops.push(pending);
      pending = undefined;
      continue;
    }
    pending = pending === undefined ? c.text : `${pending} ${c.text}`;
  }
  if (pending !== undefined) ops.push(pending);
  return ops;
}

/** The operands of a comparison, in order. */
export function comparisonOperands(cmp: PyNode): PyNode[] {
  return cmp.children.filter((c) => c.isNamed && c.field !== 'operators' && c.type !== 'comment');
}

/** Strips parentheses around an expression. */
export function unparen(node: PyNode | undefined): PyNode | undefined {
  let n = node;
  while (n?.type === 'parenthesized_expression') n = parts(n)[0];
  return n;
}

/** The statements of a function body, or of any block. */
export function statementsOf(block: PyNode | undefined): PyNode[] {
  return parts(block);
}

/** A docstring, `pass`, `...`, or a comment: a statement that does nothing. */
export function isInertStatement(s: PyNode): boolean {
  if (s.type === 'pass_statement' || s.type === 'comment') return true;
  if (s.type === 'expression_statement') {
    const e = parts(s)[0];
    return !!e && (e.type === 'string' || e.type === 'concatenated_string' || e.type === 'ellipsis');
  }
  return false;
}

/**
 * A function with no implementation: only docstrings, `pass`, `...`, `raise
 * NotImplementedError` or a bare `return`/`return None`. Its behaviour is unknown.
 */
export function isStubFunction(def: PyNode): boolean {
  const body = statementsOf(def.child('body'));
  if (body.length === 0) return true;
  return body.every((s) => {
    if (isInertStatement(s)) return true;
    if (s.type === 'return_statement') {
      const v = parts(s)[0];
      return !v || v.type === 'none';
    }
    if (s.type === 'raise_statement') return /NotImplemented/.test(s.text);
    return false;
  });
}

/**
 * A check that cannot fail: its body (after docstrings) is just `return True` (a placeholder
 * validator that approves everything).
 */
export function alwaysApproves(def: PyNode): boolean {
  const body = statementsOf(def.child('body')).filter((s) => !isInertStatement(s));
  if (body.length !== 1 || body[0]!.type !== 'return_statement') return false;
  return parts(body[0])[0]?.type === 'true';
}

/** The local function definition a call resolves to (`$.name`), if any. */
export function localCallee(model: ModuleModel, call: CallInfo): PyNode | undefined {
  const qnames = call.qnames;
  for (let i = 0; i < qnames.length; i++) {
    const q = qnames[i]!;
    // Local definitions are all `$.`-names: no look-up for library names.
    if (q.charCodeAt(0) !== 36) continue;
    const def = model.localDefinition(q);
    if (def?.type === 'function_definition') return def;
  }
  return undefined;
}

const BUILTINS = new Set([
  'print', 'len', 'str', 'int', 'float', 'bool', 'list', 'dict', 'set', 'tuple', 'range', 'enumerate', 'zip', 'map',
  'filter', 'sorted', 'reversed', 'min', 'max', 'sum', 'any', 'all', 'abs', 'round', 'open', 'input', 'isinstance',
  'issubclass', 'hasattr', 'getattr', 'setattr', 'delattr', 'type', 'id', 'hash', 'repr', 'format', 'iter', 'next',
  'super', 'object', 'bytes', 'bytearray', 'ord', 'chr', 'hex', 'oct', 'bin', 'divmod', 'pow', 'vars', 'dir',
  'globals', 'locals', 'callable', 'eval', 'exec', 'compile', 'frozenset', 'memoryview', 'slice', 'staticmethod',
  'classmethod', 'property', 'exit', 'quit', 'help', 'breakpoint', 'ascii', 'complex', '__import__',
]);

/**
 * A call whose implementation the snippet does not show: a local stub, or a plain name that
 * is neither defined, imported nor a builtin (a helper the snippet assumes exists).
 */
export function callsUnimplemented(model: ModuleModel, call: CallInfo): boolean {
  const def = localCallee(model, call);
  if (def) return isStubFunction(def);
  if (call.callee.type !== 'identifier') return false;
  const name = call.callee.text;
  return !BUILTINS.has(name) && model.reaching(call.callee).length === 0;
}

/** The innermost enclosing node of one of the types, stopping at function boundaries. */
export function enclosingWithin(node: PyNode, types: string[], stopAt: PyNode | undefined): PyNode | undefined {
  for (let p = node.parent; p && p !== stopAt; p = p.parent) {
    if (types.includes(p.type)) return p;
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return undefined;
  }
  return undefined;
}

/** The `try` statements whose body (not handlers) contains `node`, innermost first. */
export function tryBodiesAround(node: PyNode): PyNode[] {
  const out: PyNode[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
    if (p.type === 'try_statement' && p.child('body')?.contains(node)) out.push(p);
  }
  return out;
}

/** The except clauses of a try statement. */
export function exceptClauses(tryStmt: PyNode): PyNode[] {
  return tryStmt.children.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
}

/** The finally block of a try statement. */
export function finallyBlock(tryStmt: PyNode): PyNode | undefined {
  return tryStmt.children.find((c) => c.type === 'finally_clause')?.namedChildren.find((c) => c.type === 'block');
}

/** The body block of an except clause. */
export function handlerBody(clause: PyNode): PyNode | undefined {
  return clause.namedChildren.find((c) => c.type === 'block');
}

/** Exception class names an except clause catches (`[]` for a bare `except:`). */
export function caughtNames(clause: PyNode): string[] {
  let value = clause.child('value') ?? clause.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  if (!value || value.type === 'block') return [];
  if (value.type === 'as_pattern') value = parts(value)[0];
  value = unparen(value);
  if (!value) return [];
  const items = value.type === 'tuple' || value.type === 'expression_list' ? parts(value) : [value];
  return items.map((i) => i.text.replace(/^.*\./, ''));
}

const BROAD = new Set(['Exception', 'BaseException']);

/** `except:`, `except Exception:`, `except BaseException:`. */
export function isBroadHandler(clause: PyNode): boolean {
  const names = caughtNames(clause);
  return names.length === 0 || names.some((n) => BROAD.has(n));
}

/** A handler that catches OS errors from file operations (or everything). */
export function catchesOsErrors(clause: PyNode): boolean {
  if (isBroadHandler(clause)) return true;
  return caughtNames(clause).some((n) => /^(OSError|IOError|EnvironmentError|FileNotFoundError|PermissionError|IsADirectoryError|NotADirectoryError|FileExistsError)$/.test(n));
}

/** Every call node inside `node` (itself included), not descending into nested functions. */
export function callsIn(node: PyNode): PyNode[] {
  return nodesOutsideNested(node, 'call');
}

/** Nodes of a type inside `node`, not descending into nested functions and classes. */
export function nodesIn(node: PyNode, type: string): PyNode[] {
  return nodesOutsideNested(node, type);
}

const NESTED = new Set(['function_definition', 'class_definition', 'lambda']);

/**
 * `node` and its descendants of a type, in document order, skipping functions, classes and
 * lambdas below `node`. Node ids are pre-order, so a subtree is the id run [id, lastId]: a
 * scan of the tree's node list that jumps over nested definitions, with no stack.
 */
function nodesOutsideNested(node: PyNode, type: string): PyNode[] {
  const all = node.source.nodes;
  const out: PyNode[] = [];
  if (node.type === type) out.push(node);
  for (let i = node.id + 1; i <= node.lastId; i++) {
    const n = all[i]!;
    if (NESTED.has(n.type)) i = n.lastId;
    else if (n.type === type) out.push(n);
  }
  return out;
}

/**
 * Whether one of the ascending node ids lies in `node`'s subtree (the id run
 * [node.id, node.lastId] that `node.walk()` visits): a binary search, for rules that list
 * the few nodes they care about once per module and then ask per function or loop.
 */
export function anyIdIn(ids: readonly number[], node: PyNode): boolean {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < node.id) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo]! <= node.lastId;
}

/** Identifiers read in an expression (not attribute names, not keyword names). */
export function identifiersIn(expr: PyNode): PyNode[] {
  const out: PyNode[] = [];
  for (const n of expr.walk()) {
    if (n.type !== 'identifier') continue;
    if (n.field === 'attribute') continue;
    if (n.parent?.type === 'keyword_argument' && n.field === 'name') continue;
    out.push(n);
  }
  return out;
}

/** True when the expression reads the name `name` anywhere. */
export function mentions(expr: PyNode | undefined, name: string): boolean {
  return !!expr && identifiersIn(expr).some((i) => i.text === name);
}

/**
 * Names assigned (or mutated, or bound by a loop) inside `scope`, not descending into nested
 * functions: what a loop body can change.
 */
export function namesWritten(scope: PyNode): Set<string> {
  const out = new Set<string>();
  const addTarget = (t: PyNode | undefined): void => {
    if (!t) return;
    if (t.type === 'identifier') out.add(t.text);
    else if (t.type === 'attribute' || t.type === 'subscript') {
      let base: PyNode | undefined = t;
      while (base && (base.type === 'attribute' || base.type === 'subscript')) base = base.type === 'attribute' ? base.child('object') : base.child('value');
      if (base?.type === 'identifier') out.add(base.text);
      out.add(t.text);
    } else for (const c of parts(t)) addTarget(c);
  };
  const stack: PyNode[] = [scope];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'assignment':
      case 'augmented_assignment':
        addTarget(n.child('left'));
        break;
      case 'for_statement':
      case 'for_in_clause':
        addTarget(n.child('left'));
        break;
      case 'named_expression':
        addTarget(n.child('name'));
        break;
      case 'delete_statement':
        for (const c of parts(n)) addTarget(c);
        break;
      case 'with_item': {
        const alias = n.child('value')?.child('alias');
        if (alias) addTarget(parts(alias)[0]);
        break;
      }
      case 'call': {
        // `items.pop()`, `queue.get()`: a method call may change its receiver.
        const fn = n.child('function');
        if (fn?.type === 'attribute') addTarget(fn.child('object'));
        break;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of parts(n)) out.add(c.text);
        break;
    }
    for (const c of n.children) if (c.type !== 'function_definition' && c.type !== 'class_definition') stack.push(c);
  }
  return out;
}

/** A statement list that always leaves: its last statement returns, raises, breaks or continues. */
export function blockLeaves(block: PyNode | undefined): boolean {
  const stmts = statementsOf(block);
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (['return_statement', 'raise_statement', 'continue_statement', 'break_statement'].includes(last.type)) return true;
  if (last.type === 'expression_statement') {
    const call = parts(last)[0];
    if (call?.type === 'call' && /(^|\.)(abort|exit|_exit|quit)$/.test(call.child('function')?.text ?? '')) return true;
  }
  if (last.type === 'if_statement') {
    const elseClause = last.children.find((c) => c.type === 'else_clause');
    if (!elseClause) return false;
    const branches = [last.child('consequence'), ...last.children.filter((c) => c.type === 'elif_clause').map((e) => e.child('consequence')), elseClause.child('body')];
    return branches.every((b) => blockLeaves(b));
  }
  if (last.type === 'try_statement') {
    if (blockLeaves(finallyBlock(last))) return true;
    const elseBody = last.children.find((c) => c.type === 'else_clause')?.child('body');
    const mainLeaves = blockLeaves(last.child('body')) || blockLeaves(elseBody);
    return mainLeaves && exceptClauses(last).every((h) => blockLeaves(handlerBody(h)));
  }
  if (last.type === 'with_statement') return blockLeaves(last.child('body'));
  if (last.type === 'while_statement') {
    // `while True:` without a break never falls through.
    const body = last.child('body');
    return last.child('condition')?.type === 'true' && !!body && ![...nodesIn(body, 'break_statement')].some((b) => b.ancestor('while_statement', 'for_statement') === last);
  }
  return false;
}

/** The function (def) that contains `node`, if any. */
export function enclosingDef(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

/** Parameter names of a function, without `self`/`cls` of methods. */
export function plainParams(fn: FunctionInfo): string[] {
  const skip = fn.cls && !fn.decorators.some((d) => d.text === 'staticmethod') ? 1 : 0;
  return fn.params.filter((p) => p.index >= skip).map((p) => p.name);
}

/**
 * Names in a function that hold data derived from `seeds` (names), following assignments,
 * augmented assignments, loop targets and `with ... as` inside the function, until nothing
 * changes. Flow-insensitive: good enough to ask "does this value come from that one".
 */
export function derivedNames(body: PyNode, seeds: Iterable<string>): Set<string> {
  const names = new Set(seeds);
  const bindings: Array<{ targets: PyNode; value: PyNode }> = [];
  const stack: PyNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.child('left');
      const right = n.child('right');
      if (left && right) bindings.push({ targets: left, value: right });
    } else if (n.type === 'for_statement') {
      const left = n.child('left');
      const right = n.child('right');
      if (left && right) bindings.push({ targets: left, value: right });
    } else if (n.type === 'with_item') {
      const v = n.child('value');
      if (v?.type === 'as_pattern') {
        const expr = parts(v)[0];
        const alias = v.child('alias');
        if (expr && alias) bindings.push({ targets: alias, value: expr });
      }
    } else if (n.type === 'named_expression') {
      const name = n.child('name');
      const value = n.child('value');
      if (name && value) bindings.push({ targets: name, value });
    }
    for (const c of n.children) if (c.type !== 'function_definition' && c.type !== 'class_definition') stack.push(c);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of bindings) {
      if (!identifiersIn(b.value).some((i) => names.has(i.text))) continue;
      for (const t of identifiersIn(b.targets)) {
        if (t.parent?.type === 'attribute' && t.field === 'object') continue;
        if (!names.has(t.text)) {
          names.add(t.text);
          changed = true;
        }
      }
    }
  }
  return names;
}

/**
 * Whether `test` holds for some expression the value of `expr` is built from: follows names
 * to what was assigned to them (also loop elements and `with ... as`), calls to their
 * receiver and arguments, and every sub-expression. Unlike taint, no sanitizer stops it:
 * it answers "is this made from that", e.g. base64 of an uploaded file is still the upload.
 */
export function builtFrom(model: ModuleModel, expr: PyNode | undefined, test: (n: PyNode) => boolean, options: { limit?: number; throughParameters?: boolean } = {}): boolean {
  if (!expr) return false;
  const limit = options.limit ?? 300;
  const seen = new Set<number>();
  const stack: PyNode[] = [expr];
  while (stack.length && seen.size < limit) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (test(n)) return true;
    if (n.type === 'identifier') {
      for (const b of model.reaching(n)) {
        if (b.kind === 'assign' || b.kind === 'augassign' || b.kind === 'mutate') stack.push(b.kind === 'assign' ? elementAt(b.value, b.path).node : b.value);
        // A parameter of a module function: what its callers pass.
        else if (b.kind === 'param' && options.throughParameters) stack.push(...argumentsFor(model, b.fn, b.name, b.index));
      }
      continue;
    }
    if (n.type === 'lambda' || n.type === 'function_definition') continue;
    for (const c of n.namedChildren) if (c.type !== 'comment' && !(c.field === 'attribute' && n.type === 'attribute')) stack.push(c);
  }
  return false;
}

/** The argument expressions the module's calls pass for one parameter of a local function. */
export function argumentsFor(model: ModuleModel, fnNode: PyNode, name: string, index: number): PyNode[] {
  const fn = model.functionInfo(fnNode);
  if (!fn) return [];
  const out: PyNode[] = [];
  for (const c of model.calls) {
    if (!c.qnames.includes(fn.qname)) continue;
    const offset = fn.cls && c.method && !fn.decorators.some((d) => d.text === 'staticmethod') ? 1 : 0;
    const arg = c.arg(index - offset, name);
    if (arg) out.push(arg);
  }
  return out;
}

/**
 * Qualified names of an expression, also when its base name is only mutated in the function
 * (`session['user'] = ...` makes `session` a local mutation, which hides the module import).
 */
export function valuesOf(model: ModuleModel, expr: PyNode): string[] {
  const direct = model.values(expr);
  let base: PyNode | undefined = expr;
  const path: string[] = [];
  while (base && (base.type === 'attribute' || base.type === 'subscript')) {
    path.unshift(base.type === 'attribute' ? `.${base.child('attribute')?.text ?? ''}` : '[]');
    base = base.type === 'attribute' ? base.child('object') : base.child('value');
  }
  if (base?.type !== 'identifier' || (direct.length && direct.some((d) => d.includes('.')))) return direct;
  const imported = (model.scopes.module.bindings.get(base.text) ?? []).find((b) => b.kind === 'import');
  if (!imported || imported.kind !== 'import') return direct;
  return [imported.qname + path.join('')];
}
