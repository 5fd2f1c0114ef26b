// What a datagram server receives and where it sends: shared by the network amplification and
// destination rules. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import {
  alwaysApproves,
  argumentsFor,
  blockLeaves,
  builtFrom,
  identifiersIn,
  isStubFunction,
  localCallee,
  statementsOf,
  unparen,
} from './code-shape.js';

const RECEIVE_METHODS = new Set(['recvfrom', 'recvmsg', 'recvfrom_into']);

/** `sock.recvfrom(n)`: a datagram and the address it claims to come from. */
export function isReceive(model: ModuleModel, node: PyNode): boolean {
  if (node.type !== 'call') return false;
  const info = model.call(node);
  return !!info?.method && RECEIVE_METHODS.has(info.method);
}

/** What part of a received datagram an identifier holds, by how it was bound. */
export function receivedPart(model: ModuleModel, id: PyNode): 'payload' | 'address' | 'both' | undefined {
  if (id.type !== 'identifier') return undefined;
  for (const b of model.reaching(id)) {
    if (b.kind !== 'assign') continue;
    const v = unparen(b.value);
    if (!v || !isReceive(model, v)) continue;
    if (b.path.length === 0) return 'both';
    return b.path[0] === 0 ? 'payload' : 'address';
  }
  return undefined;
}

/**
 * Whether a value is made from received datagrams, and from which part: `address` for the
 * sender's claimed address (`addr`, `addr[0]`), `payload` for what the packet says. Follows
 * assignments, calls (also helpers without a body) and the module's function parameters.
 */
export function receivedOrigin(model: ModuleModel, expr: PyNode | undefined): 'payload' | 'address' | undefined {
  let found: 'payload' | 'address' | undefined;
  builtFrom(
    model,
    expr,
    (n) => {
      const part = receivedPart(model, n);
      if (part === 'address') found = 'address';
      else if (part) found ??= 'payload';
      // `data[1]` of a whole `recvfrom()` result is the address.
      if (n.type === 'subscript' && receivedPart(model, n.child('value')!) === 'both' && model.constValue(n.child('subscript')) === 1) found = 'address';
      return found === 'address';
    },
    { throughParameters: true },
  );
  return found;
}

/** Enclosing loop of a node, inside its function. */
export function enclosingLoop(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'while_statement' || p.type === 'for_statement') return p;
    if (p.type === 'function_definition' || p.type === 'lambda') return undefined;
  }
  return undefined;
}

/** Conditions that vet a value: comparisons, membership, real validation functions. */
function vets(model: ModuleModel, cond: PyNode, names: Set<string>): boolean {
  if (!identifiersIn(cond).some((i) => names.has(i.text))) return false;
  if (/==|!=|\bin\b/.test(cond.text)) return true;
  for (const n of cond.walk()) {
    if (n.type !== 'call') continue;
    const info = model.call(n);
    if (!info) continue;
    const def = localCallee(model, info);
    if (def) {
      if (!isStubFunction(def) && !alwaysApproves(def)) return true;
      continue;
    }
    if (info.qnames.some((q) => /^(ipaddress\.|.*\.(is_private|is_global|is_loopback))/.test(q))) return true;
  }
  return false;
}

/** True when an `if` around `node`, or an early exit before it, checks one of `names`. */
export function checkedBefore(model: ModuleModel, node: PyNode, names: Set<string>): boolean {
  let child: PyNode = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda') break;
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.child('consequence')?.contains(node)) {
      const cond = p.child('condition');
      if (cond && vets(model, cond, names)) return true;
    }
    if (p.type === 'block') {
      for (const s of statementsOf(p)) {
        if (s.startIndex >= child.startIndex) break;
        if (s.type === 'if_statement' && blockLeaves(s.child('consequence'))) {
          const cond = s.child('condition');
          if (cond && vets(model, cond, names)) return true;
        }
      }
    }
  }
  return false;
}

/**
 * Whether the value sent to is vetted: at the send itself, or (for a helper's parameter) at
 * every place the helper is called.
 */
export function destinationVetted(model: ModuleModel, send: CallInfo, dest: PyNode): boolean {
  const names = new Set(identifiersIn(dest).map((i) => i.text));
  if (checkedBefore(model, send.node, names)) return true;
  const fn = model.enclosingFunction(send.node);
  if (!fn) return false;
  const params = fn.params.filter((p) => names.has(p.name));
  if (params.length === 0) return false;
  const sites = model.calls.filter((c) => c.qnames.includes(fn.qname));
  if (sites.length === 0) return false;
  return sites.every((site) =>
    params.some((p) => {
      const args = argumentsFor(model, fn.node, p.name, p.index).filter((a) => site.node.contains(a));
      return args.some((a) => checkedBefore(model, site.node, new Set(identifiersIn(a).map((i) => i.text))));
    }),
  );
}
