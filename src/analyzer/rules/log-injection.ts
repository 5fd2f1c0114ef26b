import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const LEVELS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'critical', 'exception', 'fatal', 'log']);

export default defineRule({
  meta: {
    id: 'py/log-injection',
    cwes: [117],
    severity: 'low',
    confidence: 'high',
    message: 'Untrusted data written to a log',
    fixHint:
      "Remove line breaks before logging user data: logger.info('User name: %s', name.replace('\\r', '').replace('\\n', '')), or log it with repr(); keep the format string constant.",
    doc: 'A value with CR/LF characters can forge extra log lines (for example a fake successful login), and control characters can confuse log viewers. Strip or encode line breaks in anything that came from outside before logging it.',
  },
  check(context) {
    const { model } = context;
    const isLogger = (c: CallInfo): boolean =>
      c.qnames.some((q) => {
        const owner = q.slice(0, q.lastIndexOf('.'));
        return owner === 'logging' || owner === 'logging.Logger' || /\.logger$/.test(owner) || owner === 'logging.root' || owner === 'logging.LoggerAdapter';
      });
    return {
      call(c) {
        const name = c.qname ? c.qname.slice(c.qname.lastIndexOf('.') + 1) : c.method;
        if (!name || !LEVELS.has(name) || !isLogger(c)) return;
        const args = name === 'log' ? c.positional.slice(1) : c.positional;
        // `log.info("user %r", name)`: logging formats each argument with its conversion; %r
        // writes repr() (line breaks escaped), %d and %f need a number.
        const conversions = percentConversions(model.constString(args[0]));
        for (const [i, a] of args.entries()) {
          if (model.isConstant(a)) continue;
          if (i > 0 && conversions && conversions.length === args.length - 1 && /[rdifeEgGxXoc]/.test(conversions[i - 1]!)) continue;
          if (context.reportTaint({ node: c.node, value: a, kind: 'log', message: 'log entry contains {source}' })) return;
        }
      },
    };
  },
});

/** The conversion letters of a %-format string, in order (`%%` skipped); undefined when not constant or keyed (`%(name)s`). */
function percentConversions(format: string | undefined): string[] | undefined {
  if (format === undefined || /%\(/.test(format)) return undefined;
  const out: string[] = [];
  for (const m of format.matchAll(/%([-+ #0]*(\*|\d+)?(\.(\*|\d+))?)([a-zA-Z%])/g)) if (m[5] !== '%') out.push(m[5]!);
  return out;
}
