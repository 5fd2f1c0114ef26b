import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { inheritedNames } from '../taint.js';

/** Response constructors: qualified name → [position, keyword] of the body. */
const BODIES: Record<string, [number, string]> = {
  'flask.make_response': [0, 'response'],
  'flask.Response': [0, 'response'],
  'django.http.HttpResponse': [0, 'content'],
  'django.http.HttpResponseBadRequest': [0, 'content'],
  'django.http.HttpResponseNotFound': [0, 'content'],
  'django.http.HttpResponseForbidden': [0, 'content'],
  'fastapi.responses.HTMLResponse': [0, 'content'],
  'pyramid.response.Response': [0, 'body'],
  'pyramid.request.Response': [0, 'body'],
  'markupsafe.Markup': [0, 'base'],
  // Django's ways of saying "this is HTML already": the text is never escaped again.
  'django.utils.safestring.mark_safe': [0, 's'],
  'django.utils.safestring.SafeString': [0, 'value'],
  'django.utils.safestring.SafeText': [0, 'value'],
  'django.utils.safestring.SafeUnicode': [0, 'value'],
  'django.utils.safestring.SafeBytes': [0, 'value'],
  // format_html escapes its arguments, not the format string itself.
  'django.utils.html.format_html': [0, 'format_string'],
};
/** Calls that declare their argument safe markup, whatever reaches it (also a function's parameter). */
const MARKS_SAFE: Record<string, string> = {
  'markupsafe.Markup': 'Markup()',
  'django.utils.safestring.mark_safe': 'mark_safe()',
  'django.utils.safestring.SafeString': 'SafeString()',
  'django.utils.safestring.SafeText': 'SafeText()',
  'django.utils.safestring.SafeUnicode': 'SafeUnicode()',
  'django.utils.safestring.SafeBytes': 'SafeBytes()',
  'django.utils.html.format_html': 'format_html()',
};
/** Return values that are not HTML built from strings. */
const NON_HTML_RETURNS = /^(flask\.(jsonify|render_template|redirect|send_file|send_from_directory|abort|url_for|Response|make_response)|json\.dumps|django\.|fastapi\.|pymongo\.)/;

function declaredNonHtml(model: ModuleModel, call: CallInfo): boolean {
  const nonHtml = (node: PyNode | undefined): boolean => {
    const v = model.constString(node);
    return v !== undefined && !/html|xml/i.test(v);
  };
  for (const k of ['mimetype', 'content_type', 'media_type']) if (nonHtml(call.keywords.get(k))) return true;
  // `make_response(body, 200, {'Content-Type': 'application/json'})`, `Response(body, 200, headers, 'text/plain')`.
  const headers = [call.keywords.get('headers'), ...(call.qnames.includes('flask.make_response') ? call.positional.slice(1) : call.qnames.includes('flask.Response') ? [call.positional[2]] : [])];
  for (const h of headers)
    if (h?.type === 'dictionary')
      for (const pair of h.namedChildren) if (pair.type === 'pair' && /^content-type$/i.test(model.constString(pair.child('key')) ?? '') && nonHtml(pair.child('value'))) return true;
  if (call.qnames.includes('flask.Response') && (nonHtml(call.positional[3]) || nonHtml(call.positional[4]))) return true;
  return false;
}

/**
 * The call's result is what the route returns, as is or as the body of a tuple or
 * make_response(), with no Content-Type header in the return value.
 */
