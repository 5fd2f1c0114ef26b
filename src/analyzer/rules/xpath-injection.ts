import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const SINKS: Record<string, [number, string]> = {
  'lxml.etree._ElementTree.xpath': [0, '_path'],
  'lxml.etree._Element.xpath': [0, '_path'],
  'lxml.etree.XPath': [0, 'path'],
  'lxml.etree.ETXPath': [0, 'path'],
  'lxml.etree.XPathEvaluator()': [0, '_path'],
  'elementpath.select': [1, 'path'],
  // libxml2's bindings: `doc.xpathEval(expr)`, `ctxt.xpathEval(expr)`.
  'libxml2.xmlDoc.xpathEval': [0, 'expr'],
  'libxml2.xpathContext.xpathEval': [0, 'expr'],
  'libxml2.xpathContext.xpathEvalExpression': [0, 'expr'],
};
const ET_FIND = ['find', 'findall', 'findtext', 'iterfind'];
for (const t of ['xml.etree.ElementTree.Element', 'xml.etree.ElementTree.ElementTree', 'lxml.etree._Element', 'lxml.etree._ElementTree'])
  for (const m of ET_FIND) SINKS[`${t}.${m}`] = [0, 'path'];

export default defineRule({
  meta: {
    id: 'py/xpath-injection',
    cwes: [643],
    severity: 'high',
    confidence: 'high',
    message: 'XPath expression built from untrusted data',
    fixHint:
      "Keep the XPath constant and pass values as variables: tree.xpath('/users/user[@name=$name]', name=username) with lxml; with ElementTree, find candidates by a constant path and compare attributes in Python.",
    doc: "Input spliced into an XPath expression can close the string and add conditions (`' or '1'='1`), returning nodes the query was meant to hide. lxml supports XPath variables, which keep values out of the expression.",
  },
  check(context) {
    const { model } = context;
    const check = (c: CallInfo, i: number, kw: string): void => {
      const expr = c.arg(i, kw);
      if (!expr || model.isConstant(expr)) return;
      context.reportTaint({ node: c.node, value: expr, kind: 'xpath', message: 'XPath expression built from {source}' });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(SINKS)) calls[q] = (c) => check(c, i, kw);
    return {
      calls,
      call(c) {
        // `.xpath(...)` on something the model could not type is still an XPath query.
        if (c.method === 'xpath' && !c.qnames.some((q) => q in SINKS)) check(c, 0, '_path');
      },
    };
  },
});
