import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule, type RuleContext } from '../rule.js';
import {
  callsIn,
  callsUnimplemented,
  caughtNames,
  exceptClauses,
  finallyBlock,
  handlerBody,
  localCallee,
  nodesIn,
  parts,
  tryBodiesAround,
} from './code-shape.js';

const SET_IDS = /^os\.(setuid|seteuid|setreuid|setresuid|setgid|setegid|setregid|setresgid)$/;

/** Calls that give root up for good or for a while: set*id, and the group list. */
const DROP_CALLS = /^os\.(setuid|seteuid|setreuid|setresuid|setgid|setegid|setregid|setresgid|setgroups|initgroups)$/;

/** Standard-library servers that bind the address they are given (`(host, port)` first). */
const ADDRESS_SERVERS = /^(socketserver\.(Threading|Forking)?(TCP|UDP)Server|http\.server\.(Threading)?HTTPServer|xmlrpc\.server\.(Simple|DocXML|MultiPath)XMLRPCServer|smtpd\.(SMTP|Debugging|Pure)Server)$/;

/** Calls that run a command line (through sudo, possibly). */
const SUDO_RUNNERS = /^(os\.(system|popen)|subprocess\.(run|call|check_call|check_output|Popen|getoutput|getstatusoutput))$/;

/** Files only root may open. */
const ROOT_ONLY_FILE = /^\/etc\/(shadow|gshadow|sudoers|master\.passwd)(-|\.d\/|$)|^\/root\//;

/** A constant port in the range only root may bind (1-1023). */
function privilegedPort(model: ModuleModel, port: PyNode | undefined): number | undefined {
  const v = port && model.constValue(port);
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1024 ? v : undefined;
}

/** The port of a `(host, port)` address: a tuple in place or a name bound to one. */
function addressPort(model: ModuleModel, address: PyNode | undefined): number | undefined {
  if (!address) return undefined;
  const v = model.constValue(address);
  if (Array.isArray(v)) return typeof v[1] === 'number' && Number.isInteger(v[1]) && v[1] > 0 && v[1] < 1024 ? v[1] : undefined;
  let tuple: PyNode | undefined = address;
  if (tuple.type === 'identifier') {
    const bindings = model.reaching(tuple);
    const b = bindings.length === 1 ? bindings[0]! : undefined;
    tuple = b?.kind === 'assign' && b.path.length === 0 ? b.value : undefined;
  }
  return tuple?.type === 'tuple' ? privilegedPort(model, parts(tuple)[1]) : undefined;
}

/**
 * What a call does that only root may do: bind a port below 1024, chroot, open a root-only
 * file. Undefined for everything else (most calls: the method or name test fails at once).
 */
function needsRoot(model: ModuleModel, c: CallInfo, q: string | undefined): string | undefined {
  if (c.method === 'bind') {
    if (c.positional.length !== 1 || c.hasSplat) return undefined;
    if (!c.qnames.some((q) => q === 'socket.socket.bind') && !model.importsModule('socket')) return undefined;
    const port = addressPort(model, c.positional[0]);
    return port === undefined ? undefined : `binds port ${port}, which only root may bind`;
  }
  if (!q) return undefined;
  if (q === 'os.chroot') return 'calls os.chroot(), which only root may do';
  if (q === 'open' || q === 'io.open' || q === 'os.open') {
    const path = model.constString(c.arg(0, q === 'os.open' ? 'path' : 'file'));
    return path !== undefined && ROOT_ONLY_FILE.test(path) ? `opens ${path}, which only root may read` : undefined;
  }
  if (q.endsWith('Server') && ADDRESS_SERVERS.test(q)) {
    const port = addressPort(model, c.arg(0, 'server_address') ?? c.arg(0, 'addr') ?? c.arg(0, 'localaddr'));
    return port === undefined ? undefined : `starts a server on port ${port}, which only root may bind`;
  }
  if (q === 'wsgiref.simple_server.make_server') {
    const port = privilegedPort(model, c.arg(1, 'port'));
    return port === undefined ? undefined : `starts a server on port ${port}, which only root may bind`;
  }
  return undefined;
}

/**
 * Helpers the snippet calls but does not implement, named for what they do with privileges
 * (`elevate_privileges`, `drop_root`). Their names are all there is to go on.
 */
const RAISE_NAME = /(raise|elevate|escalate|gain|acquire|become|enable|obtain|increase|grant)_?(root|admin|sudo|super_?user|priv|privs|privilege|privileges|permissions?)\b/i;
const LOWER_NAME = /(lower|drop|revoke|release|restore|reset|disable|relinquish|decrease|shed|remove)_?(root|admin|sudo|super_?user|priv|privs|privilege|privileges|permissions?)\b/i;

