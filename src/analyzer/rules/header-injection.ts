import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';

const HEADER_METHODS = new Set(['add', 'set', 'add_header', 'setdefault', '__setitem__']);
const RESPONSE_TYPES = /^(flask\.Response|django\.http\.HttpResponse|fastapi\.responses\.|werkzeug\.)/;

export default defineRule({
  meta: {
    id: 'py/header-injection',
    cwes: [113, 93],
    severity: 'medium',
    confidence: 'high',
    message: 'HTTP header value taken from untrusted data',
    fixHint:
      "Do not copy request data into headers; if you must, allow only expected values (e.g. a set of content types) or strip CR and LF first: value.replace('\\r', '').replace('\\n', '').",
    doc: 'A header value containing CR/LF can end the header block and inject headers or a whole response body (response splitting), and even without newlines attacker-chosen Content-Type or similar headers change how the browser treats the response. Allow-list the values.',
  },
  check(context) {
    const { model } = context;
    const isHeaders = (obj: PyNode | undefined): boolean => {
      if (!obj) return false;
      if (obj.type === 'attribute' && obj.child('attribute')?.text === 'headers') return true;
      return model.values(obj).some((v) => /(^|\.)Headers(\(\))?$/.test(v) || /\.headers$/.test(v));
    };
    const check = (node: PyNode, key: PyNode | undefined, value: PyNode | undefined): void => {
      if (!value || model.isConstant(value)) return;
      const name = model.constString(key)?.toLowerCase();
      const message = name ? `header ${name} set from {source}` : 'HTTP header set from {source}';
      context.reportTaint({ node, value, kind: 'header', message, parameters: false });
    };
    return {
      nodes: {
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          if (left?.type !== 'subscript') return;
          const obj = left.child('value');
          const key = left.childrenOf('subscript')[0];
          // `resp.headers['X'] = v`, or Django's `response['X'] = v`.
          if (isHeaders(obj) || (obj && model.values(obj).some((v) => RESPONSE_TYPES.test(v) && v.startsWith('django')))) check(node, key, right);
        },
      },
      call(c) {
        if (c.method && HEADER_METHODS.has(c.method) && isHeaders(c.receiver)) check(c.node, c.arg(0, '_key'), c.arg(1, '_value'));
        // `Response(..., headers={'X': v})`, `Response(content_type=v)`
        if (c.qnames.some((q) => RESPONSE_TYPES.test(q) || q === 'flask.make_response')) {
          for (const k of ['content_type', 'mimetype', 'media_type']) if (c.keywords.has(k)) check(c.node, undefined, c.keywords.get(k));
          const headers = c.keywords.get('headers');
          if (headers?.type === 'dictionary') {
            for (const pair of headers.namedChildren) if (pair.type === 'pair') check(c.node, pair.child('key'), pair.child('value'));
          } else if (headers) check(c.node, undefined, headers);
        }
      },
    };
  },
});
