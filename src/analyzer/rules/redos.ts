import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { hasNestedQuantifier, hasOverlappingRepeats, hasRepeatBeforeEnd, parseRegex } from './regex-analysis.js';

const COMPILE = ['re.compile', 'regex.compile'];
const MATCHERS = ['re.search', 're.match', 're.fullmatch', 're.findall', 're.finditer', 're.sub', 're.subn', 're.split'];
const PATTERN_METHODS = new Set(['search', 'match', 'fullmatch', 'findall', 'finditer', 'sub', 'subn', 'split']);
/** Calls that try the pattern at every position of the text, not only at its start. */
const SEARCHING = new Set(['search', 'findall', 'finditer', 'sub', 'subn', 'split']);

export default defineRule({
  meta: {
    id: 'py/redos',
    cwes: [1333, 730, 400],
    severity: 'medium',
    confidence: 'medium',
    message: 'Regular expression with catastrophic backtracking',
    fixHint:
      "Rewrite the pattern so no repetition can match the same text two ways: replace (a+)+ by a+, merge adjacent \\d+\\d+ into \\d+, make separators mandatory (\\d+(?:E\\d+)?), and limit input length before matching.",
    doc: "Python's regex engine backtracks: a repeated group whose body can also repeat takes exponential time on a near-miss input, and two adjacent repetitions over the same characters take quadratic time. A request-sized string is then enough to stall a worker (ReDoS).",
  },
  check(context) {
    const { model } = context;
    /** The matched text for a call using the pattern, if this call matches directly. */
    const judge = (c: CallInfo, pattern: string, subject: PyNode | undefined, method: string): void => {
      const atoms = parseRegex(pattern);
      if (!atoms) return;
      // fullmatch must reach the end of the text: everything after the pattern can fail.
      if (hasNestedQuantifier(atoms, method === 'fullmatch')) {
        context.report({ node: c.node, message: `regular expression ${JSON.stringify(pattern)} can backtrack exponentially`, confidence: 'high' });
        return;
      }
      // Quadratic patterns only matter on text an attacker controls.
      if (subject && (hasOverlappingRepeats(atoms) || (SEARCHING.has(method) && hasRepeatBeforeEnd(atoms))))
        context.reportTaint({ node: c.node, value: subject, kind: 'regex-input', message: `regular expression ${JSON.stringify(pattern)} backtracks polynomially on text from {source}`, severity: 'low' });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of MATCHERS)
      calls[q] = (c) => {
        const pattern = model.constString(c.arg(0, 'pattern'));
        if (pattern !== undefined) judge(c, pattern, q === 're.sub' || q === 're.subn' ? c.arg(2, 'string') : c.arg(1, 'string'), q.slice(3));
      };
    // A compiled pattern's use is elsewhere: held to the end when the module fullmatches anything.
    let fullmatches: boolean | undefined;
    for (const q of COMPILE)
      calls[q] = (c) => {
        const pattern = model.constString(c.arg(0, 'pattern'));
        if (pattern === undefined) return;
        const atoms = parseRegex(pattern);
        if (!atoms) return;
        if (hasNestedQuantifier(atoms) || (hasNestedQuantifier(atoms, true) && (fullmatches ??= c.node.source.text.includes('fullmatch('))))
          context.report({ node: c.node, message: `regular expression ${JSON.stringify(pattern)} can backtrack exponentially`, confidence: 'high' });
      };
    return {
      calls,
      call(c) {
        // `compiled.match(text)`: polynomial patterns judged against the text.
        if (!c.method || !PATTERN_METHODS.has(c.method) || !c.qnames.includes(`re.Pattern.${c.method}`) || !c.receiver) return;
        let compileCall: PyNode | undefined = c.receiver.type === 'call' ? c.receiver : undefined;
        if (c.receiver.type === 'identifier')
          for (const b of model.reaching(c.receiver)) if (b.kind === 'assign' && b.value.type === 'call') compileCall = b.value;
        const info = compileCall ? model.call(compileCall) : undefined;
        const pattern = info && COMPILE.includes(info.qname ?? '') ? model.constString(info.arg(0, 'pattern')) : undefined;
        const atoms = pattern !== undefined ? parseRegex(pattern) : undefined;
        if (atoms && !hasNestedQuantifier(atoms, true) && (hasOverlappingRepeats(atoms) || (SEARCHING.has(c.method) && hasRepeatBeforeEnd(atoms))))
          context.reportTaint({ node: c.node, value: c.arg(0, 'string'), kind: 'regex-input', message: `regular expression ${JSON.stringify(pattern)} backtracks polynomially on text from {source}`, severity: 'low' });
      },
    };
  },
});
