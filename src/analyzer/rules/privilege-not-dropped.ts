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
  for (const c of model.calls) {
    if (c.qnames.some((q) => q.startsWith('os.set') && SET_IDS.test(q))) return true;
    const name = c.callee.type === 'identifier' ? c.callee.text : c.method;
    if (name && mayNameRaise(name)) return true;
  }
  for (const def of model.byType('function_definition')) if (mayNameRaise(def.child('name')?.text ?? '')) return true;
  return false;
}

/** RAISE_NAME's shortest match is 8 characters (`gain` + `root`): shorter names are ruled out without the pattern. */
function mayNameRaise(name: string): boolean {
  return name.length >= 8 && RAISE_NAME.test(name);
}

function containsLower(model: ModuleModel, block: PyNode | undefined): boolean {
  return !!block && [...callsIn(block)].some((c) => privilegeKind(model, c) === 'lower');
}

export default defineRule({
  meta: {
    id: 'py/privilege-not-dropped',
    cwes: [269, 250],
    severity: 'high',
    confidence: 'medium',
    message: 'Raised privileges are not dropped on every path',
    fixHint:
      'Raise privileges only around the one operation that needs them and drop them in a finally block: `raise_privileges()` then `try: os.mkdir(path) finally: lower_privileges()`; drop the group before the user (os.setgid before os.setuid), and avoid shelling out through sudo.',
    doc: 'Code that raises its privileges and lowers them afterwards keeps them when an exception or an early return skips the lowering: the rest of the program, possibly driven by an attacker, then runs as root. Handlers that catch the error and carry on make this the normal path. Calling setuid before setgid leaves the group privileges in place, because the process may no longer change its group.',
  },
  check(context) {
    const { model } = context;
    let raising: boolean | undefined;
    return {
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
        // setuid before setgid: the group can no longer be changed.
        if (c.qname === 'os.setuid' || c.qname === 'os.setresuid' || c.qname === 'os.setreuid') {
          const fn = c.node.parent && model.enclosingFunction(c.node);
          const scope = fn?.node.child('body') ?? model.root;
          const later = [...nodesIn(scope, 'call')].find((n) => n.startIndex > c.node.endIndex && /^os\.(setgid|setresgid|setregid|setgroups|initgroups)$/.test(model.call(n)?.qname ?? ''));
          if (later && model.constValue(c.positional[0]) !== 0)
            context.report({ node: later, confidence: 'high', message: `${model.call(later)!.qname}() after ${c.qname}(): once the user id is dropped the group cannot be changed, so group privileges stay` });
          return;
        }
        // Commands run through sudo.
        if (/^(os\.(system|popen)|subprocess\.(run|call|check_call|check_output|Popen|getoutput|getstatusoutput))$/.test(c.qname ?? '')) {
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
        node: raise,
        message: `privileges raised by ${what}() stay raised when an error is caught by \`except ${names.join(', ') || ''}\` on line ${clause.line}: the lowering call is skipped`,
      });
      return;
    }
  }
  if (lowers.length === 0) {
    context.report({ node: raise, confidence: 'low', message: `privileges raised by ${what}() are never lowered in ${fnNode.child('name')?.text ?? 'this function'}()` });
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
  if (early) context.report({ node: raise, message: `the function returns on line ${early.line} with the privileges raised by ${what}() still in place` });
}
