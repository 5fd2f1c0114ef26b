import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { builtFrom, identifiersIn, parts, plainParams } from './code-shape.js';
import { matchSource } from '../taint.js';

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
    /** A name whose value is made from input(), the command line or request data (conversions included). */
    const isInputValue = (id: PyNode): boolean =>
      builtFrom(model, id, (n) => (n.type === 'call' || n.type === 'attribute' || n.type === 'subscript') && model.values(n).some((v) => {
        const s = matchSource(v);
        return !!s && (s[1] === 'remote' || s[1] === 'local');
      }));
    return {
      nodes: {
        assert_statement(node) {
          const fn = model.enclosingFunction(node);
          const cls = fn?.cls ? model.classes.find((c) => c.node === fn.cls) : undefined;
          if (inTestCode(context.file, fn?.name, cls ? model.baseNames(cls) : [])) return;
          const cond = parts(node)[0];
          if (!cond) return;
          // Internal invariants are what assert is for; checks of what callers or users pass
          // in (arguments of public functions, input, request data, permissions) are not.
          const params = new Set(fn && !fn.name.startsWith('_') ? plainParams(fn) : []);
          const checksInput =
            identifiersIn(cond).some((i) => params.has(i.text) || isInputValue(i)) ||
            /\b(input|request|permission|permissions|is_admin|is_authenticated|has_perm|role)\b/.test(cond.text);
          if (!checksInput) return;
          context.report({ node, message: `assert ${cond.text.slice(0, 40)} checks input, but asserts are stripped under python -O` });
        },
      },
    };
  },
});
