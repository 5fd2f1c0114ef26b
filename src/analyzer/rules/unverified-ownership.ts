import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { builtFrom, enclosingDef, identifiersIn, unparen } from './code-shape.js';

/** Calls that act on a process chosen by id. */
const SIGNAL_CALLS: Record<string, number> = { 'os.kill': 0, 'os.killpg': 0, 'signal.pthread_kill': 0 };
const PSUTIL_ACTIONS = /^psutil\.Process(\(\))?\.(kill|terminate|send_signal|suspend|resume|nice|ionice)$/;

/** Signs that the code compares the target's owner with the caller: uids, usernames, owner fields. */
const OWNERSHIP_CHECK = /\b(getuid|geteuid|getresuid|uids|st_uid|username|owner|getpwuid|getlogin)\b/;

/** The process is the program's own or its child: its id comes from os.getpid() or a `.pid` attribute. */
function ownProcess(expr: PyNode | undefined): boolean {
  const e = unparen(expr);
  if (!e) return false;
  return /\b(getpid|getppid|getpgid|getpgrp)\s*\(/.test(e.text) || (e.type === 'attribute' && e.child('attribute')?.text === 'pid');
}

export default defineRule({
  meta: {
    id: 'py/unverified-ownership',
    cwes: [283, 282],
    severity: 'medium',
    confidence: 'medium',
    message: 'Process signalled without checking who owns it',
    fixHint:
      "Before signalling a process id that came from a caller, confirm the caller may act on it: compare the target's owner with the requesting user (psutil.Process(pid).uids().real == os.getuid(), or the owner recorded when the process was started) and refuse otherwise.",
    doc: 'A function that kills or signals whatever process id it is given acts with the program\'s rights on processes that belong to others. When the id comes from a user, the program becomes a way to stop services or other users\' processes. The ownership of the target has to be verified against the requester first.',
  },
  check(context) {
    const { model } = context;
    /** The condition reads an owner or uid, directly or through variables assigned from one. */
    const aboutOwners = (cond: PyNode | undefined, depth = 0): boolean => {
      if (!cond || depth > 2) return false;
      if (OWNERSHIP_CHECK.test(cond.text)) return true;
      return identifiersIn(cond).some((i) => model.reaching(i).some((b) => b.kind === 'assign' && aboutOwners(b.value, depth + 1)));
    };
    const judge = (c: CallInfo, pid: PyNode | undefined): void => {
      if (!pid || model.isConstant(pid) || builtFrom(model, pid, (n) => ownProcess(n), { throughParameters: true })) return;
      const scope = enclosingDef(c.node) ?? model.root;
      // Any condition in the function that compares owners counts as the check.
      for (const n of scope.walk()) {
        if ((n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'while_statement') && aboutOwners(n.child('condition'))) return;
        if (n.type === 'assert_statement' && aboutOwners(n)) return;
      }
      context.report({ node: c.node, message: `process ${pid.text} is signalled without verifying that it belongs to the requesting user` });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, index] of Object.entries(SIGNAL_CALLS)) calls[q] = (c) => judge(c, c.arg(index, 'pid'));
    return {
      calls,
      call(c) {
        if (!c.qnames.some((q) => PSUTIL_ACTIONS.test(q))) return;
        // psutil.Process(pid).kill(): the id is the constructor's argument.
        let receiver = unparen(c.receiver);
        if (receiver?.type === 'identifier') {
          const b = model.reaching(receiver).find((x) => x.kind === 'assign');
          receiver = b?.kind === 'assign' ? unparen(b.value) : undefined;
        }
        const ctor = receiver?.type === 'call' ? model.call(receiver) : undefined;
        if (ctor) judge(c, ctor.arg(0, 'pid'));
      },
    };
  },
});
