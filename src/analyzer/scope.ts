import type { PyNode } from './ast.js';

export type ScopeKind = 'module' | 'function' | 'class' | 'lambda' | 'comprehension';

/**
 * How a name got its value. `position` is the source index from which the binding is
 * visible to later code in the same scope (after the whole statement for assignments).
 */
export type Binding =
  | { kind: 'import'; name: string; node: PyNode; position: number; qname: string }
  | {
      kind: 'assign';
      name: string;
      node: PyNode;
      position: number;
      /** The assigned expression (for `a, b = t` the whole `t`). */
      value: PyNode;
      /** Positions inside nested tuple targets: `a, (b, c) = ...` gives c the path [1, 1]. */
      path: number[];
      /** The statement (assignment, for, with item, walrus...). */
      stmt: PyNode;
      /** For loops and comprehensions bind one element of `value`. */
      element: boolean;
    }
  | { kind: 'augassign'; name: string; node: PyNode; position: number; value: PyNode; stmt: PyNode }
  | {
      /** `x.append(v)`, `x[k] = v`, `x.attr = v`: adds to what x holds without replacing it. */
      kind: 'mutate';
      name: string;
      node: PyNode;
      position: number;
      value: PyNode;
      stmt: PyNode;
    }
  | {
      kind: 'param';
      name: string;
      node: PyNode;
      position: number;
      fn: PyNode;
      index: number;
      annotation?: PyNode;
      default?: PyNode;
      star?: 'args' | 'kwargs';
    }
  | { kind: 'def'; name: string; node: PyNode; position: number; def: PyNode }
  | { kind: 'class'; name: string; node: PyNode; position: number; def: PyNode }
  | { kind: 'except'; name: string; node: PyNode; position: number }
  | { kind: 'other'; name: string; node: PyNode; position: number };

export class Scope {
  readonly children: Scope[] = [];
  readonly bindings = new Map<string, Binding[]>();
  readonly globals = new Set<string>();
  readonly nonlocals = new Set<string>();

  constructor(
    readonly kind: ScopeKind,
    /** module, function_definition, class_definition, lambda or comprehension node. */
    readonly node: PyNode,
    readonly parent: Scope | null,
  ) {
    parent?.children.push(this);
  }

  add(b: Binding): void {
    const list = this.bindings.get(b.name);
    if (list) list.push(b);
    else this.bindings.set(b.name, [b]);
  }
}

const COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

/** Node types whose handler walks (or deliberately skips) their children itself. */
const OWN_TRAVERSAL = new Set([
  'function_definition',
  'class_definition',
  'lambda',
  'import_statement',
  'import_from_statement',
  'global_statement',
  'nonlocal_statement',
  ...COMPREHENSIONS,
]);

/** Node types `record` does something with (everything else binds nothing). */
const RECORDED = new Set([
  ...OWN_TRAVERSAL,
  'assignment',
  'augmented_assignment',
  'for_statement',
  'with_item',
  'except_clause',
  'named_expression',
  'call',
]);

const MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft', 'write']);

/** Builds the scope tree of a module and records every binding. */
export class ScopeBuilder {
  /** Scope of each scope-creating node, by node id. */
  readonly scopeOf = new Map<number, Scope>();
  readonly module: Scope;

  constructor(root: PyNode) {
    this.module = new Scope('module', root, null);
    this.scopeOf.set(root.id, this.module);
    this.visitChildren(root, this.module);
    // Bindings were recorded in tree order; flow queries want them by position.
    for (const s of this.allScopes(this.module)) for (const list of s.bindings.values()) list.sort((a, b) => a.position - b.position);
  }

  private *allScopes(s: Scope): Generator<Scope> {
    yield s;
    for (const c of s.children) yield* this.allScopes(c);
  }

