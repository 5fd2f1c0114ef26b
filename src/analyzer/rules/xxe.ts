import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls } from './helpers.js';

const LXML_PARSE: Record<string, [number, string]> = {
  'lxml.etree.fromstring': [0, 'text'],
  'lxml.etree.XML': [0, 'text'],
  'lxml.etree.parse': [0, 'source'],
  'lxml.etree.iterparse': [0, 'source'],
  'lxml.objectify.fromstring': [0, 'text'],
  'lxml.objectify.parse': [0, 'source'],
};
/** Parse functions that take the parser options themselves instead of a parser object. */
const TAKES_PARSER_OPTIONS = new Set(['lxml.etree.iterparse']);

const POLICY_MESSAGE =
  "lxml parses XML here with resolve_entities=False: entities are not substituted, but lxml still reads the document's DTD and the safety rests on every parser option staying right; defusedxml refuses DTDs and entity declarations outright";
const POLICY_FIX =
  'Parse untrusted XML with defusedxml (defusedxml.ElementTree.fromstring / parse, or defusedxml.lxml for lxml trees); if lxml must parse it, keep XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False) and never enable XInclude or DTD validation on it.';

export default defineRule({
  meta: {
    id: 'py/xxe',
    cwes: [611, 827, 776],
    severity: 'high',
    confidence: 'high',
    message: 'XML parser resolves external entities',
    fixHint:
      'Parse with entity resolution off: parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False) and pass parser=parser, or use defusedxml (defusedxml.lxml / defusedxml.ElementTree).',
    doc: 'lxml resolves entities by default, so a document with `<!ENTITY x SYSTEM "file:///etc/passwd">` reads local files or makes network requests (XXE), and nested entities can exhaust memory. SAX parsers do the same when external general entities are switched on. A parser hardened with resolve_entities=False is still reported, at low confidence: it parses DTDs, and only defusedxml refuses them.',
    bandit: ['B320', 'B410'],
  },
  check(context) {
    const { model } = context;
    /** Every parser that may reach `parserArg` is an lxml XMLParser built with resolve_entities=False. */
    const hardenedParser = (parserArg: PyNode): boolean => {
      const made = constructionCalls(model, parserArg);
      return made.length > 0 && made.every((m) => m.qnames.includes('lxml.etree.XMLParser') && model.constValue(m.keywords.get('resolve_entities')) === false);
    };
    const reportPolicy = (c: CallInfo): void =>
      context.report({ node: c.node, message: POLICY_MESSAGE, confidence: 'low', severity: 'low', cwes: [611], fixHint: POLICY_FIX });

    const calls: Record<string, (c: CallInfo) => void> = {
      'lxml.etree.XMLParser': (c) => {
        const resolve = c.keywords.get('resolve_entities');
        const v = model.constValue(resolve);
        if (v === true) return context.report({ node: c.node, message: 'lxml XMLParser created with resolve_entities=True' });
        if (!resolve && !c.hasSplat) context.report({ node: c.node, message: 'lxml XMLParser created without resolve_entities=False (entities are resolved by default)', confidence: 'medium' });
        else if (model.constValue(c.keywords.get('no_network')) === false) context.report({ node: c.node, message: 'lxml XMLParser allows network access for entities (no_network=False)' });
      },
      'xml.sax.XMLReader.setFeature': (c) => {
        const feature = c.arg(0);
        const on = model.constValue(c.arg(1));
        if (on !== true && on !== 1) return;
        const name = feature ? (model.constString(feature) ?? feature.text) : '';
        if (/external[-_]?(general|parameter)[-_]?entities|external_ges|external_pes/i.test(name)) context.report({ node: c.node, message: 'SAX parser set to resolve external entities' });
      },
    };
    for (const [q, [i, kw]] of Object.entries(LXML_PARSE))
      calls[q] = (c) => {
        const parserArg = c.keywords.get('parser') ?? (q === 'lxml.etree.iterparse' ? undefined : c.positional[1]);
        // With a parser argument the parser's own settings decide: an unsafe one is reported
        // where it is made; a hardened lxml parser is still lxml (Bandit B320's policy).
        if (parserArg) {
          if (hardenedParser(parserArg)) return reportPolicy(c);
          // A parser made to resolve entities (or to build huge trees) parsing request data: the
          // attack happens here (the parser itself is reported where it is made).
          const made = constructionCalls(model, parserArg).filter((m) => m.qnames.includes('lxml.etree.XMLParser'));
          const unsafe = made.find((m) => model.constValue(m.keywords.get('resolve_entities')) !== false || model.constValue(m.keywords.get('huge_tree')) === true);
          const source = c.arg(i, kw);
          if (unsafe && source && !model.isConstant(source))
            context.reportTaint({ node: c.node, value: source, kind: 'xml', message: `XML from {source} parsed with the lxml parser made on line ${unsafe.node.line}, which resolves entities or expands huge trees` });
          return;
        }
        if (TAKES_PARSER_OPTIONS.has(q) && model.constValue(c.keywords.get('resolve_entities')) === false) return reportPolicy(c);
        const source = c.arg(i, kw);
        if (!source) return;
        if (!model.isConstant(source) && context.reportTaint({ node: c.node, value: source, kind: 'xml', message: 'lxml parses XML from {source} with its default parser, which resolves entities' })) return;
        // Even a local file may not be trusted; Bandit (B320) flags every such call. Data that
        // came from a source but was cleaned on the way is left alone.
        if (!model.isConstant(source) && context.taint.isTainted(source, 'raw')) return;
        context.report({ node: c.node, message: 'lxml parses XML with its default parser, which resolves entities', confidence: 'low', severity: 'medium' });
      };
    return { calls };
  },
});
