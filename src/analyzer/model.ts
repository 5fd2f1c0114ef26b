import type { PyNode } from './ast.js';
import { braceFormat, type Const, parseNumber, percentFormat, pyStr, stringPieces, stringPrefix } from './constants.js';
import { ALIASES, CALL_RESULTS, ITEM_TYPES } from './knowledge.js';
import { type Binding, enclosingScopeNode, type Scope, ScopeBuilder } from './scope.js';
import { findRoute, isDjangoRequestParam, type RouteInfo } from './frameworks.js';
import { exits } from './guards.js';

/** A call site with its arguments sorted out. */
export interface CallInfo {
  node: PyNode;
  /** The callee expression (`subprocess.run`, `cur.execute`...). */
  callee: PyNode;
  /** Qualified name of the callee; the first of `qnames`. */
  qname: string | undefined;
  /** Every qualified name the callee may have (a name bound differently on two paths). */
  qnames: string[];
  /** Method name when the callee is an attribute (`execute` in `cur.execute(...)`). */
  method?: string;
  /** The object a method is called on. */
  receiver?: PyNode;
  positional: PyNode[];
  keywords: Map<string, PyNode>;
  /** `*args` or `**kwargs` present: positions after it are unknown. */
  hasSplat: boolean;
  /** Argument by position, or by keyword when given that way. */
  arg(index: number, keyword?: string): PyNode | undefined;
}

export interface ParamInfo {
  name: string;
  node: PyNode;
  index: number;
  annotation?: PyNode;
  default?: PyNode;
  star?: 'args' | 'kwargs';
}

export interface FunctionInfo {
  node: PyNode;
  name: string;
  /** `$.name`, `$.Class.method`, `$.outer.inner`: local definitions live under `$`. */
  qname: string;
  params: ParamInfo[];
  /** The expressions of the decorators (`app.route('/x')`). */
  decorators: PyNode[];
  /** Enclosing class when this is a method. */
  cls?: PyNode;
  isAsync: boolean;
  /** Expressions of the `return` statements of this function (not of nested ones). */
  returns: PyNode[];
  /** Set when this function is a web route (Flask, FastAPI) or a Django view. */
  route?: RouteInfo;
}

export interface ClassInfo {
  node: PyNode;
  name: string;
  qname: string;
  bases: PyNode[];
}

/**
 * A call site. One class (rather than object literals with their own getter closures) keeps
 * every CallInfo the same shape and its qualified names computed on first use.
 */
class CallSite implements CallInfo {
  method?: string = undefined;
  receiver?: PyNode = undefined;
  private names?: string[] = undefined;

  constructor(
    private readonly model: ModuleModel,
    readonly node: PyNode,
    readonly callee: PyNode,
    readonly positional: PyNode[],
    readonly keywords: Map<string, PyNode>,
    readonly hasSplat: boolean,
  ) {}

  get qnames(): string[] {
    return (this.names ??= this.model.values(this.callee));
  }

  get qname(): string | undefined {
    return this.qnames[0];
  }

  arg(index: number, keyword?: string): PyNode | undefined {
    return (keyword !== undefined ? this.keywords.get(keyword) : undefined) ?? (index >= 0 ? this.positional[index] : undefined);
  }
}

const MAX_VALUES = 6;
const MAX_DEPTH = 40;

const SORTED_ALIASES = [...ALIASES].sort((a, b) => b[0].length - a[0].length);

/** True when `name` is `prefix` or continues it at a `.`, `(` or `[` boundary. */
export function startsWithName(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  if (name.length === prefix.length) return true;
  const next = name[prefix.length];
  return next === '.' || next === '(' || next === '[' || prefix.endsWith('.') || prefix.endsWith('(') || prefix.endsWith('[');
}

/** The first segment of a dotted name: up to the first `.`, `(` or `[`. */
function headSegment(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46 || c === 40 || c === 91) return name.slice(0, i);
  }
  return name;
}

// A name that starts with an alias at a name boundary shares the alias's first segment, so
// only the aliases filed under the name's own first segment can match (longest first).
const ALIASES_BY_HEAD = (() => {
  const byHead = new Map<string, Array<readonly [string, string]>>();
  for (const alias of SORTED_ALIASES) {
    const head = headSegment(alias[0]);
    const list = byHead.get(head);
    if (list) list.push(alias);
    else byHead.set(head, [alias]);
  }
  return byHead;
})();

