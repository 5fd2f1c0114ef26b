import type { PyNode } from '../ast.js';
import type { FunctionInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { blockLeaves, identifiersIn, plainParams, statementsOf } from './code-shape.js';

/**
 * An early exit before `before` in the function that vets the user some other way: `if not
 * allowed(user): return False`, `if user not in ADMINS: raise ...`.
 */
function hasUserGate(fn: FunctionInfo, before: PyNode): boolean {
  const params = new Set(plainParams(fn));
  for (const s of statementsOf(fn.node.child('body'))) {
    if (s.startIndex >= before.startIndex) break;
    if (s.type !== 'if_statement' || !blockLeaves(s.child('consequence'))) continue;
    const cond = s.child('condition');
    if (!cond) continue;
    const usesParam = identifiersIn(cond).some((i) => params.has(i.text));
    const vets = [...cond.walk()].some((n) => n.type === 'call') || /\bnot in\b|\bin\b/.test(cond.text);
    if (usesParam && vets) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/pam-missing-account-check',
    cwes: [285, 863],
    severity: 'high',
    confidence: 'high',
    message: 'PAM authentication without an account (authorisation) check',
    fixHint:
      'After pam_authenticate(handle, 0) returns PAM_SUCCESS, call pam_acct_mgmt(handle, 0) and accept the user only if it also returns PAM_SUCCESS (python-pam: check the account before granting access); call pam_end afterwards.',
    doc: 'pam_authenticate only proves the password: it does not say whether the account may log in now (expired, locked, outside allowed hours, or denied by access rules). Only pam_acct_mgmt applies those policies, so a program that grants access after pam_authenticate alone lets disabled or unauthorised accounts in.',
  },
  check(context) {
    const { model } = context;
    const isPam = (c: { callee: PyNode; qnames: string[] }, name: string): boolean => {
      const text = c.callee.text;
      if (!text.endsWith(name) && !c.qnames.some((q) => q.endsWith(name))) return false;
      return text === name || text.endsWith('.' + name) || c.qnames.some((q) => q === name || q.endsWith('.' + name));
    };
    const authCalls: PyNode[] = [];
    const accountChecks: PyNode[] = [];
    return {
      call(c) {
        if (isPam(c, 'pam_acct_mgmt')) accountChecks.push(c.node);
        else if (isPam(c, 'pam_authenticate')) authCalls.push(c.node);
      },
      end() {
        for (const call of authCalls) {
          // The account has to be checked after authenticating, in the same function.
          const fn = model.enclosingFunction(call);
          const scope = fn?.node ?? model.root;
          const checked = accountChecks.some((a) => a.startIndex > call.endIndex && scope.contains(a) && model.enclosingFunction(a) === fn);
          if (checked || (fn && hasUserGate(fn, call))) continue;
          context.report({
            node: call,
            confidence: fn?.route ? 'high' : 'medium',
            message: 'pam_authenticate() is used as the whole access decision; pam_acct_mgmt() is not called afterwards to check the account',
          });
        }
      },
    };
  },
});
