// Helpers for the cryptography, secrets and configuration rules: where a value comes from
// inside the module (without taint kinds), call names through wildcard imports, constant
// byte patterns. Not a rule.
import type { PyNode } from '../ast.js';
import { canonicalName, elementAt, type CallInfo, type ModuleModel } from '../model.js';

/** What a visitor says about a node of the value graph: `false` stops the walk below it. */
export type FlowVisitor = (node: PyNode) => boolean | void;

const MAX_FLOW_NODES = 400;
const PASS_THROUGH = new Set([
  'parenthesized_expression',
  'binary_operator',
  'boolean_operator',
  'conditional_expression',
  'concatenated_string',
  'list',
  'tuple',
  'set',
  'expression_list',
  'dictionary',
  'pair',
  'keyword_argument',
  'await',
  'unary_operator',
  'named_expression',
  'list_splat',
  'dictionary_splat',
  'interpolation',
]);

/**
 * Walks the expressions a value is made of, backwards through the module: an identifier leads
 * to the values assigned to it (flow-sensitive), a call to its receiver and arguments (and to
 * the `return`s of the module's own functions), an attribute or subscript to its object, a
 * string to its interpolations. `visit` sees every node once; returning `false` prunes it.
 * Parameters, imports and `except ... as e` names are leaves (their binding node is visited).
 */
export function walkValue(model: ModuleModel, expr: PyNode | undefined, visit: FlowVisitor): void {
  if (!expr) return;
  // The first node is visited before the set is made: a leaf (a literal, a parameter name)
  // or a pruned node needs none.
  if (visit(expr) === false) return;
  const stack: PyNode[] = [];
  pushInputs(model, expr, stack);
  if (stack.length === 0) return;
  const seen = new Set<number>();
  seen.add(expr.id);
  while (stack.length && seen.size < MAX_FLOW_NODES) {
    const node = stack.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    if (visit(node) === false) continue;
    pushInputs(model, node, stack);
  }
}

/** `inputsOf(model, node)` appended to `out` in the same order, without the intermediate arrays. */
function pushInputs(model: ModuleModel, node: PyNode, out: PyNode[]): void {
  switch (node.type) {
    case 'identifier': {
      const bindings = model.reaching(node);
      for (let i = 0; i < bindings.length; i++) {
        const b = bindings[i]!;
        if (b.kind === 'assign') out.push(b.path.length ? elementAt(b.value, b.path).node : b.value);
        else if (b.kind === 'augassign' || b.kind === 'mutate') out.push(b.value);
        else if (b.kind === 'param' || b.kind === 'except' || b.kind === 'import') {
          if (b.node !== node) out.push(b.node);
        }
      }
      return;
    }
    case 'call': {
      const info = model.call(node);
      if (!info) return;
      const qnames = info.qnames;
      for (let i = 0; i < qnames.length; i++) {
        const def = model.localDefinition(qnames[i]!);
        if (def?.type === 'function_definition') {
          const returns = model.functionInfo(def)?.returns;
          if (returns) for (let j = 0; j < returns.length; j++) out.push(returns[j]!);
        }
      }
      if (info.receiver) out.push(info.receiver);
      const positional = info.positional;
      for (let i = 0; i < positional.length; i++) out.push(positional[i]!);
      if (info.keywords.size) for (const v of info.keywords.values()) out.push(v);
      return;
    }
    case 'attribute': {
      const object = node.child('object');
      if (object) out.push(object);
      return;
    }
    case 'string': {
      const children = node.children;
      for (let i = 0; i < children.length; i++) {
        const c = children[i]!;
        if (c.type !== 'interpolation') continue;
        const e = c.child('expression');
        if (e) out.push(e);
      }
      return;
    }
    default: {
      if (PASS_THROUGH.has(node.type)) {
        const named = node.namedChildren;
        for (let i = 0; i < named.length; i++) if (named[i]!.type !== 'comment') out.push(named[i]!);
        return;
      }
      const inputs = inputsOf(model, node);
      for (let i = 0; i < inputs.length; i++) out.push(inputs[i]!);
    }
  }
}