/** Rewrites known aliases to canonical spellings (`cPickle.loads` → `pickle.loads`). */
export function canonicalName(q: string): string {
  const candidates = ALIASES_BY_HEAD.get(headSegment(q));
  if (candidates) for (const [from, to] of candidates) if (startsWithName(q, from)) return to + q.slice(from.length);
  return q;
}

const ITEM_METHODS = new Set([
  'get_database',
  'get_default_database',
  'list_database_names',
  'close',
  'server_info',
  'drop_database',
  'get_collection',
  'list_collection_names',
  'command',
  'create_collection',
  'drop_collection',
  'client',
  'name',
  'start_session',
  'address',
  'watch',
]);

/**
 * The semantic model of one Python module: scopes and bindings, qualified names, a simple
 * type notion for common receivers, constants, calls, functions, classes and web routes.
 * Built once per analysis; every query is memoised and read-only afterwards.
 */
export class ModuleModel {
  readonly scopes: ScopeBuilder;
  readonly calls: CallInfo[] = [];
  readonly functions: FunctionInfo[] = [];
  readonly classes: ClassInfo[] = [];
  /** Qualified names of every imported module or name. */
  readonly imported = new Set<string>();
  private readonly byTypeIndex = new Map<string, PyNode[]>();
  private readonly callByNode = new Map<number, CallInfo>();
  private readonly functionByNode = new Map<number, FunctionInfo>();
  private readonly localDefs = new Map<string, PyNode>();
  private readonly memberAssignments = new Map<string, PyNode[]>();
  private readonly valuesMemo = new Map<number, string[]>();
  private readonly constMemo = new Map<number, Const | undefined>();
  private readonly reachingMemo = new Map<number, Binding[]>();
  private readonly scopeMemo = new Map<number, Scope>();
  /**
   * Values and constants being computed (node ids; constants as -id-1), innermost last: a
   * stack, since computations nest. A Set grew and shrank its table on every query.
   */
  private readonly inProgress: number[] = [];
  private depth = 0;

