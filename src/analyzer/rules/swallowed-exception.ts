import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { caughtNames, handlerBody, isBroadHandler, isInertStatement, parts, statementsOf } from './code-shape.js';

/** Exceptions whose silent handling is the normal idiom (an optional import, a file already gone). */
const EXPECTED = new Set([
  'ImportError',
  'ModuleNotFoundError',
  'FileExistsError',
  'FileNotFoundError',
  'ProcessLookupError',
  'KeyboardInterrupt',
  'StopIteration',
  'StopAsyncIteration',
  'GeneratorExit',
  'CancelledError',
  'NotImplementedError',
  'BrokenPipeError',
]);

/** The handler does nothing but `pass`/`...`/`continue`: the error vanishes. */
function silentAction(body: PyNode | undefined): 'pass' | 'continue' | undefined {
  const stmts = statementsOf(body);
  if (stmts.length === 0) return 'pass';
  const active = stmts.filter((s) => !isInertStatement(s));
  if (active.length === 0) return 'pass';
  if (active.length === 1 && active[0]!.type === 'continue_statement') return 'continue';
  return undefined;
}

/**
 * The try block returns a value and nothing after the try statement does: when the handler
 * swallows the error the function returns None instead. Or the handler `continue`s a retry loop.
 */
function hidesResult(tryStmt: PyNode, action: 'pass' | 'continue'): boolean {
  const body = tryStmt.child('body');
  const returnsValue = !!body && [...body.walk()].some((n) => n.type === 'return_statement' && parts(n).length > 0);
  if (action === 'continue') return returnsValue || !!body && [...body.walk()].some((n) => n.type === 'break_statement');
  if (!returnsValue) return false;
  const block = tryStmt.parent;
  const after = statementsOf(block ?? undefined).filter((s) => s.startIndex > tryStmt.endIndex);
  return block?.parent?.type === 'function_definition' && after.length === 0;
}

export default defineRule({
  meta: {
    id: 'py/swallowed-exception',
    cwes: [703, 390],
    severity: 'low',
    confidence: 'medium',
    message: 'Exception caught and silently ignored',
    fixHint:
      'Handle the error: catch the specific exception, log it (logging.exception) and return an explicit error value, re-prompt with a message, or re-raise; never `except: pass` around code whose failure matters.',
    doc: 'An except block that only passes or continues hides the failure: the program goes on with missing or default data, retries for ever, or skips a security check without anyone noticing. A bare `except:` also swallows KeyboardInterrupt and SystemExit.',
    bandit: ['B110', 'B112'],
  },
  check(context) {
    return {
      nodes: {
        except_clause(node) {
          const action = silentAction(handlerBody(node));
          if (!action) return;
          const broad = isBroadHandler(node);
          const names = caughtNames(node);
          if (!broad && names.every((n) => EXPECTED.has(n))) return;
          // A specific exception ignored on purpose (`except KeyError: pass` around an optional
          // step) is an idiom; it hides a failure when the try block was meant to produce the
          // function's result, which then silently becomes None, or when a loop retries silently.
          const tryStmt = node.parent;
          if (!broad && tryStmt && !hidesResult(tryStmt, action)) return;
          const what = names.length === 0 ? 'every exception (bare except)' : names.join(', ');
          context.report({
            node,
            confidence: broad ? 'high' : 'medium',
            message: `${what} caught and ${action === 'pass' ? 'ignored with pass' : 'skipped with continue'}: the failure goes unnoticed`,
          });
        },
      },
    };
  },
});
