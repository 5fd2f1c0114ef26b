import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const PATTERN_CALLS = ['re.compile', 're.search', 're.match', 're.prefixmatch', 're.fullmatch', 're.findall', 're.finditer', 're.sub', 're.subn', 're.split', 'regex.compile', 'regex.search', 'regex.match', 'regex.fullmatch', 'regex.findall', 'regex.finditer', 'regex.sub', 'regex.split'];

export default defineRule({
  meta: {
    id: 'py/regex-injection',
    cwes: [730, 400, 1333],
    severity: 'medium',
    confidence: 'high',
    message: 'Regular expression built from untrusted data',
    fixHint: "Escape input used inside a pattern: re.search(re.escape(username), filename); or match the text without a regex (username in filename).",
    doc: 'A pattern supplied by the user can be crafted to backtrack exponentially (`(a+)+$`), tying up the worker for minutes on a short input, or can match far more than intended. re.escape turns the input into a literal.',
  },
  check(context) {
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of PATTERN_CALLS)
      calls[q] = (c) => {
        const pattern = c.arg(0, 'pattern');
        if (!pattern || context.model.isConstant(pattern)) return;
        // `try: re.compile(p) except re.error:` only checks the syntax; nothing is matched.
        if (q.endsWith('.compile') && c.node.parent?.type === 'expression_statement') return;
        context.reportTaint({ node: c.node, value: pattern, kind: 'regex', message: 'regular expression built from {source}' });
      };
    return { calls };
  },
});
