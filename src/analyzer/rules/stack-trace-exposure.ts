import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { isResponseCall, RESPONSE_CALLS, servesResponses } from './responses.js';
import { callNames, walkValue } from './value-flow.js';

/** Calls whose result is a stack trace or the current exception. */
const TRACE_CALLS = new Set([
  'traceback.format_exc',
  'traceback.format_exception',
  'traceback.format_exception_only',
  'traceback.format_tb',
  'traceback.format_stack',
  'traceback.extract_tb',
  'traceback.extract_stack',
  'traceback.TracebackException',
  'traceback.TracebackException.from_exception',
  'sys.exc_info',
  'sys.exception',
]);

/** Calls that only look at an exception without revealing its details. */
const OPAQUE_CALLS = new Set(['type', 'isinstance', 'len', 'bool', 'id', 'hash', 'logging.exception', 'logging.error', 'print']);

type Exposure = { node: PyNode; trace: boolean };

/** The exception data (caught exception or stack trace) a value carries, if any. */
function exceptionData(model: ModuleModel, value: PyNode | undefined, skipResponses = false): Exposure | undefined {
  let found: Exposure | undefined;
  walkValue(model, value, (n) => {
    if (found) return false;
    if (n.type === 'call') {
      const info = model.call(n);
      if (info) {
        const names = callNames(model, info);
        // A response built inside this one is reported on its own.
        if (skipResponses && isResponseCall(names)) return false;
        if (names.some((q) => TRACE_CALLS.has(q))) {
          found = { node: n, trace: true };
          return false;
        }
        if (names.some((q) => OPAQUE_CALLS.has(q)) || info.method === '__name__') return false;
      }
    }
    // `type(e).__name__`, `e.__class__.__name__`: the class name only.
    if (n.type === 'attribute' && /^(__name__|__qualname__|errno|code|status_code|status)$/.test(n.child('attribute')?.text ?? '')) return false;
    if (n.type === 'attribute' && n.child('attribute')?.text === '__traceback__') {
      found = { node: n, trace: true };
      return false;
    }
    if (n.type === 'identifier' && model.reaching(n).some((b) => b.kind === 'except')) {
      found = { node: n, trace: false };
      return false;
    }
    return true;
  });
  return found;
}

export default defineRule({
  meta: {
    id: 'py/stack-trace-exposure',
    cwes: [209, 497],
    severity: 'medium',
    confidence: 'high',
    message: 'Exception details are sent back to the client',
    fixHint:
      "Log the exception on the server (logging.exception('...') or app.logger.exception) and return a generic message instead, e.g. return Response('An internal error occurred', status=500); never put traceback.format_exc() or str(e) in the response.",
    doc: 'Stack traces and exception messages reveal file paths, library versions, SQL statements, configuration values and sometimes data, which helps an attacker plan the next step. Record the details in the server log and give the client a fixed error message, with an identifier to correlate with the log if needed.',
  },
  check(context) {
    const { model } = context;
    const reportValue = (at: PyNode, value: PyNode | undefined, where: string): void => {
      const exposure = exceptionData(model, value, true);
      if (!exposure) return;
      context.report({
        node: at,
        message: exposure.trace ? `Stack trace ${where}` : `Exception message ${where}`,
        confidence: exposure.trace ? 'high' : 'medium',
      });
    };
    const responseArgs = (c: CallInfo): void => {
      for (const a of [...c.positional, ...c.keywords.values()]) {
        if (exceptionData(model, a, true)) return reportValue(c.node, a, 'is put into an HTTP response');
      }
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of RESPONSE_CALLS) calls[q] = responseArgs;
    // Tornado / BaseHTTPRequestHandler style writes.
    calls['*.RequestHandler.write'] = responseArgs;
    calls['*.RequestHandler.finish'] = responseArgs;
    return {
      calls,
      call(c) {
        // self.wfile.write(...) in http.server handlers.
        if (c.method === 'write' && c.receiver?.type === 'attribute' && c.receiver.child('attribute')?.text === 'wfile') responseArgs(c);
      },
      nodes: {
        return_statement(node) {
          const value = node.namedChildren.find((c) => c.type !== 'comment');
          if (!value || !servesResponses(model, model.enclosingFunction(node))) return;
          reportValue(node, value, 'is returned to the client');
        },
      },
    };
  },
});
