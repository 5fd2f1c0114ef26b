import { defineRule } from '../rule.js';

const REGEX_CALLS = ['re.sub', 're.subn', 're.compile', 're.search', 're.match', 're.findall', 're.finditer'];

export default defineRule({
  meta: {
    id: 'py/bad-html-filter',
    cwes: [116, 185, 80],
    severity: 'medium',
    confidence: 'high',
    message: 'HTML sanitised with a regular expression',
    fixHint:
      "Do not strip tags with regular expressions: escape the text with html.escape(content) or sanitise HTML with a real parser such as bleach.clean(content, tags=[...], strip=True).",
    doc: 'Regex tag filters miss variants browsers accept: `<script >`, `</script foo>`, upper case, nested `<scr<script>ipt>`, event-handler attributes and other tags that run script. Escaping output or a parser-based sanitiser is reliable; a regex is not.',
  },
  check(context) {
    const calls: Record<string, (c: import('../model.js').CallInfo) => void> = {};
    for (const q of REGEX_CALLS)
      calls[q] = (c) => {
        const pattern = context.model.constString(c.arg(0, 'pattern'));
        if (pattern && /<\/?\s*\(?\??:?script/i.test(pattern)) context.report({ node: c.node, message: 'script tags filtered with a regular expression, which browsers\' parsing easily bypasses' });
      };
    return { calls };
  },
});
