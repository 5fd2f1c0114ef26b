import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls } from './helpers.js';

const STDLIB_PARSE: Record<string, [number, string]> = {
  'xml.etree.ElementTree.fromstring': [0, 'text'],
  'xml.etree.ElementTree.XML': [0, 'text'],
  'xml.etree.ElementTree.fromstringlist': [0, 'sequence'],
  'xml.etree.ElementTree.parse': [0, 'source'],
  'xml.etree.ElementTree.iterparse': [0, 'source'],
  'xml.etree.ElementTree.XMLParser.feed': [0, 'data'],
  'xml.etree.ElementTree.ElementTree.parse': [0, 'source'],
  'xml.dom.minidom.parseString': [0, 'string'],
  'xml.dom.minidom.parse': [0, 'file'],
  'xml.dom.pulldom.parseString': [0, 'string'],
  'xml.dom.pulldom.parse': [0, 'stream_or_string'],
  'xml.sax.parseString': [0, 'string'],
  'xml.sax.parse': [0, 'source'],
  'xml.sax.XMLReader.parse': [0, 'source'],
  'xmlrpc.client.loads': [0, 'data'],
};

/** Where ElementTree functions take a parser positionally (iterparse: source, events, parser). */
const PARSER_POSITION: Record<string, number> = {
  'xml.etree.ElementTree.fromstring': 1,
  'xml.etree.ElementTree.XML': 1,
  'xml.etree.ElementTree.fromstringlist': 1,
  'xml.etree.ElementTree.parse': 1,
  'xml.etree.ElementTree.ElementTree.parse': 1,
  'xml.etree.ElementTree.iterparse': 2,
};

export default defineRule({
  meta: {
    id: 'py/unsafe-xml-parser',
    cwes: [776, 611, 20],
    severity: 'medium',
    confidence: 'high',
    message: 'Untrusted XML parsed with a parser open to entity-expansion attacks',
    fixHint: 'Parse untrusted XML with defusedxml: import defusedxml.ElementTree as ET; ET.fromstring(data) (defusedxml.minidom, defusedxml.sax likewise).',
    doc: "The standard library's XML parsers expand entities defined in the document, so with an expat older than 2.4.1 a few hundred bytes (billion laughs) can consume gigabytes of memory, and pulldom/sax can be made to fetch external resources. defusedxml offers the same API with these features refused. A SAX parser with external entities switched off is still reported, at low confidence.",
    bandit: ['B313', 'B314', 'B318', 'B319', 'B317', 'B320', 'B405', 'B408'],
  },
  check(context) {
    const { model } = context;
    // `parser.setFeature(feature_external_ges, False)`: the SAX parser was hardened.
    // Keyed by the reader expression (`parser`), so `xml.sax.parseString`, which builds its own
    // reader, is not mistaken for the hardened one.
    const hardenedReaders = new Set(
      model.calls.filter((c) => c.method === 'setFeature' && c.receiver && /external/i.test(c.arg(0)?.text ?? '') && model.constValue(c.arg(1)) === false).map((c) => c.receiver!.text),
    );
    /**
     * A parser argument decides, unless it is only the standard library's own
     * `ElementTree.XMLParser()`, which expands entities like the default one.
     */
    const customParser = (parserArg: PyNode): boolean => {
      const made = constructionCalls(model, parserArg);
      // Options ElementTree.XMLParser does not take (`resolve_entities=False` is lxml's) make
      // the constructor raise TypeError, so no parse happens with it.
      const plainExpat = (m: CallInfo): boolean => m.qnames.includes('xml.etree.ElementTree.XMLParser') && [...m.keywords.keys()].every((k) => k === 'target' || k === 'encoding');
      return !(made.length > 0 && made.every(plainExpat));
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(STDLIB_PARSE))
      calls[q] = (c) => {
        const parserArg = c.keywords.get('parser') ?? (q.startsWith('xml.etree') ? c.positional[PARSER_POSITION[q] ?? -1] : undefined);
        if (parserArg && customParser(parserArg)) return;
        const what = `${q.split('.').slice(-2).join('.')}()`;
        if (q === 'xml.sax.XMLReader.parse' && c.receiver && hardenedReaders.has(c.receiver.text)) {
          // Bandit (B317) flags every SAX parse; external entities are off here, so what is
          // left is entity expansion, which expat below 2.4.1 does not limit.
          context.report({
            node: c.node,
            message: `${what} parses XML with the standard SAX parser: external entities are switched off, but entities declared in the document are still expanded (unbounded with expat older than 2.4.1); defusedxml.sax refuses them`,
            confidence: 'low',
            severity: 'low',
            cwes: [776, 611],
          });
          return;
        }
        const source = c.arg(i, kw);
        if (!source) return;
        if (!model.isConstant(source) && context.reportTaint({ node: c.node, value: source, kind: 'xml', message: `${what} parses XML from {source} (entity expansion)` })) return;
        // Bandit (B313-B319) flags every use; a local file can be untrusted too. Data that
        // came from a source but was cleaned on the way (escaped) is left alone.
        if (!model.isConstant(source) && context.taint.isTainted(source, 'raw')) return;
        context.report({ node: c.node, message: `${what} parses XML without defusedxml's protection against entity expansion`, confidence: 'low', severity: 'low' });
      };
    return { calls };
  },
});
