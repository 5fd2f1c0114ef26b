import { defineRule } from '../rule.js';
import { identifiersIn, parts, plainParams } from './code-shape.js';

/** Test code, where assert is the right tool. */
function inTestCode(file: string, fnName: string | undefined, clsBases: string[]): boolean {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? '';
  if (/^(test_.*|.*_test|conftest|tests?)\.py$/.test(base) || /(^|\/)tests?\//.test(file.replace(/\\/g, '/'))) return true;
  if (fnName && /^test/.test(fnName)) return true;
  return clsBases.some((b) => /TestCase$/.test(b));
}

export default defineRule({
  meta: {
    id: 'py/assert-check',
    cwes: [703, 617],
    severity: 'low',
    confidence: 'medium',
    message: 'assert used for a run-time check',
    fixHint: 'Replace the assert with an explicit check that raises: `if not isinstance(value, int): raise TypeError(...)` / `if not ok: raise ValueError(...)` (or abort(403) in a web handler).',
    doc: 'Python removes assert statements when run with -O or PYTHONOPTIMIZE, so a type, input or permission check written as an assert silently disappears in optimised deployments. A failing assert also raises AssertionError, which callers rarely expect or handle.',
    bandit: ['B101'],
  },
  check(context) {
    const { model } = context;
    return {
      nodes: {
        assert_statement(node) {
          const fn = model.enclosingFunction(node);
          const cls = fn?.cls ? model.classes.find((c) => c.node === fn.cls) : undefined;
          if (inTestCode(context.file, fn?.name, cls ? model.baseNames(cls) : [])) return;
          const cond = parts(node)[0];
          if (!cond) return;
          // Checks on arguments or input (types, values, permissions) matter most.
          const params = new Set(fn ? plainParams(fn) : []);
          const checksInput =
            identifiersIn(cond).some((i) => params.has(i.text)) ||
            /\b(isinstance|type|input|request|user|permission|auth|role|admin)\b/.test(cond.text);
          context.report({
            node,
            confidence: checksInput ? 'medium' : 'low',
            message: checksInput ? `assert ${cond.text.slice(0, 40)} checks input, but asserts are stripped under python -O` : 'assert is stripped under python -O; do not rely on it at run time',
          });
        },
      },
    };
  },
});
