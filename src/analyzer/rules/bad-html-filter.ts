import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const REGEX_CALLS = ['re.sub', 're.subn', 're.compile', 're.search', 're.match', 're.findall', 're.finditer'];
/** Where each call takes its flags positionally. */
const FLAGS_AT: Record<string, number> = { 're.sub': 4, 're.subn': 4, 're.compile': 1, 're.search': 2, 're.match': 2, 're.findall': 2, 're.finditer': 2 };

/**
 * Why a regular expression that matches script elements (or comments) misses what browsers
 * accept, or undefined when it handles the usual tricks: another letter case, line breaks
 * inside the tag or its content, and an end tag with spaces or attributes (`</script >`).
 */
function weakness(pattern: string, ignoreCase: boolean, dotAll: boolean): string | undefined {
  const inlineFlags = /^\(\?([aiLmsux]+)\)/.exec(pattern)?.[1] ?? '';
  ignoreCase ||= inlineFlags.includes('i');
  dotAll ||= inlineFlags.includes('s');
  const wildcardDot = /(^|[^\\])(\\\\)*\./.test(pattern.replace(/\[(\\.|[^\]\\])*\]/g, ''));
  if (!/script/i.test(pattern)) {
    // A comment filter: only line breaks are checked (`<!--` ... `-->` across lines).
    return /<!--/.test(pattern) && wildcardDot && !dotAll ? 'the dot does not match line breaks, so a comment spread over lines is left in' : undefined;
  }
  if (!ignoreCase) return 'it is case-sensitive, and browsers accept <SCRIPT> or <ScRiPt>';
  if (wildcardDot && !dotAll) return 'the dot does not match line breaks, so a tag or script body spread over lines is left in';
  // The start tag must let any attributes through: `<script[^>]*>`, `<script.*?>`, `<script\b...`.
  const open = /<\\?script/i.exec(pattern);
  if (open) {
    const rest = pattern.slice(open.index + open[0].length).replace(/^\\b/, '');
    if (rest.startsWith('>') || (rest.startsWith('(') && !/^\((\?:)?(\.|\[\^>\])/.test(rest))) return 'the start tag pattern does not allow every attribute a browser accepts';
  }
  // The end tag must allow `</script >` and `</script foo>`.
  const close = /\\?\/script/i.exec(pattern.slice(open ? open.index + 1 : 0));
  if (close) {
    const rest = pattern.slice((open ? open.index + 1 : 0) + close.index + close[0].length);
    if (!/^(\[\^>\]|\\s|\.|\\S|\[\\s\\S\]|\s)/.test(rest)) return 'the end tag pattern misses </script > and </script foo>, which browsers accept';
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'py/bad-html-filter',
    cwes: [116, 185, 80],
    severity: 'medium',
    confidence: 'high',
    message: 'HTML sanitised with a regular expression',
    fixHint:
      "Do not strip tags with regular expressions: escape the text with html.escape(content) or sanitise HTML with a real parser such as bleach.clean(content, tags=[...], strip=True).",
    doc: 'Regex tag filters miss variants browsers accept: `<script >`, `</script foo>`, upper case, script bodies across lines, nested `<scr<script>ipt>`, event-handler attributes and other tags that run script. Escaping output or a parser-based sanitiser is reliable; a regex is not. A filter that handles case, line breaks and loose end tags is left alone.',
  },
  check(context) {
    const { model } = context;
    /** The pattern removes what it matches (re.sub, or a compiled pattern's .sub) once, not until nothing changes (a `while` loop). */
    const strippedOnce = (c: CallInfo, q: string): boolean => {
      const uses =
        q === 're.compile'
          ? model.calls.filter((u) => (u.method === 'sub' || u.method === 'subn') && u.receiver?.type === 'identifier' && model.reaching(u.receiver).some((b) => b.kind === 'assign' && b.value === c.node))
          : q === 're.sub' || q === 're.subn'
            ? [c]
            : [];
      return uses.some((u) => !u.node.ancestor('while_statement'));
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of REGEX_CALLS)
      calls[q] = (c) => {
        const pattern = model.constString(c.arg(0, 'pattern'));
        if (!pattern || !(/<\/?\s*\(?\??:?script/i.test(pattern) || /<!--/.test(pattern))) return;
        const flags = (c.arg(FLAGS_AT[q] ?? -1, 'flags')?.text ?? '').replace(/\s+/g, '');
        const ignoreCase = /IGNORECASE|(^|[|.(])I($|[|)])/.test(flags);
        const dotAll = /DOTALL|(^|[|.(])S($|[|)])/.test(flags);
        const why = weakness(pattern, ignoreCase, dotAll) ?? (/script/i.test(pattern) && strippedOnce(c, q) ? 'one pass of removal turns <scr<script>ipt> back into <script>' : undefined);
        if (why) context.report({ node: c.node, message: `${/script/i.test(pattern) ? 'script tags' : 'HTML comments'} filtered with a regular expression: ${why}` });
      };
    return { calls };
  },
});