type Kind = 'raise' | 'lower';

/** What a set*id call does: becoming root (an argument is the constant 0) or leaving it. */
function setIdKind(model: ModuleModel, info: CallInfo): Kind | undefined {
  if (!info.qnames.some((q) => SET_IDS.test(q))) return undefined;
  return info.positional.some((a) => model.constValue(a) === 0) ? 'raise' : 'lower';
}

/** Whether a call raises or lowers privileges: set*id, a module function doing so, or a named helper. */
function privilegeKind(model: ModuleModel, call: PyNode, depth = 0): Kind | undefined {
  // Every function's calls are judged, and judging one walks its callee's calls: answer once
  // per call and depth (depth 2 and deeper answer alike: no further descent).
  let memo = KIND_MEMO.get(model);
  if (!memo) KIND_MEMO.set(model, (memo = new Map()));
  const key = call.id * 3 + Math.min(depth, 2);
  if (memo.has(key)) return memo.get(key);
  const kind = computePrivilegeKind(model, call, depth);
  memo.set(key, kind);
  return kind;
}

const KIND_MEMO = new WeakMap<ModuleModel, Map<number, Kind | undefined>>();

function computePrivilegeKind(model: ModuleModel, call: PyNode, depth: number): Kind | undefined {
  const info = model.call(call);
  if (!info) return undefined;
  const direct = setIdKind(model, info);
  if (direct) return direct;
  const def = localCallee(model, info);
  const name = def?.child('name')?.text ?? (info.callee.type === 'identifier' ? info.callee.text : info.method ?? '');
  if (def && depth < 2) {
    const kinds = new Set([...callsIn(def.child('body')!)].map((c) => privilegeKind(model, c, depth + 1)).filter(Boolean));
    if (kinds.size === 1) return [...kinds][0];
    if (kinds.size > 1) return undefined;
  }
  if (callsUnimplemented(model, info)) {
    const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
    if (RAISE_NAME.test(words)) return 'raise';
    if (LOWER_NAME.test(words)) return 'lower';
  }
  return undefined;
}

/**
 * Whether any call of the module could be judged to raise privileges: a set*id call, or a
 * call or function whose name reads like raising them. Raising only comes from these two
 * (`setIdKind`, the name test in `computePrivilegeKind`, and module functions built on
 * them), and the name test on the raw name is implied by the test on its split words.
 */
function mayRaise(model: ModuleModel): boolean {
  // Indexed loops: this runs once per module, mostly before V8 optimises it (see engine.ts).
  const calls = model.calls;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const qnames = c.qnames;
    for (let j = 0; j < qnames.length; j++) if (qnames[j]!.startsWith('os.set') && SET_IDS.test(qnames[j]!)) return true;
    // (The callee's text is taken only when long enough for the name test.)
    const callee = c.callee;
    if (callee.type === 'identifier' ? callee.endIndex - callee.startIndex >= 8 && mayNameRaise(callee.text) : c.method !== undefined && mayNameRaise(c.method)) return true;
  }
  const defs = model.byType('function_definition');
  for (let i = 0; i < defs.length; i++) if (mayNameRaise(defs[i]!.child('name')?.text ?? '')) return true;
  return false;
}

/** RAISE_NAME's shortest match is 8 characters (`gain` + `root`): shorter names are ruled out without the pattern. */
function mayNameRaise(name: string): boolean {
  return name.length >= 8 && RAISE_NAME.test(name);
}

