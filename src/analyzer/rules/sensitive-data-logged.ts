import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { CREDENTIAL_KINDS, readableSecretIn } from './sensitive-values.js';
import { callNames } from './value-flow.js';

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'critical', 'exception', 'log', 'fatal']);

/** A call that writes a log record: the logging module, a Logger, Flask's app.logger or an untyped `log`/`logger`. */
function isLogCall(model: ModuleModel, c: CallInfo): boolean {
  if (!c.method || !LOG_METHODS.has(c.method)) return false;
  const names = callNames(model, c);
  if (names.some((q) => /^(logging|logging\.Logger|flask\.Flask\.logger|flask\.current_app\.logger|loguru\.logger|structlog)\./.test(q) || /\.logger\.\w+$/.test(q))) return true;
  const receiver = c.receiver?.type === 'identifier' ? c.receiver.text : c.receiver?.type === 'attribute' ? c.receiver.child('attribute')?.text : undefined;
  return receiver !== undefined && /^(log|logger|_log|_logger|LOG|LOGGER|log_)$/.test(receiver);
}

/** pprint.pprint / pprint.pp, or (for a `.write` call) sys.stdout.write / sys.stderr.write. */
function printsByName(names: readonly string[], write: boolean): boolean {
  for (const q of names) {
    if (q === 'pprint.pprint' || q === 'pprint.pp') return true;
    if (write && (q === 'sys.stdout.write' || q === 'sys.stderr.write')) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/sensitive-data-logged',
    cwes: [532],
    severity: 'medium',
    confidence: 'high',
    message: 'Password or secret written to a log',
    fixHint: "Leave secrets out of log messages: log the event and the user name (logger.info('login failed for %s', username)), never the password, token or key; mask them if something must be shown (token[:4] + '...').",
    doc: 'Log files are kept for a long time, copied to monitoring systems and read by many people, so a password, token or key written there is exposed far beyond the application. Record that an event happened, not the secret involved.',
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        if (c.positional.length === 0 && c.keywords.size === 0) return;
        const isPrint = (c.callee.type === 'identifier' && c.qname === 'print') || printsByName(callNames(model, c), c.method === 'write');
        if (!isPrint && !isLogCall(model, c)) return;
        const check = (a: PyNode): boolean => {
          if (model.isConstant(a)) return false;
          const hit = readableSecretIn(model, a, CREDENTIAL_KINDS);
          if (!hit) return false;
          context.report({
            node: c.node,
            message: `${isPrint ? 'Printed' : 'Logged'} message contains the ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}'`,
            confidence: isPrint ? 'medium' : 'high',
            cwes: isPrint ? [532, 200] : [532],
          });
          return true;
        };
        for (const a of c.positional) if (check(a)) return;
        for (const [k, v] of c.keywords) if (k !== 'exc_info' && k !== 'extra' && k !== 'file' && check(v)) return;
      },
    };
  },
});
