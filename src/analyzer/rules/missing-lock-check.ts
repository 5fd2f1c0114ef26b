import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { anyIdIn, enclosingDef, identifiersIn, namesWritten, nodesIn, parts, unparen } from './code-shape.js';

const LOCK_TYPES = /^(threading\.(Lock|RLock|Semaphore|BoundedSemaphore|Condition)|multiprocessing\.(Lock|RLock|Semaphore)|asyncio\.(Lock|Semaphore))$/;

/** The lock regions of a function: `with lock:` bodies and acquire()...release() spans. */
interface Region {
  lock: string;
  start: PyNode;
  /** Statements or nodes covered by the lock. */
  nodes: PyNode[];
}

function lockRegions(model: ModuleModel, body: PyNode, sites: LockSites): Region[] {
  const out: Region[] = [];
  // (Each scan runs only when the function holds one of the sites it looks for.)
  if (anyIdIn(sites.withs, body)) {
    for (const w of nodesIn(body, 'with_statement')) {
      for (const item of nodesIn(w, 'with_item')) {
        const v = unparen(item.child('value'));
        if (!v || v.type === 'as_pattern') continue;
        if (isLockExpr(model, v)) out.push({ lock: v.text, start: w, nodes: [w.child('body')!].filter(Boolean) });
      }
    }
  }
  if (anyIdIn(sites.acquires, body)) {
    for (const call of nodesIn(body, 'call')) {
      const info = model.call(call);
      if (info?.method !== 'acquire' || !info.receiver || !isLockExpr(model, info.receiver)) continue;
      const lock = info.receiver.text;
      const release = [...nodesIn(body, 'call')].find((r) => r.startIndex > call.endIndex && model.call(r)?.method === 'release' && model.call(r)?.receiver?.text === lock);
      const end = release ? release.startIndex : body.endIndex;
      const covered = [...body.walk()].filter((n) => n.startIndex > call.endIndex && n.endIndex <= end && n.type.endsWith('statement'));
      out.push({ lock, start: call, nodes: covered });
    }
  }
  return out;
}

/** Where lock regions can start: ids of the module's `with` statements and `.acquire()` calls, ascending. */
interface LockSites {
  withs: number[];
  acquires: number[];
}

function lockSites(model: ModuleModel): LockSites {
  // Both lists come in document order, which is ascending id order (ids are pre-order).
  const statements = model.byType('with_statement');
  const withs: number[] = new Array<number>(statements.length);
  for (let i = 0; i < statements.length; i++) withs[i] = statements[i]!.id;
  const acquires: number[] = [];
  const calls = model.calls;
  for (let i = 0; i < calls.length; i++) if (calls[i]!.method === 'acquire') acquires.push(calls[i]!.node.id);
  return { withs, acquires };
}

/** A lock by its type, or by a name that says it is one. */
function isLockExpr(model: ModuleModel, expr: PyNode): boolean {
  // `with self.lock:`, `with data_lock:`: a name that says it is a lock (tested first: no name resolution).
  const text = expr.text;
  if (/(^|[._])(lock|mutex|rlock|semaphore|sem)$/i.test(text) || /[a-z0-9](Lock|Mutex|Semaphore)$/.test(text)) return true;
  return model.values(expr).some((v) => LOCK_TYPES.test(v.replace(/\(\)$/, '')));
}

/** One of the names is a lock type (LOCK_TYPES' modules start with a, m or t: tested before the pattern). */
function namesLockType(names: readonly string[]): boolean {
  for (const q of names) {
    const first = q.charCodeAt(0);
    if ((first === 116 || first === 109 || first === 97) && LOCK_TYPES.test(q)) return true;
  }
  return false;
}