/** The expressions whose data directly makes up `node`. */
export function inputsOf(model: ModuleModel, node: PyNode): PyNode[] {
  switch (node.type) {
    case 'identifier': {
      const out: PyNode[] = [];
      // Only identifiers used as values have bindings worth following.
      for (const b of model.reaching(node)) {
        if (b.kind === 'assign') {
          const target = elementAt(b.value, b.path);
          out.push(target.node);
        } else if (b.kind === 'augassign' || b.kind === 'mutate') out.push(b.value);
        else if (b.kind === 'param' || b.kind === 'except' || b.kind === 'import') {
          if (b.node !== node) out.push(b.node);
        }
      }
      return out;
    }
    case 'attribute':
      return present(node.child('object'));
    case 'subscript': {
      // `config['timeout']` of `config = {'timeout': 5, 'password': ...}`: that entry only.
      const entry = dictEntry(model, node.child('value'), node.child('subscript'));
      return entry ?? present(node.child('value'));
    }
    case 'call': {
      const info = model.call(node);
      if (!info) return [];
      const out: PyNode[] = [];
      for (const q of info.qnames) {
        const def = model.localDefinition(q);
        if (def?.type === 'function_definition') out.push(...(model.functionInfo(def)?.returns ?? []));
      }
      if (info.receiver) out.push(info.receiver);
      out.push(...info.positional, ...info.keywords.values());
      return out;
    }
    case 'string':
      return node.children.filter((c) => c.type === 'interpolation').flatMap((c) => present(c.child('expression')));
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      return present(node.child('body'));
    case 'dictionary_comprehension': {
      const body = node.child('body');
      return body ? [...present(body.child('key')), ...present(body.child('value'))] : [];
    }
    default:
      if (PASS_THROUGH.has(node.type)) return node.namedChildren.filter((c) => c.type !== 'comment');
      return [];
  }
}

/**
 * The value expressions of a constant key in a dictionary literal that `base` always is
 * (a name bound once, never mutated): `[value]`, `[]` when the literal lacks the key, or
 * undefined when that is not known (a splat, a computed key, another binding).
 */
function dictEntry(model: ModuleModel, base: PyNode | undefined, keyNode: PyNode | undefined): PyNode[] | undefined {
  if (base?.type !== 'identifier' || keyNode?.type !== 'string') return undefined;
  const key = model.constString(keyNode);
  if (key === undefined) return undefined;
  const bindings = model.reaching(base);
  const b = bindings.length === 1 ? bindings[0]! : undefined;
  if (b?.kind !== 'assign' || b.path.length > 0 || b.value.type !== 'dictionary') return undefined;
  const out: PyNode[] = [];
  for (const item of b.value.namedChildren) {
    if (item.type === 'comment') continue;
    if (item.type !== 'pair') return undefined;
    const k = model.constString(item.child('key'));
    if (k === undefined) return undefined;
    if (k === key) out.push(...present(item.child('value')));
  }
  return out;
}

function present(n: PyNode | undefined | null): PyNode[] {
  return n ? [n] : [];
}

/** The first node of the value graph for which `test` holds (visiting stops there). */
export function findInValue(model: ModuleModel, expr: PyNode | undefined, test: (n: PyNode) => boolean, prune?: (n: PyNode) => boolean): PyNode | undefined {
  let found: PyNode | undefined;
  walkValue(model, expr, (n) => {
    if (found) return false;
    if (test(n)) {
      found = n;
      return false;
    }
    return prune ? !prune(n) : true;
  });
  return found;
}

/**
 * Modules imported with `from m import *`. Their names resolve to `m.name` when nothing else
 * binds them (`from Crypto.Cipher import *; DES.new(...)`).
 */
export function wildcardModules(model: ModuleModel): string[] {
  const state = flowState(model);
  return (state.wild ??= findWildcardModules(model));
}

function findWildcardModules(model: ModuleModel): string[] {
  const out: string[] = [];
  for (const stmt of model.byType('import_from_statement')) {
    if (!stmt.children.some((c) => c.type === 'wildcard_import')) continue;
    const m = stmt.child('module_name');
    if (m && m.type !== 'relative_import') out.push(m.text);
  }
  return out;
}

/**
 * Qualified names of an expression, plus the spellings a wildcard import would give an
 * unbound head name. Results are canonical dotted names.
 */
export function namesOf(model: ModuleModel, expr: PyNode | undefined): string[] {
  if (!expr) return [];
  // Rules ask for the same callees over and over (every call visitor): answer once per node.
  const state = flowState(model);
  let names = state.names.get(expr.id);
  if (names === undefined) state.names.set(expr.id, (names = computeNamesOf(model, expr, state)));
  return names;
}

