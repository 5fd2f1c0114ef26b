import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { isResponseCall, servesResponses } from './responses.js';
import type { SecretKind } from './secret-names.js';
import { readableSecretIn } from './sensitive-values.js';
import { callNames } from './value-flow.js';

const PASSWORD: readonly SecretKind[] = ['password'];

export default defineRule({
  meta: {
    id: 'py/password-in-response',
    cwes: [200, 201],
    severity: 'high',
    confidence: 'high',
    message: 'Password sent back in an HTTP response',
    fixHint:
      "Leave passwords out of responses and templates: return only the fields the client needs (e.g. jsonify(id=user.id, name=user.name)), never the password or its hash, and confirm actions with a fixed message instead of echoing what was submitted.",
    doc: 'A response that contains a password exposes it to everything between the server and the user (proxies, browser caches and history, logs of API gateways) and to any script on the page. Passwords only ever travel from the user to the server.',
  },
  check(context) {
    const { model } = context;
    const responseArgs = (c: CallInfo): void => {
      // (A call without arguments puts nothing into a response: its names are not needed.)
      if (c.positional.length === 0 && c.keywords.size === 0) return;
      const names = callNames(model, c);
      if (!isResponseCall(names)) return;
      // The template name of render_template / render is not data.
      const first = names.some((q) => /render(_template)?$/.test(q)) ? 1 : 0;
      const check = (a: PyNode): boolean => {
        const hit = readableSecretIn(model, a, PASSWORD);
        if (hit) context.report({ node: c.node, message: `The password '${hit.name}' is put into an HTTP response` });
        return !!hit;
      };
      for (let i = first; i < c.positional.length; i++) if (check(c.positional[i]!)) return;
      for (const a of c.keywords.values()) if (check(a)) return;
    };
    const returned = (node: PyNode): void => {
      const value = node.namedChildren.find((c) => c.type !== 'comment');
      if (!value || !servesResponses(model, model.enclosingFunction(node))) return;
      // A response object built by a call is judged at that call.
      if (value.type === 'call' && isResponseCall(callNames(model, model.call(value)!))) return;
      const hit = readableSecretIn(model, value, PASSWORD);
      if (hit) context.report({ node, message: `The password '${hit.name}' is returned to the client` });
    };
    return { call: responseArgs, nodes: { return_statement: returned } };
  },
});