/** Shared state: module globals written here, or attributes and items of objects. */
function sharedTargets(fnNode: PyNode, scopeGlobals: Set<string>, region: PyNode[]): string[] {
  const out: string[] = [];
  for (const n of region) {
    for (const name of namesWritten(n)) {
      if (scopeGlobals.has(name) || /[.[]/.test(name)) out.push(name);
    }
  }
  return [...new Set(out)].filter((n) => n !== fnNode.text);
}

export default defineRule({
  meta: {
    id: 'py/missing-lock-check',
    cwes: [414, 667],
    severity: 'medium',
    confidence: 'medium',
    message: 'Shared data used without holding its lock properly',
    fixHint:
      'Create the lock once (module level or in __init__), take it with `with lock:` so it is released even on errors, and test the shared value inside the same `with lock:` block that changes it.',
    doc: 'A lock protects shared data only if every thread uses the same lock for the whole check-and-update. A lock created inside the function is new on every call and excludes nobody; acquire() without a finally leaves the lock held forever when the code in between raises; testing the data before taking the lock lets another thread change it between the test and the update.',
  },
  check(context) {
    const { model } = context;
    let sites: LockSites | undefined;
    return {
      call(c) {
        // 1. A lock made inside the function that uses it.
        if (!namesLockType(c.qnames)) return;
        const def = enclosingDef(c.node);
        const assign = c.node.parent?.type === 'assignment' ? c.node.parent : undefined;
        const target = assign?.child('left');
        if (!def || target?.type !== 'identifier' || model.scopeOf(c.node).globals.has(target.text)) return;
        const name = target.text;
        const body = def.child('body')!;
        const used = [...nodesIn(body, 'call')].some((n) => model.call(n)?.receiver?.text === name && /^(acquire|release)$/.test(model.call(n)?.method ?? '')) || [...nodesIn(body, 'with_item')].some((w) => unparen(w.child('value'))?.text === name);
        const escapes = [...nodesIn(body, 'return_statement')].some((r) => identifiersIn(r).some((i) => i.text === name)) || [...nodesIn(body, 'assignment')].some((a) => a !== assign && unparen(a.child('right'))?.text === name) || [...nodesIn(body, 'call')].some((n) => n !== c.node && parts(n.child('arguments')).some((a) => a.text === name));
        if (used && !escapes) context.report({ node: c.node, confidence: 'high', message: `${name} is a new lock on every call of ${def.child('name')?.text ?? 'this function'}(): it excludes no other thread` });
      },
      nodes: {
        function_definition(fnNode) {
          const body = fnNode.child('body');
          if (!body) return;
          // Most functions take no lock at all: no with statement or acquire() call inside.
          sites ??= lockSites(model);
          if (!anyIdIn(sites.withs, body) && !anyIdIn(sites.acquires, body)) return;
          const scope = model.scopes.scopeOf.get(fnNode.id);
          const globals = scope?.globals ?? new Set<string>();
          for (const region of lockRegions(model, body, sites)) {
            // 2. acquire() whose release is not guaranteed.
            if (region.start.type === 'call') {
              const stmt = region.start.parent;
              const inCondition = stmt?.type !== 'expression_statement';
              const releases = [...nodesIn(body, 'call')].filter((r) => r.startIndex > region.start.endIndex && model.call(r)?.method === 'release' && model.call(r)?.receiver?.text === region.lock);
              const safe = releases.some((r) => inFinally(r));
              if (!inCondition && releases.length > 0 && !safe)
                context.report({ node: region.start, message: `${region.lock}.acquire() without try/finally: an exception before release() leaves ${region.lock} held for ever` });
            }
            // 3. Shared data tested before the lock is taken and changed under it.
            const changed = sharedTargets(fnNode, globals, region.nodes).filter((t) => t !== region.lock && !region.lock.startsWith(t + '.'));
            if (changed.length === 0) continue;
            for (let p = region.start.parent; p && p !== fnNode; p = p.parent) {
              if (p.type !== 'if_statement' && p.type !== 'while_statement' && p.type !== 'elif_clause') continue;
              const cond = p.child('condition');
              if (!cond || cond.contains(region.start)) continue;
              const tested = changed.filter((name) => readsName(cond, name));
              if (tested.length === 0) continue;
              const recheck = region.nodes.some((n) => [...n.walk()].some((x) => (x.type === 'if_statement' || x.type === 'while_statement') && tested.some((t) => readsName(x.child('condition'), t))));
              if (recheck) continue;
              context.report({ node: cond, message: `${tested.join(', ')} is tested before ${region.lock} is taken and changed while holding it: another thread can change it in between` });
              break;
            }
          }
        },
      },
    };
  },
});

/** The condition reads `name` (a plain name, or a dotted/subscripted path such as self.balance). */
function readsName(cond: PyNode | undefined, name: string): boolean {
  if (!cond) return false;
  if (!/[.[]/.test(name)) return identifiersIn(cond).some((i) => i.text === name);
  return [...cond.walk()].some((n) => (n.type === 'attribute' || n.type === 'subscript') && n.text === name);
}

function inFinally(node: PyNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'finally_clause') return true;
    if (p.type === 'function_definition') return false;
  }
  return false;
}