  /**
   * Walks a subtree with an explicit stack, so deeply nested expressions (a 3,000-term
   * concatenation) cannot overflow the JavaScript stack. Only scope-opening nodes recurse.
   */
  private visitChildren(node: PyNode, scope: Scope): void {
    const stack: PyNode[] = [];
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    while (stack.length) {
      const n = stack.pop()!;
      if (this.visit(n, scope)) continue;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  }

  /** Records the node and everything under it. */
  private walk(node: PyNode, scope: Scope): void {
    if (!this.visit(node, scope)) this.visitChildren(node, scope);
  }

  /** Records what the node binds. Returns true when it handled the node's children itself. */
  private visit(node: PyNode, scope: Scope): boolean {
    // Most nodes bind nothing: one set lookup settles them.
    if (!RECORDED.has(node.type)) return false;
    this.record(node, scope);
    return OWN_TRAVERSAL.has(node.type);
  }

  /** Handles the types listed in RECORDED (a type added here must be added there). */
  private record(node: PyNode, scope: Scope): void {
    switch (node.type) {
      case 'function_definition':
        return this.functionDef(node, scope);
      case 'class_definition':
        return this.classDef(node, scope);
      case 'lambda':
        return this.lambda(node, scope);
      case 'import_statement':
        return this.importStmt(node, scope);
      case 'import_from_statement':
        return this.importFrom(node, scope);
      case 'assignment':
        this.assignment(node, scope);
        return;
      case 'augmented_assignment': {
        const left = node.child('left');
        const right = node.child('right');
        if (left?.type === 'identifier' && right)
          scope.add({ kind: 'augassign', name: left.text, node: left, position: node.endIndex, value: right, stmt: node });
        else if (left && right) this.mutation(left, right, node, scope);
        return;
      }
      case 'for_statement': {
        const left = node.child('left');
        const right = node.child('right');
        if (left && right) this.bindTarget(left, right, [], node, scope, left.endIndex, true);
        return;
      }
      case 'with_item': {
        const value = node.child('value');
        if (value?.type === 'as_pattern') {
          const expr = value.namedChildren[0];
          const target = value.child('alias')?.namedChildren[0];
          if (expr && target) this.bindTarget(target, expr, [], node, scope, value.endIndex, false);
        }
        return;
      }
      case 'except_clause': {
        const value = node.child('value');
        if (value?.type === 'as_pattern') {
          const target = value.child('alias')?.namedChildren[0];
          if (target?.type === 'identifier')
            scope.add({ kind: 'except', name: target.text, node: target, position: target.endIndex });
        }
        return;
      }
      case 'named_expression': {
        const name = node.child('name');
        const value = node.child('value');
        if (name && value) {
          // A walrus inside a comprehension binds in the enclosing function scope.
          let s: Scope = scope;
          while (s.kind === 'comprehension' && s.parent) s = s.parent;
          s.add({ kind: 'assign', name: name.text, node: name, position: node.endIndex, value, path: [], stmt: node, element: false });
        }
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const id of node.namedChildren)
          if (id.type === 'identifier') (node.type === 'global_statement' ? scope.globals : scope.nonlocals).add(id.text);
        return;
      case 'call': {
        const fn = node.child('function');
        if (fn?.type === 'attribute') {
          const method = fn.child('attribute')?.text;
          const args = node.child('arguments');
          if (method && MUTATORS.has(method) && args) {
            const object = fn.child('object');
            for (const a of args.namedChildren)
              if (object && a.type !== 'comment') this.mutation(object, a.type === 'keyword_argument' ? a.child('value') ?? a : a, node, scope);
          }
        }
        return;
      }
      default:
        if (COMPREHENSIONS.has(node.type)) return this.comprehension(node, scope);
        return;
    }
  }

  private functionDef(node: PyNode, scope: Scope): void {
    const name = node.child('name');
    const holder = node.parent?.type === 'decorated_definition' ? node.parent : node;
    // Defaults and annotations are evaluated in the enclosing scope (decorators are visited
    // as children of the decorated_definition).
    const params = node.child('parameters');
    if (params)
      for (const p of params.namedChildren) {
        const def = p.child('value');
        if (def) this.walk(def, scope);
        const type = p.child('type');
        if (type) this.walk(type, scope);
      }
    const ret = node.child('return_type');
    if (ret) this.walk(ret, scope);
    if (name) scope.add({ kind: 'def', name: name.text, node: name, position: holder.startIndex, def: node });
    const inner = new Scope('function', node, scope);
    this.scopeOf.set(node.id, inner);
    if (params) this.parameters(params, node, inner);
    const body = node.child('body');
    if (body) this.walk(body, inner);
  }

  private lambda(node: PyNode, scope: Scope): void {
    const params = node.child('parameters');
    if (params)
      for (const p of params.namedChildren) {
        const def = p.child('value');
        if (def) this.walk(def, scope);
      }
    const inner = new Scope('lambda', node, scope);
    this.scopeOf.set(node.id, inner);
    if (params) this.parameters(params, node, inner);
    const body = node.child('body');
    if (body) this.walk(body, inner);
  }

  private parameters(params: PyNode, fn: PyNode, scope: Scope): void {
    let index = 0;
    for (const p of params.namedChildren) {
      let id: PyNode | undefined;
      let annotation: PyNode | undefined;
      let def: PyNode | undefined;
      let star: 'args' | 'kwargs' | undefined;
      switch (p.type) {
        case 'identifier':
          id = p;
          break;
        case 'typed_parameter': {
          const first = p.namedChildren[0];
          annotation = p.child('type');
          if (first?.type === 'identifier') id = first;
          else if (first?.type === 'list_splat_pattern' || first?.type === 'dictionary_splat_pattern') {
            id = first.namedChildren[0];
            star = first.type === 'list_splat_pattern' ? 'args' : 'kwargs';
          }
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter':
          id = p.child('name');
          annotation = p.child('type');
          def = p.child('value');
          break;
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern':
          id = p.namedChildren[0];
          star = p.type === 'list_splat_pattern' ? 'args' : 'kwargs';
          break;
        default:
          continue;
      }
      if (!id || id.type !== 'identifier') continue;
      scope.add({ kind: 'param', name: id.text, node: id, position: -1, fn, index, annotation, default: def, star });
      index++;
    }
  }

  private classDef(node: PyNode, scope: Scope): void {
    const holder = node.parent?.type === 'decorated_definition' ? node.parent : node;
    const supers = node.child('superclasses');
    if (supers) this.walk(supers, scope);
    const name = node.child('name');
    if (name) scope.add({ kind: 'class', name: name.text, node: name, position: holder.startIndex, def: node });
    const inner = new Scope('class', node, scope);
    this.scopeOf.set(node.id, inner);
    const body = node.child('body');
    if (body) this.walk(body, inner);
  }

  private comprehension(node: PyNode, scope: Scope): void {
    const inner = new Scope('comprehension', node, scope);
    this.scopeOf.set(node.id, inner);
    let first = true;
    for (const c of node.children) {
      if (c.type === 'for_in_clause') {
        const left = c.child('left');
        const right = c.child('right');
        // The first iterable is evaluated in the enclosing scope.
        if (right) this.walk(right, first ? scope : inner);
        first = false;
        if (left && right) this.bindTarget(left, right, [], c, inner, c.startIndex, true);
      } else this.walk(c, inner);
    }
  }

  private importStmt(node: PyNode, scope: Scope): void {
    for (const n of node.childrenOf('name')) {
      if (n.type === 'aliased_import') {
        const dotted = n.child('name')?.text;
        const alias = n.child('alias');
        if (dotted && alias) scope.add({ kind: 'import', name: alias.text, node: alias, position: node.endIndex, qname: dotted });
      } else if (n.type === 'dotted_name') {
        // `import a.b.c` binds `a`; attribute access then spells out the rest.
        const head = n.namedChildren[0];
        if (head) scope.add({ kind: 'import', name: head.text, node: head, position: node.endIndex, qname: head.text });
      }
    }
  }

  private importFrom(node: PyNode, scope: Scope): void {
    const moduleNode = node.child('module_name');
    if (!moduleNode) return;
    // Relative imports name project modules; keep their dotted text without the dots.
    const module = moduleNode.type === 'relative_import' ? (moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text ?? '') : moduleNode.text;
    const prefix = module ? module + '.' : '';
    for (const n of node.childrenOf('name')) {
      if (n.type === 'aliased_import') {
        const name = n.child('name')?.text;
        const alias = n.child('alias');
        if (name && alias) scope.add({ kind: 'import', name: alias.text, node: alias, position: node.endIndex, qname: prefix + name });
      } else if (n.type === 'dotted_name') {
        scope.add({ kind: 'import', name: n.text, node: n, position: node.endIndex, qname: prefix + n.text });
      }
    }
  }

  private assignment(node: PyNode, scope: Scope): void {
    const left = node.child('left');
    let right = node.child('right');
    // `a = b = v`: the innermost right-hand side is the value for every target.
    while (right?.type === 'assignment') right = right.child('right');
    if (!left || !right) return;
    this.bindTarget(left, right, [], node, scope, node.endIndex, false);
  }

  private bindTarget(target: PyNode, value: PyNode, path: number[], stmt: PyNode, scope: Scope, position: number, element: boolean): void {
    switch (target.type) {
      case 'identifier':
        scope.add({ kind: 'assign', name: target.text, node: target, position, value, path, stmt, element });
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression': {
        const parts = target.namedChildren.filter((c) => c.type !== 'comment');
        if (target.type === 'parenthesized_expression' && parts.length === 1)
          return this.bindTarget(parts[0]!, value, path, stmt, scope, position, element);
        parts.forEach((p, i) => this.bindTarget(p, value, [...path, i], stmt, scope, position, element));
        return;
      }
      case 'list_splat_pattern':
      case 'list_splat': {
        const inner = target.namedChildren[0];
        if (inner) this.bindTarget(inner, value, [...path, -1], stmt, scope, position, element);
        return;
      }
      case 'subscript':
      case 'attribute':
        this.mutation(target, value, stmt, scope);
        return;
      default:
        return;
    }
  }

  /** Records `root.x = v`, `root[k] = v`, `root.append(v)` as a mutation of `root`. */
  private mutation(target: PyNode, value: PyNode, stmt: PyNode, scope: Scope): void {
    let base: PyNode | undefined = target;
    while (base && (base.type === 'subscript' || base.type === 'attribute')) base = base.type === 'subscript' ? base.child('value') : base.child('object');
    if (base?.type !== 'identifier') return;
    scope.add({ kind: 'mutate', name: base.text, node: base, position: stmt.endIndex, value, stmt });
  }
}

/** Innermost scope-creating node enclosing `node` (excluding `node` itself). */
export function enclosingScopeNode(node: PyNode, scopeOf: Map<number, Scope>): PyNode {
  for (let p = node.parent; p; p = p.parent) {
    if (!scopeOf.has(p.id)) continue;
    // Decorators, default values and annotations belong to the enclosing scope.
    if (p.type === 'function_definition' || p.type === 'lambda') {
      const body = p.child('body');
      const params = p.child('parameters');
      const inBody = body?.contains(node);
      const isParamName = params?.contains(node) && !isInsideDefaultOrAnnotation(node, params);
      if (!inBody && !isParamName) continue;
    }
    if (p.type === 'class_definition') {
      const body = p.child('body');
      if (!body?.contains(node)) continue;
    }
    if (COMPREHENSIONS.has(p.type)) {
      const firstFor = p.children.find((c) => c.type === 'for_in_clause');
      const firstIter = firstFor?.child('right');
      if (firstIter?.contains(node)) continue;
    }
    return p;
  }
  return node.parent ? rootOf(node) : node;
}

function rootOf(node: PyNode): PyNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function isInsideDefaultOrAnnotation(node: PyNode, params: PyNode): boolean {
  for (let p: PyNode | null = node; p && p !== params; p = p.parent) {
    if (p.field === 'value' || p.field === 'type') return true;
  }
  return false;
}
