import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { isPasswordName } from './secret-names.js';
import { nameOfNode } from './sensitive-values.js';
import { constNumber, targetName } from './value-flow.js';

/** NIST SP 800-63B: memorised secrets of at least 8 characters. */
const MIN_LENGTH = 8;

export default defineRule({
  meta: {
    id: 'py/weak-password-policy',
    cwes: [521],
    severity: 'medium',
    confidence: 'medium',
    message: 'Password policy allows short passwords',
    fixHint:
      "Require at least 8 characters (12 or more is better) and check new passwords against lists of common or breached passwords, e.g. Django's MinimumLengthValidator with min_length >= 8 plus CommonPasswordValidator.",
    doc: 'Short passwords fall to online guessing and offline cracking within minutes. NIST SP 800-63B asks for at least 8 characters, no upper limit below 64, and a check against known-breached passwords; disabling password validation removes even that.',
  },
  check(context) {
    const { model } = context;
    /** `len(password)` → the password expression. */
    const lengthOfPassword = (node: PyNode | undefined): boolean => {
      if (node?.type !== 'call') return false;
      const info = model.call(node);
      if (info?.qname !== 'len' || !info.positional[0]) return false;
      const arg = info.positional[0];
      const name = nameOfNode(model, arg) ?? (arg.type === 'call' ? nameOfNode(model, model.call(arg)?.receiver ?? arg) : undefined);
      return isPasswordName(name);
    };
    return {
      nodes: {
        comparison_operator(node) {
          const parts = node.children;
          if (parts.length !== 3) return;
          const [left, op, right] = parts as [PyNode, PyNode, PyNode];
          let min: number | undefined;
          if (lengthOfPassword(left)) {
            const n = constNumber(model, right);
            if (n === undefined) return;
            min = op.text === '<' || op.text === '>=' ? n : op.text === '<=' || op.text === '>' ? n + 1 : undefined;
          } else if (lengthOfPassword(right)) {
            const n = constNumber(model, left);
            if (n === undefined) return;
            min = op.text === '>' || op.text === '<=' ? n : op.text === '>=' || op.text === '<' ? n + 1 : undefined;
          }
          if (min !== undefined && min > 0 && min < MIN_LENGTH) context.report({ node, message: `Passwords of ${min} characters are accepted (at least ${MIN_LENGTH} needed)` });
        },
        assignment(node) {
          const name = targetName(model, node.child('left'));
          const right = node.child('right');
          if (name === 'AUTH_PASSWORD_VALIDATORS' && right?.type === 'list' && right.namedChildren.filter((c) => c.type !== 'comment').length === 0)
            return context.report({ node, message: 'Django password validation is turned off (AUTH_PASSWORD_VALIDATORS = [])', confidence: 'high' });
          // The setting's name first: folding every assigned value to a number is the costly part.
          if (!name || !/^(SECURITY_PASSWORD_LENGTH_MIN|PASSWORD_MIN_LENGTH|MIN_PASSWORD_LENGTH)$/.test(name)) return;
          const n = constNumber(model, right);
          if (n !== undefined && n < MIN_LENGTH) context.report({ node, message: `${name} = ${n} allows short passwords` });
        },
        pair(node) {
          // {'NAME': '...MinimumLengthValidator', 'OPTIONS': {'min_length': 6}}
          if (model.constString(node.child('key')) !== 'min_length') return;
          const n = constNumber(model, node.child('value'));
          if (n !== undefined && n < MIN_LENGTH && node.parent?.parent?.parent?.text.includes('MinimumLengthValidator'))
            context.report({ node, message: `MinimumLengthValidator min_length ${n} allows short passwords` });
        },
      },
    };
  },
});
