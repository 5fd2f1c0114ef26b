import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const LXML_PARSE: Record<string, [number, string]> = {
  'lxml.etree.fromstring': [0, 'text'],
  'lxml.etree.XML': [0, 'text'],
  'lxml.etree.parse': [0, 'source'],
  'lxml.etree.iterparse': [0, 'source'],
  'lxml.objectify.fromstring': [0, 'text'],
  'lxml.objectify.parse': [0, 'source'],
};

export default defineRule({
  meta: {
    id: 'py/xxe',
    cwes: [611, 827, 776],
    severity: 'high',
    confidence: 'high',
    message: 'XML parser resolves external entities',
    fixHint:
      'Parse with entity resolution off: parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False) and pass parser=parser, or use defusedxml (defusedxml.lxml / defusedxml.ElementTree).',
    doc: 'lxml resolves entities by default, so a document with `<!ENTITY x SYSTEM "file:///etc/passwd">` reads local files or makes network requests (XXE), and nested entities can exhaust memory. SAX parsers do the same when external general entities are switched on.',
    bandit: ['B320', 'B410'],
  },
  check(context) {
    const { model } = context;
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
        // With a parser argument the parser's own settings decide (reported where it is made).
        if (c.keywords.has('parser') || c.positional.length > 1) return;
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
