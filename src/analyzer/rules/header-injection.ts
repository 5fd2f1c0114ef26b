import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { inheritedNames } from '../taint.js';

const HEADER_METHODS = new Set(['add', 'set', 'add_header', 'setdefault', '__setitem__']);
/** Methods that take several headers at once: a dict or a list of (name, value) pairs. */
const HEADER_BULK_METHODS = new Set(['extend', 'update']);
/** The standard library's HTTP request handlers: `self.send_header(name, value)`. */
const HANDLER_SEND_HEADER = /^http\.server\.(Base|Simple|CGI)HTTPRequestHandler\.send_header$/;
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
      // A header name from the request can carry CR/LF (or a name of its choosing) as well.
      if (key && !model.isConstant(key) && context.reportTaint({ node, value: key, kind: 'header', message: 'HTTP header name taken from {source}', parameters: false })) return;
      if (!value || model.isConstant(value)) return;
      const name = model.constString(key)?.toLowerCase();
      const message = name ? `header ${name} set from {source}` : 'HTTP header set from {source}';
      context.reportTaint({ node, value, kind: 'header', message, parameters: false });
    };
    /** A dict, or a list/tuple of (name, value) pairs: each header in turn; anything else as a whole. */
    const checkHeaders = (node: PyNode, headers: PyNode | undefined): void => {
      if (!headers || model.isConstant(headers)) return;
      let literal: PyNode | undefined = headers;
      if (headers.type === 'identifier') {
        const bindings = model.reaching(headers);
        literal = bindings.length === 1 && bindings[0]!.kind === 'assign' && !bindings[0]!.path.length ? bindings[0]!.value : undefined;
      }
      if (literal?.type === 'dictionary') {
        for (const pair of literal.namedChildren) if (pair.type === 'pair') check(node, pair.child('key'), pair.child('value'));
        return;
      }
      if (literal?.type === 'list' || literal?.type === 'tuple') {
        for (const item of literal.namedChildren) {
          const [k, v] = item.type === 'tuple' || item.type === 'list' ? item.namedChildren.filter((c) => c.type !== 'comment') : [undefined, item];
          check(node, k, v);
        }
        return;
      }
      check(node, undefined, headers);
    };
    return {
      nodes: {
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          // `self.extra_response_headers = [(name, value)]` in a SimpleHTTPRequestHandler (Python 3.14+).
          if (left?.type === 'attribute' && left.child('attribute')?.text === 'extra_response_headers') {
            const owner = model.values(left.child('object')!);
            if (owner.some((q) => q.startsWith('$.') && inheritedNames(model, `${q}.extra_response_headers`).includes('http.server.SimpleHTTPRequestHandler.extra_response_headers'))) checkHeaders(node, right);
            return;
          }
          if (left?.type !== 'subscript') return;
          const obj = left.child('value');
          const key = left.childrenOf('subscript')[0];
          // `resp.headers['X'] = v`, or Django's `response['X'] = v`.
          if (isHeaders(obj) || (obj && model.values(obj).some((v) => RESPONSE_TYPES.test(v) && v.startsWith('django')))) check(node, key, right);
        },
      },
      call(c) {
        if (c.method && HEADER_METHODS.has(c.method) && isHeaders(c.receiver)) check(c.node, c.arg(0, '_key'), c.arg(1, '_value'));
        if (c.method && HEADER_BULK_METHODS.has(c.method) && isHeaders(c.receiver)) return checkHeaders(c.node, c.arg(0));
        // `self.send_header(name, value)` in an http.server request handler.
        if (c.method === 'send_header' && c.qnames.some((q) => q.startsWith('$.') && inheritedNames(model, q).some((n) => HANDLER_SEND_HEADER.test(n))))
          return check(c.node, c.arg(0, 'keyword'), c.arg(1, 'value'));
        // A WSGI application's `start_response(status, [(name, value), ...])`.
        if (c.callee.type === 'identifier' && c.callee.text === 'start_response' && model.reaching(c.callee).some((b) => b.kind === 'param')) {
          const fn = model.enclosingFunction(c.node);
          if (fn?.params.some((p) => p.name === 'environ')) return checkHeaders(c.node, c.arg(1, 'headers'));
        }
        if (c.qnames.includes('http.server.SimpleHTTPRequestHandler')) return checkHeaders(c.node, c.keywords.get('extra_response_headers'));
        // `Response(..., headers={'X': v})`, `Response(content_type=v)`
        const flaskResponse = c.qnames.includes('flask.Response');
        if (c.qnames.some((q) => RESPONSE_TYPES.test(q) || q === 'flask.make_response')) {
          for (const k of ['content_type', 'mimetype', 'media_type']) if (c.keywords.has(k)) check(c.node, undefined, c.keywords.get(k));
          checkHeaders(c.node, c.keywords.get('headers'));
          // `make_response(body, status, headers)` (any order after the body), `Response(body, status, headers, mimetype, content_type)`.
          if (c.qnames.includes('flask.make_response'))
            for (const a of c.positional.slice(1)) if (a.type === 'dictionary' || a.type === 'list') checkHeaders(c.node, a);
          if (flaskResponse && !c.keywords.has('headers')) checkHeaders(c.node, c.positional[2]);
          if (flaskResponse) for (const i of [3, 4]) if (c.positional[i]) check(c.node, undefined, c.positional[i]);
        }
      },
    };
  },
});