function servedAsPage(model: ModuleModel, call: PyNode): boolean {
  let node = call;
  for (let p = call.parent; p; node = p, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type === 'tuple' || p.type === 'expression_list') {
      if (p.namedChildren[0] !== node) return false;
      if (p.namedChildren.slice(1).some((x) => /content-type/i.test(x.text))) return false;
      continue;
    }
    if (p.type === 'argument_list' && p.parent?.type === 'call' && model.qname(p.parent.child('function')) === 'flask.make_response') {
      p = p.parent;
      continue;
    }
    return p.type === 'return_statement';
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/reflected-xss',
    cwes: [79, 80, 20, 116],
    severity: 'high',
    confidence: 'high',
    message: 'Untrusted data written into an HTML response',
    fixHint:
      "Escape values before they go into HTML: html.escape(name) (or markupsafe.escape), or render a template with autoescaping: render_template('hello.html', name=name); return JSON with jsonify() for data.",
    doc: 'Text from the request that is echoed in an HTML response unescaped lets an attacker run script in the victim\'s browser. Escaping turns markup characters into entities; templates with autoescaping do it for every variable.',
    bandit: ['B703', 'B704'],
  },
  check(context) {
    const { model } = context;
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(BODIES))
      calls[q] = (c) => {
        if (declaredNonHtml(model, c)) return;
        const body = c.arg(i, kw);
        if (!body || model.isConstant(body)) return;
        const marks = MARKS_SAFE[q];
        const what = marks ? `${marks} marks data from {source} as safe HTML` : 'HTML response built from {source}';
        context.reportTaint({ node: c.node, value: body, kind: 'xss', message: what, parameters: marks !== undefined });
      };
    // Flask turns autoescaping on by the template's name: .html, .htm, .xml, .xhtml (and .svg
    // since 2.3). A `.txt` or `.j2` template returned as a page prints its values raw.
    calls['flask.render_template'] = (c) => {
      const name = model.templateText(c.arg(0, 'template_name_or_list'));
      if (name === undefined || /\.(html?|xml|xhtml|svg)$/i.test(name)) return;
      const fn = model.enclosingFunction(c.node);
      if (fn?.route?.framework !== 'flask' || !servedAsPage(model, c.node)) return;
      for (const [kw, value] of c.keywords) {
        if (model.isConstant(value)) continue;
        if (context.reportTaint({ node: c.node, value, kind: 'xss', message: `template '${name}' is rendered without autoescaping (Flask escapes .html, .htm, .xml and .xhtml templates only), with ${kw} from {source}` })) return;
      }
    };
    const returned = (value: PyNode, fnNode: PyNode): void => {
      let body = value;
      if (body.type === 'tuple' || body.type === 'expression_list') body = body.namedChildren[0] ?? body;
      if (['dictionary', 'list', 'list_comprehension', 'dictionary_comprehension', 'integer', 'true', 'false', 'none'].includes(body.type)) return;
      if (model.isConstant(body)) return;
      const names = model.values(body);
      if (names.some((n) => NON_HTML_RETURNS.test(n) || n.startsWith('$.'))) return;
      if (body.type === 'call' && NON_HTML_RETURNS.test(model.qname(body.child('function')) ?? '')) return;
      context.reportTaint({ node: value, value: body, kind: 'xss', message: 'route returns {source} as HTML' });
      void fnNode;
    };
    let proxyResponses: boolean | undefined;
    /** `{'statusCode': 200, 'body': html, 'headers': {'Content-Type': 'text/html'}}` (an API Gateway / Lambda proxy response). */
    const htmlResponseDict = (dict: PyNode): PyNode | undefined => {
      let body: PyNode | undefined;
      let html = false;
      for (const pair of dict.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = model.constString(pair.child('key'));
        if (key === 'body') body = pair.child('value');
        const headers = pair.child('value');
        if (/^(multiValueH|h)eaders$/.test(key ?? '') && headers?.type === 'dictionary')
          for (const h of headers.namedChildren)
            if (h.type === 'pair' && /^content-type$/i.test(model.constString(h.child('key')) ?? '') && /html/i.test(model.constString(h.child('value')) ?? '')) html = true;
      }
      return html ? body : undefined;
    };
    return {
      calls,
      nodes: {
        assignment(node) {
          // Pyramid: `request.response.body = html` / `.text = html` is the page sent back.
          const left = node.child('left');
          const right = node.child('right');
          if (left?.type !== 'attribute' || !right || !/^(body|text|unicode_body)$/.test(left.child('attribute')?.text ?? '')) return;
          const owner = left.child('object');
          if (owner?.type !== 'attribute' || owner.child('attribute')?.text !== 'response' || !model.importsModule('pyramid')) return;
          if (!model.values(owner.child('object')!).includes('django.http.HttpRequest') || model.isConstant(right)) return;
          context.reportTaint({ node, value: right, kind: 'xss', message: 'HTML response body built from {source}' });
        },
        return_statement(node) {
          // Cheap test first: only a module that writes a Content-Type and a body can build such a dict.
          if ((proxyResponses ??= /content-type/i.test(node.source.text) && /['"]body['"]/.test(node.source.text)) === false) return;
          let value: PyNode | undefined = node.namedChildren[0];
          if (value?.type === 'identifier') {
            const bindings = model.reaching(value);
            value = bindings.length === 1 && bindings[0]!.kind === 'assign' && !bindings[0]!.path.length ? bindings[0]!.value : undefined;
          }
          if (value?.type !== 'dictionary') return;
          const body = htmlResponseDict(value);
          if (body && !model.isConstant(body)) context.reportTaint({ node: body, value: body, kind: 'xss', message: 'HTML response body built from {source}' });
        },
      },
      call(c) {
        // Tornado: `self.write(text)` / `self.finish(text)` in a RequestHandler send text/html
        // unless the handler set another Content-Type (a dict is written as JSON).
        if (c.method !== 'write' && c.method !== 'finish') return;
        if (!c.qnames.some((q) => q.startsWith('$.') && inheritedNames(model, q).some((n) => n === `tornado.web.RequestHandler.${c.method}`))) return;
        const body = c.arg(0, 'chunk');
        if (!body || body.type === 'dictionary' || model.isConstant(body)) return;
        const fn = model.enclosingFunction(c.node);
        if (fn && fn.node.walk().some((n) => n.type === 'call' && /set_header|add_header/.test(n.child('function')?.text ?? '') && /content-type/i.test(n.text) && !/html/i.test(n.text))) return;
        context.reportTaint({ node: c.node, value: body, kind: 'xss', message: 'Tornado response written from {source}' });
      },
      end() {
        for (const fn of model.functions) {
          if (!fn.route || (fn.route.framework !== 'flask' && fn.route.framework !== 'bottle')) continue;
          for (const r of fn.returns) returned(r, fn.node);
        }
      },
    };
  },
});