/** Per-model memos: the model is read-only once built, so answers never change. */
interface FlowState {
  /** namesOf answers by node id. */
  names: Map<number, string[]>;
  /** Modules imported with `from m import *`, once asked for. */
  wild: string[] | undefined;
}

const flowStates = new WeakMap<ModuleModel, FlowState>();
// Every call visitor of several rules asks about the same model in a row: the last model's
// memos are kept at hand instead of being looked up in the WeakMap each time (weakly: an
// analysed module is not kept alive by this).
let lastModel: WeakRef<ModuleModel> | undefined;
let lastState: FlowState | undefined;

function flowState(model: ModuleModel): FlowState {
  if (lastModel?.deref() === model) return lastState!;
  let state = flowStates.get(model);
  if (!state) {
    state = { names: new Map(), wild: undefined };
    flowStates.set(model, state);
  }
  lastModel = new WeakRef(model);
  lastState = state;
  return state;
}

function computeNamesOf(model: ModuleModel, expr: PyNode, state: FlowState): string[] {
  let names = model.values(expr);
  const head = headIdentifier(expr);
  if (!head) return names;
  const reaching = model.reaching(head);
  // (A head with no reaching binding is a builtin or an unknown global: it has no bindings of
  // its own that are all mutations, and no module import, so only wildcards can add names.)
  if (reaching.length === 0) {
    const wild = (state.wild ??= findWildcardModules(model));
    if (wild.length === 0) return names;
    const out = [...names];
    for (const n of names) for (const m of wild) out.push(`${m}.${n}`);
    return out;
  }
  // `session['k'] = v` inside a function records a mutation of `session` there, which hides
  // the module's `from flask import session`: fall back to the module-level import.
  // (The scope's own bindings are looked at only when every reaching one is a mutation.)
  if (reaching[0]!.kind === 'mutate' && reaching.every((b) => b.kind === 'mutate')) {
    const local = model.scopeOf(head).bindings.get(head.text) ?? [];
    if (local.length > 0 && local.every((b) => b.kind === 'mutate')) {
      const imported = model.scopes.module.bindings.get(head.text)?.find((b) => b.kind === 'import');
      if (imported?.kind === 'import') {
        const base = canonicalName(imported.qname);
        const chain = dottedChain(expr);
        names = chain ? [canonicalName(base + chain.slice(head.text.length))] : names.map((n) => (n === head.text || n.startsWith(`${head.text}.`) ? base + n.slice(head.text.length) : n));
      }
    }
  }
  return names;
}

/**
 * Whether the module's source text matches `words` (an alternation of plain words, e.g.
 * `/ssl|SSL/`). Qualified names are spelled with the source's own words (imported modules and
 * names, attributes, unbound names) and the knowledge tables' aliases: a rule looking for
 * names that need a word the source lacks can skip its name tests for the whole module. It
 * scans the whole text: call it once per module, and only where that saves more than a scan.
 */
export function sourceMentions(model: ModuleModel, words: RegExp): boolean {
  return words.test(model.root.source.text);
}

/** Every name a call's callee may have, through wildcard imports too. */
export function callNames(model: ModuleModel, call: CallInfo): string[] {
  return namesOf(model, call.callee);
}

/** True when one of the call's names (wildcard imports included) is in `names`. */
export function callIs(model: ModuleModel, call: CallInfo, names: readonly string[]): boolean {
  const all = callNames(model, call);
  return all.some((q) => names.includes(q));
}

/** `a.b.c` for a chain of attributes on a name, else undefined. */
function dottedChain(node: PyNode): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type !== 'attribute') return undefined;
  const object = node.child('object');
  const inner = object ? dottedChain(object) : undefined;
  return inner === undefined ? undefined : `${inner}.${node.child('attribute')?.text}`;
}

function headIdentifier(node: PyNode): PyNode | undefined {
  let n: PyNode | undefined = node;
  while (n) {
    if (n.type === 'identifier') return n;
    if (n.type === 'attribute') n = n.child('object');
    else if (n.type === 'call') n = n.child('function');
    else if (n.type === 'subscript') n = n.child('value');
    else return undefined;
  }
  return undefined;
}

/**
 * A byte or text value that is the same on every run: a literal, a constant name, a literal
 * repeated (`b'\x00' * 16`, `b'x' * AES.block_size`), `bytes(16)` / `bytearray(16)`, or a
 * constant `.encode()`d.
 */
