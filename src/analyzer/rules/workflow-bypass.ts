import type { PyNode } from '../ast.js';
import type { FunctionInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { blockLeaves, comparisonOperands, comparisonOperators, identifiersIn, plainParams, statementsOf, unparen } from './code-shape.js';

/** Commands that start a session: they run before any check, and the others must follow them. */
const ENTRY_STEP = /^(login|log_in|logon|log-in|signin|sign_in|sign-in|authenticate|auth|register|signup|sign_up|sign-up)$/i;
/** Commands that need no session at all. */
const FREE_STEP = /^(logout|log_out|help|ping|version|hello|status|health)$/i;

interface Branch {
  command: string;
  body: PyNode;
  /** The statement holding the branch condition. */
  at: PyNode;
}

/** `command == 'x'` with `command` one of the function's parameters → 'x'. */
function commandOf(model: ModuleModel, cond: PyNode | undefined, param: string | undefined): { param: string; value: string } | undefined {
  const c = unparen(cond);
  if (c?.type !== 'comparison_operator' || comparisonOperators(c).join() !== '==') return undefined;
  const [a, b] = comparisonOperands(c);
  for (const [subject, other] of [[a, b], [b, a]] as const) {
    const value = model.constString(other);
    if (subject?.type === 'identifier' && value !== undefined && (!param || subject.text === param)) return { param: subject.text, value };
  }
  return undefined;
}

/** The branches of `if cmd == 'a': ... elif cmd == 'b': ...` or of consecutive `if cmd == ...` statements. */
function dispatchBranches(model: ModuleModel, block: PyNode): Branch[][] {
  const groups: Branch[][] = [];
  let current: Branch[] = [];
  let param: string | undefined;
  const flush = (): void => {
    if (current.length >= 2) groups.push(current);
    current = [];
    param = undefined;
  };
  for (const s of statementsOf(block)) {
    if (s.type !== 'if_statement') {
      flush();
      continue;
    }
    const head = commandOf(model, s.child('condition'), param);
    if (!head) {
      flush();
      continue;
    }
    param = head.param;
    current.push({ command: head.value, body: s.child('consequence')!, at: s });
    for (const e of s.children.filter((x) => x.type === 'elif_clause')) {
      const cmd = commandOf(model, e.child('condition'), param);
      if (cmd) current.push({ command: cmd.value, body: e.child('consequence')!, at: e });
    }
    // A chain of elifs is one dispatcher by itself; consecutive ifs join into one.
    if (s.children.some((x) => x.type === 'elif_clause')) flush();
  }
  flush();
  return groups;
}

/**
 * Blocks with an `if x == 'word':` statement, in document order: a dispatcher's first branch
 * is one (every branch compares a name with a constant), so other blocks have no dispatcher.
 */
function dispatcherBlocks(model: ModuleModel): PyNode[] {
  const out: PyNode[] = [];
  for (const s of model.byType('if_statement')) {
    const block = s.parent;
    if (block?.type !== 'block' || out[out.length - 1] === block) continue;
    if (commandOf(model, s.child('condition'), undefined)) out.push(block);
  }
  return [...new Set(out)].sort((a, b) => a.id - b.id);
}

/** A condition that checks someone: it passes one of the principals to a function (`authenticated(user)`). */
function checksPrincipal(cond: PyNode | undefined, principals: Set<string>): boolean {
  if (!cond) return false;
  return [...cond.walk()].some((n) => n.type === 'call' && identifiersIn(n.child('arguments') ?? n).some((i) => principals.has(i.text)));
}

/** The calls a branch makes to do its work: not reporting (`print`, logging) or formatting. */
function actionsOf(branch: Branch): PyNode[] {
  return [...branch.body.walk()].filter((n) => n.type === 'call' && !/^(print|logging\.|logger\.|log\.|str|repr|format|len|int|float)\b/.test(n.child('function')?.text ?? ''));
}

/** The branch's actions run only after a check (an `if` inside the branch, or around the dispatcher). */
function guarded(branch: Branch, principals: Set<string>, fn: FunctionInfo): boolean {
  const calls = actionsOf(branch);
  for (const call of calls) {
    let ok = false;
    for (let p = call.parent; p && p !== fn.node; p = p.parent) {
      // Inside a checking `if` (its body, or its else branch: the refusal path).
      if ((p.type === 'if_statement' || p.type === 'elif_clause') && p !== branch.at && !p.child('condition')?.contains(call) && checksPrincipal(p.child('condition'), principals)) ok = true;
      // `if login(user, args):`: the action is itself the check.
      if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.child('condition')?.contains(call)) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

/** An early exit before the dispatcher that checks a principal: `if not authenticated(user): return`. */
function gatedBefore(fn: FunctionInfo, dispatcher: PyNode, principals: Set<string>): boolean {
  for (const s of statementsOf(fn.node.child('body'))) {
    if (s.startIndex >= dispatcher.startIndex) break;
    if (s.type === 'if_statement' && blockLeaves(s.child('consequence')) && checksPrincipal(s.child('condition'), principals)) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/workflow-bypass',
    cwes: [841, 862],
    severity: 'high',
    confidence: 'medium',
    message: 'Command runs without the check its workflow requires',
    fixHint:
      'Check the user once, before dispatching: `if not is_authenticated(user): return deny()` at the top (only the login/entry command may skip it), and verify ownership or rights for each command that touches a resource.',
    doc: 'A dispatcher that runs each command on request must enforce the order of the workflow: logging in comes first, and every other command requires the check that proves it happened. When some branches call the action directly while others check first, a client can skip the step simply by sending a different command.',
  },
  check(context) {
    const { model } = context;
    let candidates: PyNode[] | undefined;
    return {
      nodes: {
        function_definition(fnNode) {
          const fn = model.functionInfo(fnNode);
          const body = fnNode.child('body');
          if (!fn || !body) return;
          // The blocks of the body (itself and nested ones, in document order) that can hold a dispatcher.
          candidates ??= dispatcherBlocks(model);
          const blocks = candidates.filter((b) => b.id >= body.id && b.id <= body.lastId);
          for (const block of blocks) {
            for (const branches of dispatchBranches(model, block)) {
              const param = (unparen(branches[0]!.at.child('condition'))?.namedChildren ?? []).find((n) => n.type === 'identifier')?.text;
              // A dispatcher is handed its command: the compared name is a parameter.
              if (!param || !plainParams(fn).includes(param)) continue;
              const principals = new Set(plainParams(fn).filter((p) => p !== param));
              if (principals.size === 0 || gatedBefore(fn, branches[0]!.at, principals)) continue;
              // The dispatcher sits inside an `if authenticated(user):`.
              let wrapped = false;
              for (let p = branches[0]!.at.parent; p && p !== fnNode; p = p.parent)
                if ((p.type === 'if_statement' || p.type === 'elif_clause') && checksPrincipal(p.child('condition'), principals)) wrapped = true;
              if (wrapped) continue;
              // Commands are words (`retrieve_file`), not characters or symbols a parser switches on.
              if (!branches.every((b) => /^[A-Za-z][\w-]{2,}$/.test(b.command))) continue;
              const judged = branches.filter((b) => actionsOf(b).length > 0).map((b) => ({ b, guarded: guarded(b, principals, fn), entry: ENTRY_STEP.test(b.command) }));
              const hasEntry = judged.some((j) => j.entry);
              const someGuarded = judged.some((j) => j.guarded && !j.entry);
              for (const j of judged) {
                if (j.guarded || j.entry || FREE_STEP.test(j.b.command)) continue;
                if (!someGuarded && !hasEntry) continue;
                context.report({
                  node: j.b.at.child('condition')!,
                  confidence: someGuarded ? 'high' : 'medium',
                  message: someGuarded
                    ? `command '${j.b.command}' acts without the check other commands perform first`
                    : `command '${j.b.command}' acts without checking that the user went through '${judged.find((x) => x.entry)!.b.command}' first`,
                });
              }
            }
          }
        },
      },
    };
  },
});