  constructor(
    readonly root: PyNode,
    readonly nodes: readonly PyNode[],
  ) {
    // Indexed loops over every node and call: the constructor runs once per file, mostly before
    // V8 optimises it, and unoptimised for-of loops allocate an iterator result per step.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const list = this.byTypeIndex.get(n.type);
      if (list) list.push(n);
      else this.byTypeIndex.set(n.type, [n]);
    }
    this.scopes = new ScopeBuilder(root);
    for (const list of this.scopes.module.bindings.values())
      for (const b of list) if (b.kind === 'import') this.imported.add(canonicalName(b.qname));
    for (const s of this.allScopes())
      if (s !== this.scopes.module)
        for (const list of s.bindings.values()) for (const b of list) if (b.kind === 'import') this.imported.add(canonicalName(b.qname));
    this.collectDefinitions();
    const callNodes = this.byType('call');
    for (let i = 0; i < callNodes.length; i++) {
      const n = callNodes[i]!;
      const info = this.makeCall(n);
      this.calls.push(info);
      this.callByNode.set(n.id, info);
    }
    for (const f of this.functions) f.route = findRoute(this, f);
  }

  private readonly ifElseMemo = new Map<number, PyNode[]>();

  /**
   * The `if` statements with an `else` among a block's children (only those can rebind a
   * name on every path), listed once per block. For the reaching-definitions search.
   */
  ifElseChildren(block: PyNode): PyNode[] {
    let list = this.ifElseMemo.get(block.id);
    if (!list) {
      list = block.children.filter((s) => s.type === 'if_statement' && s.children.some((c) => c.type === 'else_clause'));
      this.ifElseMemo.set(block.id, list);
    }
    return list;
  }

  /** All nodes of a tree-sitter type, in document order. */
  byType(type: string): readonly PyNode[] {
    return this.byTypeIndex.get(type) ?? [];
  }

  *allScopes(): Generator<Scope> {
    const stack: Scope[] = [this.scopes.module];
    while (stack.length) {
      const s = stack.pop()!;
      yield s;
      stack.push(...s.children);
    }
  }

  /** True when the module imports `prefix` or something under it (`flask`, `django`). */
  importsModule(prefix: string): boolean {
    for (const q of this.imported) if (startsWithName(q, prefix)) return true;
    return false;
  }

  call(node: PyNode): CallInfo | undefined {
    return this.callByNode.get(node.id);
  }

  functionInfo(def: PyNode): FunctionInfo | undefined {
    return this.functionByNode.get(def.id);
  }

  /** Innermost function (def or lambda is skipped) that contains `node`. */
  enclosingFunction(node: PyNode): FunctionInfo | undefined {
    for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return this.functionByNode.get(p.id);
    return undefined;
  }

  /** Qualified names of a class's bases. */
  baseNames(cls: ClassInfo): string[] {
    return cls.bases.flatMap((b) => this.values(b));
  }

  /** The local function or class a `$.`-qualified name refers to. */
  localDefinition(qname: string): PyNode | undefined {
    return this.localDefs.get(qname);
  }

  scopeOf(node: PyNode): Scope {
    let scope = this.scopeMemo.get(node.id);
    if (!scope) {
      const scopeNode = enclosingScopeNode(node, this.scopes.scopeOf);
      scope = this.scopes.scopeOf.get(scopeNode.id) ?? this.scopes.module;
      this.scopeMemo.set(node.id, scope);
    }
    return scope;
  }

  /**
   * The bindings of an identifier that may reach this use: in its own scope the latest
   * assignments on the paths before it (flow-sensitive, loop-aware); names from enclosing
   * scopes see every binding there. Empty for builtins and unknown globals.
   */
  reaching(id: PyNode): Binding[] {
    const memo = this.reachingMemo.get(id.id);
    if (memo) return memo;
    const result = this.computeReaching(id);
    this.reachingMemo.set(id.id, result);
    return result;
  }

  private computeReaching(id: PyNode): Binding[] {
    const name = id.text;
    const scope = this.scopeOf(id);
    if (scope.globals.has(name)) return this.scopes.module.bindings.get(name) ?? [];
    const own = scope.bindings.get(name);
    // `x[k] = v` and `x.a = v` mutate x but do not make it local (Python binds names only by
    // assignment, import, def, parameters...): a scope with only mutations still sees the outer x.
    if (own && own.some((b) => b.kind !== 'mutate')) {
      if (scope.kind === 'comprehension' || scope.kind === 'lambda') return own;
      return reachingInScope(own, id, scope, this);
    }
    for (let s = scope.parent; s; s = s.parent) {
      if (s.kind === 'class') continue;
      const list = s.bindings.get(name);
      if (list) return own ? [...list, ...own] : list;
    }
    return own ?? [];
  }

  /** The qualified name of an expression, if it has one (`subprocess.run`, `flask.request.args`). */
  qname(node: PyNode | undefined): string | undefined {
    return node ? this.values(node)[0] : undefined;
  }

  /**
   * Every qualified name or type the expression may stand for. Imports resolve to dotted
   * names, calls of known callables to their result types, locals to `$.`-names.
   */
  values(node: PyNode): string[] {
    const memo = this.valuesMemo.get(node.id);
    if (memo) return memo;
    if (this.depth > MAX_DEPTH || this.inProgress.includes(node.id)) return [];
    this.inProgress.push(node.id);
    this.depth++;
    try {
      const all = unique(this.computeValues(node));
      const result = all.length > MAX_VALUES ? all.slice(0, MAX_VALUES) : all;
      this.valuesMemo.set(node.id, result);
      return result;
    } finally {
      this.depth--;
      this.inProgress.pop();
    }
  }

  private computeValues(node: PyNode): string[] {
    switch (node.type) {
      case 'identifier': {
        const bindings = this.reaching(node);
        if (bindings.length === 0) return [node.text];
        const out: string[] = [];
        for (const b of bindings) out.push(...this.bindingValues(b));
        return out;
      }
      case 'attribute': {
        const object = node.child('object');
        const attr = node.child('attribute')?.text;
        if (!object || !attr) return [];
        const out: string[] = [];
        for (const v of this.values(object)) out.push(...this.memberValues(v, attr));
        return out;
      }
      case 'call': {
        const fn = node.child('function');
        if (!fn) return [];
        const out: string[] = [];
        for (const v of this.values(fn)) out.push(...this.callResult(v));
        return out;
      }
      case 'subscript': {
        const value = node.child('value');
        return value ? this.values(value).map((v) => itemType(v)) : [];
      }
      case 'parenthesized_expression':
      case 'await':
      case 'type': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.values(inner) : [];
      }
      case 'generic_type': {
        // `Optional[Request]`, `Annotated[str, Query()]`: the first type argument.
        const params = node.children.find((c) => c.type === 'type_parameter');
        const first = params?.namedChildren[0];
        return first ? this.values(first) : [];
      }
      case 'string':
      case 'concatenated_string':
        return ['str'];
      default:
        return [];
    }
  }

  private bindingValues(b: Binding): string[] {
    switch (b.kind) {
      case 'import':
        return [canonicalName(b.qname)];
      case 'def':
      case 'class':
        return [this.localName(b.def)];
      case 'assign': {
        const target = elementAt(b.value, b.path);
        let vals = this.values(target.node).map((v) => (target.rest > 0 ? itemType(v) : v));
        if (b.element) vals = vals.map((v) => itemType(v));
        return vals;
      }
      case 'param': {
        if (b.annotation) {
          const vals = this.values(b.annotation);
          if (vals.length) return vals;
        }
        const fn = this.functionByNode.get(b.fn.id);
        if (fn?.cls && b.index === 0 && !isStaticMethod(fn)) return [this.localName(fn.cls)];
        if (fn && isDjangoRequestParam(this, fn, b)) return ['django.http.HttpRequest'];
        return [];
      }
      default:
        return [];
    }
  }

  private memberValues(base: string, attr: string): string[] {
    const q = canonicalName(`${base}.${attr}`);
    if (this.localDefs.has(q)) return [q];
    const assigned = this.memberAssignments.get(q);
    if (assigned) {
      const out: string[] = [];
      for (const v of assigned) out.push(...this.values(v));
      if (out.length) return out;
    }
    const item = ITEM_TYPES[base];
    if (item && !ITEM_METHODS.has(attr) && !attr.startsWith('_') && !/^(find|insert|update|delete|aggregate|count|replace|bulk|distinct)/.test(attr)) return [item];
    return [q];
  }

  private callResult(callee: string): string[] {
    const def = this.localDefs.get(callee);
    if (def?.type === 'class_definition') return [callee];
    if (def?.type === 'function_definition') {
      const info = this.functionByNode.get(def.id);
      const out: string[] = [];
      for (const r of info?.returns ?? []) out.push(...this.values(r));
      return out.length ? out : [`${callee}()`];
    }
    const known = CALL_RESULTS[callee];
    if (known) return [known];
    return [`${callee}()`];
  }

  /** `$.name` for a local function or class, nested names joined with dots. */
  localName(def: PyNode): string {
    const parts: string[] = [];
    for (let n: PyNode | null = def; n; n = n.parent)
      if (n.type === 'function_definition' || n.type === 'class_definition') parts.unshift(n.child('name')?.text ?? '?');
    return '$.' + parts.join('.');
  }

  private collectDefinitions(): void {
    for (const def of this.byType('class_definition')) {
      const qname = this.localName(def);
      this.localDefs.set(qname, def);
      const supers = def.child('superclasses');
      const bases = supers ? supers.namedChildren.filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment') : [];
      this.classes.push({ node: def, name: def.child('name')?.text ?? '?', qname, bases });
    }
    for (const def of this.byType('function_definition')) {
      const qname = this.localName(def);
      this.localDefs.set(qname, def);
      const holder = def.parent?.type === 'decorated_definition' ? def.parent : def;
      const decorators = holder.children.filter((c) => c.type === 'decorator').map((d) => d.namedChildren.find((c) => c.type !== 'comment')!).filter(Boolean);
      const clsNode = def.parent?.parent?.type === 'class_definition' ? def.parent.parent : holder.parent?.parent?.type === 'class_definition' ? holder.parent.parent : undefined;
      const scope = this.scopes.scopeOf.get(def.id);
      const params: ParamInfo[] = [];
      if (scope)
        for (const list of scope.bindings.values())
          for (const b of list) if (b.kind === 'param' && b.fn === def) params.push({ name: b.name, node: b.node, index: b.index, annotation: b.annotation, default: b.default, star: b.star });
      params.sort((a, b) => a.index - b.index);
      const info: FunctionInfo = {
        node: def,
        name: def.child('name')?.text ?? '?',
        qname,
        params,
        decorators,
        cls: clsNode,
        isAsync: def.children.some((c) => c.type === 'async'),
        returns: [],
      };
      this.functions.push(info);
      this.functionByNode.set(def.id, info);
    }
    for (const r of this.byType('return_statement')) {
      const fn = this.enclosingFunctionOrLambda(r);
      const value = r.namedChildren.find((c) => c.type !== 'comment');
      if (fn?.type === 'function_definition' && value) this.functionByNode.get(fn.id)?.returns.push(value);
    }
    // `self.x = v` inside methods: remember v as a value of `$.Class.x`.
    for (const f of this.functions) {
      if (!f.cls || !f.params[0]) continue;
      const self = f.params[0].name;
      const scope = this.scopes.scopeOf.get(f.node.id);
      for (const b of scope?.bindings.get(self) ?? []) {
        if (b.kind !== 'mutate' || b.stmt.type !== 'assignment') continue;
        const left = b.stmt.child('left');
        if (left?.type !== 'attribute' || left.child('object')?.text !== self) continue;
        const key = `${this.localName(f.cls)}.${left.child('attribute')?.text}`;
        const list = this.memberAssignments.get(key);
        if (list) list.push(b.value);
        else this.memberAssignments.set(key, [b.value]);
      }
    }
  }

  private enclosingFunctionOrLambda(node: PyNode): PyNode | undefined {
    for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return p;
    return undefined;
  }

  private makeCall(node: PyNode): CallInfo {
    const callee = node.child('function')!;
    const argsNode = node.child('arguments');
    const positional: PyNode[] = [];
    const keywords = new Map<string, PyNode>();
    let hasSplat = false;
    if (argsNode?.type === 'generator_expression') positional.push(argsNode);
    else if (argsNode)
      for (const a of argsNode.namedChildren) {
        if (a.type === 'comment') continue;
        if (a.type === 'keyword_argument') {
          const k = a.child('name')?.text;
          const v = a.child('value');
          if (k && v) keywords.set(k, v);
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') hasSplat = true;
        else if (!hasSplat) positional.push(a);
      }
    const info = new CallSite(this, node, callee, positional, keywords, hasSplat);
    if (callee?.type === 'attribute') {
      info.method = callee.child('attribute')?.text;
      info.receiver = callee.child('object');
    }
    return info;
  }

  // ---- constants ----

  /** The constant value of an expression, or undefined when it is not knowable. */
  constValue(node: PyNode | undefined): Const | undefined {
    if (!node) return undefined;
    if (this.constMemo.has(node.id)) return this.constMemo.get(node.id);
    if (this.depth > MAX_DEPTH || this.inProgress.includes(-node.id - 1)) return undefined;
    this.inProgress.push(-node.id - 1);
    this.depth++;
    try {
      const v = this.computeConst(node);
      this.constMemo.set(node.id, v);
      return v;
    } finally {
      this.depth--;
      this.inProgress.pop();
    }
  }

  /** The constant string value of an expression, if it has one. */
  constString(node: PyNode | undefined): string | undefined {
    const v = this.constValue(node);
    return typeof v === 'string' ? v : undefined;
  }

  isConstant(node: PyNode | undefined): boolean {
    return this.constValue(node) !== undefined;
  }

  private computeConst(node: PyNode): Const | undefined {
    switch (node.type) {
      case 'string': {
        let out = '';
        for (const p of stringPieces(node)) {
          if ('text' in p) out += p.text;
          else {
            const v = this.constValue(p.expr);
            if (v === undefined) return undefined;
            out += pyStr(v);
          }
        }
        return out;
      }
      case 'concatenated_string': {
        let out = '';
        for (const s of node.namedChildren) {
          if (s.type !== 'string') continue;
          const v = this.constValue(s);
          if (typeof v !== 'string') return undefined;
          out += v;
        }
        return out;
      }
      case 'integer':
      case 'float':
        return parseNumber(node.text);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.constValue(inner) : undefined;
      }
      case 'tuple':
      case 'list':
      case 'set': {
        const out: Const[] = [];
        for (const c of node.namedChildren) {
          if (c.type === 'comment') continue;
          const v = this.constValue(c);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'unary_operator': {
        const v = this.constValue(node.child('argument'));
        const op = node.child('operator')?.text;
        if (typeof v === 'number') return op === '-' ? -v : op === '+' ? v : undefined;
        return undefined;
      }
      case 'not_operator': {
        const v = this.constValue(node.child('argument'));
        return v === undefined ? undefined : !truthy(v);
      }
      case 'binary_operator':
        return this.binaryConst(node);
      case 'conditional_expression': {
        const [a, , b] = node.namedChildren;
        const va = this.constValue(a);
        const vb = this.constValue(b);
        return va !== undefined && JSON.stringify(va) === JSON.stringify(vb) ? va : undefined;
      }
      case 'identifier': {
        const bindings = this.reaching(node);
        if (bindings.length === 0) return undefined;
        let value: Const | undefined;
        for (const b of bindings) {
          if (b.kind !== 'assign' || b.path.length || b.element) return undefined;
          const v = this.constValue(b.value);
          if (v === undefined) return undefined;
          if (value !== undefined && JSON.stringify(value) !== JSON.stringify(v)) return undefined;
          value = v;
        }
        return value;
      }
      case 'call':
        return this.callConst(node);
      default:
        return undefined;
    }
  }

  private binaryConst(node: PyNode): Const | undefined {
    const op = node.child('operator')?.text;
    const l = this.constValue(node.child('left'));
    if (l === undefined) return undefined;
    const right = node.child('right');
    if (op === '%' && typeof l === 'string') {
      const r = this.constValue(right);
      return r === undefined ? undefined : percentFormat(l, r);
    }
    const r = this.constValue(right);
    if (r === undefined) return undefined;
    if (op === '+') {
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      if (typeof l === 'number' && typeof r === 'number') return l + r;
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      return undefined;
    }
    if (typeof l === 'number' && typeof r === 'number') {
      switch (op) {
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? undefined : l / r;
        case '//':
          return r === 0 ? undefined : Math.floor(l / r);
        case '**':
          return l ** r;
        case '<<':
          return l * 2 ** r;
        case '%':
          return r === 0 ? undefined : l % r;
      }
    }
    if (op === '*' && typeof l === 'string' && typeof r === 'number') return r > 10_000 ? undefined : l.repeat(Math.max(0, r));
    return undefined;
  }

  private callConst(node: PyNode): Const | undefined {
    const info = this.callByNode.get(node.id);
    if (!info) return undefined;
    if (info.method === 'format' && info.receiver) {
      const template = this.constValue(info.receiver);
      if (typeof template !== 'string' || info.hasSplat) return undefined;
      const pos: Const[] = [];
      for (const p of info.positional) {
        const v = this.constValue(p);
        if (v === undefined) return undefined;
        pos.push(v);
      }
      const named = new Map<string, Const>();
      for (const [k, v] of info.keywords) {
        const c = this.constValue(v);
        if (c === undefined) return undefined;
        named.set(k, c);
      }
      return braceFormat(template, pos, named);
    }
    if (info.method === 'join' && info.receiver && info.positional.length === 1) {
      const sep = this.constValue(info.receiver);
      const items = this.constValue(info.positional[0]);
      if (typeof sep === 'string' && Array.isArray(items) && items.every((i) => typeof i === 'string')) return items.join(sep);
      return undefined;
    }
    if (info.method && info.receiver && ['upper', 'lower', 'strip', 'encode', 'decode'].includes(info.method) && info.positional.length === 0) {
      const v = this.constValue(info.receiver);
      if (typeof v !== 'string') return undefined;
      return info.method === 'upper' ? v.toUpperCase() : info.method === 'lower' ? v.toLowerCase() : info.method === 'strip' ? v.trim() : v;
    }
    const q = info.callee.type === 'identifier' ? info.qname : undefined;
    if ((q === 'str' || q === 'bytes') && info.positional.length === 1) {
      const v = this.constValue(info.positional[0]);
      return v === undefined ? undefined : typeof v === 'string' ? v : pyStr(v);
    }
    if (q === 'int' && info.positional.length === 1) {
      const v = this.constValue(info.positional[0]);
      return typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined;
    }
    return undefined;
  }

  /**
   * The literal text an expression is built from, with `{}` for each non-constant part:
   * `"SELECT * FROM t WHERE id = '%s'" % uid` gives `SELECT * FROM t WHERE id = '{}'`.
   * Used to recognise what a string is (SQL, a shell command, a URL) whatever its data.
   */
  templateText(node: PyNode | undefined, depth = 0): string | undefined {
    if (!node || depth > 12) return undefined;
    const c = this.constValue(node);
    if (typeof c === 'string') return c;
    if (c !== undefined) return pyStr(c);
    switch (node.type) {
      case 'string': {
        let out = '';
        for (const p of stringPieces(node)) out += 'text' in p ? p.text : '{}';
        return out;
      }
      case 'concatenated_string':
        return node.namedChildren.map((s) => this.templateText(s, depth + 1) ?? '{}').join('');
      case 'binary_operator': {
        const op = node.child('operator')?.text;
        const l = this.templateText(node.child('left'), depth + 1);
        if (op === '%' && l !== undefined) return l.replace(/%(\([^)]*\))?[-+ #0]*\d*(\.\d+)?[sdrifxXoeEgGc]/g, '{}');
        if (op === '+') return (l ?? '{}') + (this.templateText(node.child('right'), depth + 1) ?? '{}');
        return undefined;
      }
      case 'parenthesized_expression':
        return this.templateText(node.namedChildren[0], depth + 1);
      case 'call': {
        const info = this.callByNode.get(node.id);
        if (info?.method === 'format' && info.receiver) {
          const t = this.templateText(info.receiver, depth + 1);
          return t?.replace(/\{[^{}]*\}/g, '{}');
        }
        if (info?.method === 'join' && info.receiver) {
          const sep = this.constString(info.receiver);
          const arg = info.positional[0];
          if (sep !== undefined && arg && (arg.type === 'list' || arg.type === 'tuple'))
            return arg.namedChildren.map((a) => this.templateText(a, depth + 1) ?? '{}').join(sep);
        }
        return undefined;
      }
      case 'identifier': {
        const bindings = this.reaching(node);
        if (bindings.length === 0 || bindings.some((b) => b.kind !== 'assign' && b.kind !== 'augassign')) return undefined;
        // `q = "..."; q += "..."`: an augmented assignment extends the one value before it.
        const last = bindings[0]!;
        if (last.kind === 'augassign') {
          const prev = bindings[1];
          if (bindings.length !== 2 || prev?.kind !== 'assign' || prev.path.length || prev.element) return undefined;
          return (this.templateText(prev.value, depth + 1) ?? '{}') + (this.templateText(last.value, depth + 1) ?? '{}');
        }
        // Several values may reach the use (branches): a template only when they all agree.
        let text: string | undefined;
        for (const b of bindings) {
          if (b.kind !== 'assign' || b.path.length || b.element) return undefined;
          const t = this.templateText(b.value, depth + 1);
          if (t === undefined || (text !== undefined && t !== text)) return undefined;
          text = t;
        }
        return text;
      }
      default:
        return undefined;
    }
  }

  /** The string-literal prefix of a string node (`f`, `rb`...). */
  stringPrefix(node: PyNode): string {
    return stringPrefix(node);
  }
}

function truthy(v: Const): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function unique(list: string[]): string[] {
  return list.length < 2 ? list : [...new Set(list)];
}

/** The type of an item of a container-like value (`client['db']`). */
function itemType(v: string): string {
  return ITEM_TYPES[v] ?? `${v}[]`;
}

/** The element of a tuple/list literal at a nested index path; `rest` counts unresolved levels. */
export function elementAt(value: PyNode, path: number[]): { node: PyNode; rest: number } {
  let node = value;
  for (let i = 0; i < path.length; i++) {
    const idx = path[i]!;
    while (node.type === 'parenthesized_expression' && node.namedChildren.length === 1) node = node.namedChildren[0]!;
    if ((node.type === 'tuple' || node.type === 'list' || node.type === 'expression_list') && idx >= 0) {
      const items = node.namedChildren.filter((c) => c.type !== 'comment');
      if (items.some((c) => c.type === 'list_splat')) return { node, rest: path.length - i };
      const item = items[idx];
      if (!item) return { node, rest: path.length - i };
      node = item;
    } else return { node, rest: path.length - i };
  }
  return { node, rest: 0 };
}

function isStaticMethod(fn: FunctionInfo): boolean {
  return fn.decorators.some((d) => d.text === 'staticmethod');
}

const BLOCKS = new Set(['block', 'module']);
const LOOPS = new Set(['for_statement', 'while_statement']);

function blockOf(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (BLOCKS.has(p.type)) return p;
  return undefined;
}

/** Flow-sensitive reaching bindings of a use inside the scope that binds the name. */
function reachingInScope(list: Binding[], use: PyNode, scope: Scope, model: ModuleModel): Binding[] {
  const at = use.startIndex;
  const result: Binding[] = [];
  // An earlier `if/elif/else` that rebinds the name on every path hides what came before it.
  const hiddenBefore = rebindingIfBefore(use, use.text, scope, model);
  for (let i = list.length - 1; i >= 0; i--) {
    const b = list[i]!;
    if (b.position > at) continue;
    if (b.position < hiddenBefore) break;
    result.push(b);
    if (b.kind === 'mutate' || b.kind === 'augassign') continue;
    if (b.kind === 'param') break;
    if (dominates(b.node, use, model)) break;
  }
  // Loop-carried: a binding later in a loop that also encloses the use reaches it on the next turn.
  for (let p = use.parent; p && p !== scope.node; p = p.parent) {
    if (!LOOPS.has(p.type)) continue;
    for (const b of list) if (b.position > at && p.contains(b.node) && !result.includes(b)) result.push(b);
  }
  return result;
}

/**
 * Start of the latest `if` statement before the use (in a block enclosing it, inside its
 * scope) whose every branch assigns `name` or leaves; -1 when there is none.
 */
function rebindingIfBefore(use: PyNode, name: string, scope: Scope, model: ModuleModel): number {
  let latest = -1;
  let child: PyNode = use;
  for (let p = use.parent; p; child = p, p = p.parent) {
    if (BLOCKS.has(p.type))
      for (const s of model.ifElseChildren(p)) {
        if (s.startIndex >= child.startIndex) break;
        if (s.startIndex > latest && rebindsOnEveryPath(s, name, model)) latest = s.startIndex;
      }
    if (p === scope.node) break;
  }
  return latest;
}


function rebindsOnEveryPath(ifStmt: PyNode, name: string, model: ModuleModel, depth = 0): boolean {
  const elseClause = ifStmt.children.find((c) => c.type === 'else_clause');
  if (!elseClause || depth > 4) return false;
  const branches = [ifStmt.child('consequence'), ...ifStmt.children.filter((c) => c.type === 'elif_clause').map((e) => e.child('consequence')), elseClause.child('body')];
  return branches.every((b) => blockRebinds(b, name, model, depth));
}

function blockRebinds(block: PyNode | undefined, name: string, model: ModuleModel, depth: number): boolean {
  if (!block) return false;
  if (exits(block, model)) return true;
  for (const s of block.namedChildren) {
    if (s.type === 'if_statement' && rebindsOnEveryPath(s, name, model, depth + 1)) return true;
    if (s.type !== 'expression_statement') continue;
    for (let a: PyNode | undefined = s.namedChildren[0]; a?.type === 'assignment'; a = a.child('right')) {
      const left = a.child('left');
      if (left?.type === 'identifier' && left.text === name) return true;
      if ((left?.type === 'pattern_list' || left?.type === 'tuple_pattern') && left.namedChildren.some((c) => c.type === 'identifier' && c.text === name)) return true;
    }
  }
  return false;
}

/**
 * The binding happens on every path to the use: its block contains the use; or it sits in
 * a `try` body whose handlers all leave, and the use comes after that `try`.
 */
function dominates(bindingNode: PyNode, use: PyNode, model: ModuleModel): boolean {
  let block = blockOf(bindingNode);
  for (let i = 0; block && i < 8; i++) {
    if (block.contains(use)) return !insideExceptOrFinallyOf(bindingNode, use);
    const tryStmt = block.parent;
    if (tryStmt?.type !== 'try_statement' || block.field !== 'body') return false;
    const handlers = tryStmt.children.filter((c) => c.type === 'except_clause');
    if (handlers.length === 0 || !handlers.every((h) => exits(h.namedChildren.find((c) => c.type === 'block'), model))) return false;
    block = blockOf(tryStmt);
  }
  return false;
}

/** `try: x = f() except: use(x)` — the assignment in the try body may not have happened. */
function insideExceptOrFinallyOf(bindingNode: PyNode, use: PyNode): boolean {
  for (let p = bindingNode.parent; p; p = p.parent) {
    if (p.type === 'try_statement') {
      const body = p.child('body');
      if (body?.contains(bindingNode) && p.contains(use) && !body.contains(use)) return true;
    }
    if (p.type === 'function_definition') return false;
  }
  return false;
}