export function isFixedBytes(model: ModuleModel, expr: PyNode | undefined, depth = 0): boolean {
  if (!expr || depth > 6) return false;
  const v = model.constValue(expr);
  if (typeof v === 'string') return true;
  switch (expr.type) {
    case 'parenthesized_expression':
      return isFixedBytes(model, expr.namedChildren[0], depth + 1);
    case 'binary_operator': {
      const op = expr.child('operator')?.text;
      const l = expr.child('left');
      const r = expr.child('right');
      if (op === '*') return isFixedBytes(model, l, depth + 1) || isFixedBytes(model, r, depth + 1);
      if (op === '+') return isFixedBytes(model, l, depth + 1) && isFixedBytes(model, r, depth + 1);
      return false;
    }
    case 'call': {
      const info = model.call(expr);
      if (!info) return false;
      const q = info.callee.type === 'identifier' ? info.qname : undefined;
      if ((q === 'bytes' || q === 'bytearray') && info.positional.length === 1 && typeof model.constValue(info.positional[0]) === 'number') return true;
      if ((q === 'bytes' || q === 'bytearray' || q === 'str') && info.positional.length >= 1) return isFixedBytes(model, info.positional[0], depth + 1);
      if (info.method && ['encode', 'ljust', 'rjust', 'zfill', 'upper', 'lower'].includes(info.method) && info.receiver) return isFixedBytes(model, info.receiver, depth + 1);
      if (q && /^(bytes|bytearray)\.fromhex$/.test(q)) return isFixedBytes(model, info.positional[0], depth + 1);
      if (info.qnames.some((n) => n === 'binascii.unhexlify' || n === 'base64.b64decode' || n === 'base64.urlsafe_b64decode')) return isFixedBytes(model, info.positional[0], depth + 1);
      return false;
    }
    case 'identifier': {
      const bindings = model.reaching(expr);
      if (bindings.length === 0) return false;
      return bindings.every((b) => b.kind === 'assign' && !b.element && isFixedBytes(model, elementAt(b.value, b.path).node, depth + 1));
    }
    default:
      return false;
  }
}

/** The numeric constant of an expression, if it has one. */
export function constNumber(model: ModuleModel, expr: PyNode | undefined): number | undefined {
  const v = model.constValue(expr);
  return typeof v === 'number' ? v : undefined;
}

/** The name an assignment target, keyword or dictionary key gives a value (`x`, `self.x`, `d['x']`). */
export function targetName(model: ModuleModel, target: PyNode | undefined): string | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  if (target.type === 'attribute') return target.child('attribute')?.text;
  if (target.type === 'subscript') return model.constString(target.child('subscript'));
  if (target.type === 'string' || target.type === 'concatenated_string') return model.constString(target);
  return undefined;
}

/** The enclosing statement-level node of an expression (assignment, expression_statement...). */
export function enclosingStatement(node: PyNode): PyNode | undefined {
  for (let p: PyNode | null = node; p; p = p.parent) if (p.parent && (p.parent.type === 'block' || p.parent.type === 'module')) return p;
  return undefined;
}

/** The function, class body or module a node belongs to, for "same scope" searches. */
export function scopeNode(node: PyNode): PyNode {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'module') return p;
  return node;
}

/**
 * Calls of `method` on the same object as `receiver` (same identifier text in the same
 * function, or the same `self.x` attribute), e.g. `ctx.set_verify(...)` for `ctx = Context()`.
 */
export function methodCallsOn(model: ModuleModel, receiverName: string, scope: PyNode, methods: readonly string[]): CallInfo[] {
  return model.calls.filter((c) => c.method && methods.includes(c.method) && c.receiver?.text === receiverName && scope.contains(c.node));
}

/** The variable (or `self.attr`) a call's result is assigned to, when it is. */
export function assignedName(node: PyNode): { name: string; target: PyNode } | undefined {
  let p = node.parent;
  while (p && (p.type === 'parenthesized_expression' || p.type === 'await')) p = p.parent;
  if (p?.type !== 'assignment' || p.child('right') === undefined) return undefined;
  let right = p.child('right');
  while (right?.type === 'parenthesized_expression') right = right.namedChildren[0];
  if (right !== node) return undefined;
  const left = p.child('left');
  if (!left || (left.type !== 'identifier' && left.type !== 'attribute')) return undefined;
  return { name: left.text, target: left };
}