/** A call that gives root up: a set*id or group-list call (not becoming root with 0), or a helper that lowers privileges. */
function isDrop(model: ModuleModel, call: PyNode): boolean {
  const c = model.call(call);
  if (!c) return false;
  if (c.qnames.some((q) => DROP_CALLS.test(q))) return !c.positional.length || !c.positional.every((a) => model.constValue(a) === 0);
  if (privilegeKind(model, call) === 'lower') return true;
  // A library helper named for it (`from privdrop import drop_privileges`).
  const name = c.callee.type === 'identifier' ? c.callee.text : c.method;
  return !!name && !localCallee(model, c) && LOWER_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

/**
 * Whether root is given up after `node` runs: a drop later in its function (or later at module
 * level), or, for a function, later in a function of the module that calls it (two levels up).
 */
function dropsAfter(model: ModuleModel, node: PyNode, depth = 0): boolean {
  const fn = model.enclosingFunction(node);
  const scope = fn?.node.child('body') ?? model.root;
  if (callsIn(scope).some((c) => c.startIndex > node.endIndex && isDrop(model, c))) return true;
  if (!fn || depth >= 2) return false;
  // A constructor runs where its class is called.
  const cls = fn.cls && fn.name === '__init__' ? model.classes.find((k) => k.node === fn.cls)?.qname : undefined;
  return model.calls.some((c) => (c.qnames.includes(fn.qname) || (cls !== undefined && c.qnames.includes(cls))) && dropsAfter(model, c.node, depth + 1));
}

function containsLower(model: ModuleModel, block: PyNode | undefined): boolean {
  return !!block && [...callsIn(block)].some((c) => privilegeKind(model, c) === 'lower');
}

export default defineRule({
  meta: {
    id: 'py/privilege-not-dropped',
    cwes: [269, 250, 271, 243],
    severity: 'high',
    confidence: 'medium',
    message: 'Raised privileges are not dropped on every path',
    fixHint:
      'Raise privileges only around the one operation that needs them and drop them in a finally block: `raise_privileges()` then `try: os.mkdir(path) finally: lower_privileges()`; drop the group before the user (os.setgid before os.setuid), and avoid shelling out through sudo.',
    doc: 'Code that raises its privileges and lowers them afterwards keeps them when an exception or an early return skips the lowering: the rest of the program, possibly driven by an attacker, then runs as root. Handlers that catch the error and carry on make this the normal path. Calling setuid before setgid leaves the group privileges in place, because the process may no longer change its group. A program that must start as root (to bind a port below 1024, chroot, or read /etc/shadow) should give root up with setgid/setuid as soon as that is done, and chdir into a chroot jail.',
  },
  check(context) {
    const { model } = context;
    let raising: boolean | undefined;
    /** Operations that need root, judged at the end against the whole module. */
    const rootOnly: Array<{ node: PyNode; what: string; chroot: boolean; noChdir: boolean }> = [];
    return {
      end() {
        for (const r of rootOnly) {
          // After raising privileges by hand the raise is what gets reported (see judgeRaise).
          const fn = r.noChdir ? undefined : model.enclosingFunction(r.node);
          if (fn && (raising ??= mayRaise(model)) && callsIn(fn.node.child('body')!).some((c) => c.endIndex < r.node.startIndex && privilegeKind(model, c) === 'raise')) continue;
          const drops = dropsAfter(model, r.node);
          if (drops && !r.noChdir) continue;
          const jail = r.noChdir ? " os.chroot() without os.chdir('/') afterwards also leaves the working directory outside the jail, so relative paths still reach the real file system." : '';
          context.report({
            node: r.node,
            cwes: drops ? [243] : r.noChdir ? [250, 271, 243] : [250, 271],
            confidence: 'medium',
            message: drops
              ? "os.chroot() without os.chdir('/') afterwards: the working directory stays outside the jail, so relative paths still reach the real file system"
              : `The program ${r.what}, so it runs as root, and it never gives root up afterwards (no os.setgid()/os.setuid() to an unprivileged user).${jail}`,
            fixHint: r.chroot
              ? "Call os.chdir('/') right after os.chroot(jail), then drop root for good: os.setgroups([]), os.setgid(unprivileged_gid), os.setuid(unprivileged_uid)."
              : 'Do the one thing that needs root first (bind the port, open the file), then drop root for good: os.setgroups([]), os.setgid(pw.pw_gid), os.setuid(pw.pw_uid) for an unprivileged account (pwd.getpwnam). Or avoid root altogether: a port above 1023 behind a proxy, or CAP_NET_BIND_SERVICE.',
          });
        }
      },
      nodes: {
        function_definition(fnNode) {
          // Most modules never raise privileges: then no function needs its calls judged.
          raising ??= mayRaise(model);
          if (!raising) return;
          const body = fnNode.child('body');
          if (!body) return;
          const calls = [...callsIn(body)];
          const raises = calls.filter((c) => privilegeKind(model, c) === 'raise');
          if (raises.length === 0) return;
          // A helper whose job is to raise (and that the module calls) is judged where it is called.
          const info = model.functionInfo(fnNode);
          const calledHere = !!info && model.calls.some((c) => c.qnames.includes(info.qname));
          if (calledHere && calls.every((c) => privilegeKind(model, c) !== 'lower')) return;
          for (const r of raises) judgeRaise(context, model, fnNode, r, calls);
        },
      },
      call(c) {
        const q = c.qname;
        const root = needsRoot(model, c, q);
        if (root) {
          const chroot = q === 'os.chroot';
          rootOnly.push({ node: c.node, what: root, chroot, noChdir: chroot && !chdirIntoJail(model, c) });
          return;
        }
        // Everything below is about os and subprocess functions.
        if (q === undefined || !(q.startsWith('os.') || q.startsWith('subprocess.'))) return;
        // setuid before setgid: the group can no longer be changed.
        if (q === 'os.setuid' || q === 'os.setresuid' || q === 'os.setreuid') {
          const fn = c.node.parent && model.enclosingFunction(c.node);
          const scope = fn?.node.child('body') ?? model.root;
          const later = [...nodesIn(scope, 'call')].find((n) => n.startIndex > c.node.endIndex && /^os\.(setgid|setresgid|setregid|setgroups|initgroups)$/.test(model.call(n)?.qname ?? ''));
          if (later && model.constValue(c.positional[0]) !== 0)
            context.report({ node: later, cwes: [269, 250], confidence: 'high', message: `${model.call(later)!.qname}() after ${c.qname}(): once the user id is dropped the group cannot be changed, so group privileges stay` });
          return;
        }
        // Commands run through sudo.
        if (SUDO_RUNNERS.test(q)) {
          const cmd = c.arg(0, 'args') ?? c.arg(0, 'command') ?? c.arg(0, 'cmd');
          const text = cmd && (cmd.type === 'list' ? model.constString(parts(cmd)[0]) : model.templateText(cmd));
          if (text !== undefined && /^\s*sudo(\s|$)/.test(text))
            context.report({ node: c.node, cwes: [250, 269], confidence: 'medium', message: 'command run through sudo: the program executes with root rights it should not need' });
        }
      },
    };
  },
});

function judgeRaise(context: RuleContext, model: ModuleModel, fnNode: PyNode, raise: PyNode, calls: PyNode[]): void {
  const lowers = calls.filter((c) => c.startIndex > raise.endIndex && privilegeKind(model, c) === 'lower');
  // Lowering in a finally that covers the raise or what follows it is always reached.
  const tries = [...nodesIn(fnNode.child('body')!, 'try_statement')];
  if (lowers.some((l) => tries.some((t) => finallyBlock(t)?.contains(l) && t.endIndex > raise.endIndex))) return;
  const what = model.call(raise)?.callee.text ?? 'raise';
  // A handler that catches the failure and carries on while privileges are raised.
  for (const t of tryBodiesAround(raise)) {
    for (const clause of exceptClauses(t)) {
      const hb = handlerBody(clause);
      if (containsLower(model, hb)) continue;
      if (hb && [...hb.walk()].some((n) => n.type === 'raise_statement')) continue;
      const names = caughtNames(clause);
      context.report({
        cwes: [269, 250],
        node: raise,
        message: `privileges raised by ${what}() stay raised when an error is caught by \`except ${names.join(', ') || ''}\` on line ${clause.line}: the lowering call is skipped`,
      });
      return;
    }
  }
  if (lowers.length === 0) {
    context.report({ node: raise, cwes: [269, 250], confidence: 'low', message: `privileges raised by ${what}() are never lowered in ${fnNode.child('name')?.text ?? 'this function'}()` });
    return;
  }
  // An early return between raising and lowering.
  const first = lowers[0]!;
  // Returns on the path where raising failed (`if not raise_privileges(): return`) do not count.
  const failurePath = (r: PyNode): boolean => {
    for (let p = r.parent; p && p !== fnNode; p = p.parent) if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.child('condition')?.contains(raise)) return true;
    return false;
  };
  const early = [...nodesIn(fnNode.child('body')!, 'return_statement')].find((r) => r.startIndex > raise.endIndex && r.startIndex < first.startIndex && !failurePath(r));
  if (early) context.report({ node: raise, cwes: [269, 250], message: `the function returns on line ${early.line} with the privileges raised by ${what}() still in place` });
}

/**
 * Whether `os.chroot(jail)` is followed by `os.chdir()` (or preceded by `os.chdir(jail)` and
 * given '.'): without it the working directory stays outside the jail (CWE-243).
 */
function chdirIntoJail(model: ModuleModel, c: CallInfo): boolean {
  const fn = model.enclosingFunction(c.node);
  const scope = fn?.node.child('body') ?? model.root;
  const after = model.calls.some((k) => (k.qname === 'os.chdir' || k.qname === 'os.fchdir') && scope.contains(k.node) && k.node.startIndex > c.node.endIndex);
  if (after) return true;
  const before = model.calls.some((k) => k.qname === 'os.chdir' && scope.contains(k.node) && k.node.endIndex < c.node.startIndex);
  const target = model.constString(c.arg(0, 'path'));
  return before && (target === '.' || target === './');
}
