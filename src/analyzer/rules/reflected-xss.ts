import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';

/** Response constructors: qualified name → [position, keyword] of the body. */
const BODIES: Record<string, [number, string]> = {
  'flask.make_response': [0, 'response'],
  'flask.Response': [0, 'response'],
  'django.http.HttpResponse': [0, 'content'],
  'django.http.HttpResponseBadRequest': [0, 'content'],
  'django.http.HttpResponseNotFound': [0, 'content'],
  'django.http.HttpResponseForbidden': [0, 'content'],
  'fastapi.responses.HTMLResponse': [0, 'content'],
  'markupsafe.Markup': [0, 'base'],
};
/** Return values that are not HTML built from strings. */
const NON_HTML_RETURNS = /^(flask\.(jsonify|render_template|redirect|send_file|send_from_directory|abort|url_for|Response|make_response)|json\.dumps|django\.|fastapi\.)/;

function declaredNonHtml(model: ModuleModel, call: CallInfo): boolean {
  for (const k of ['mimetype', 'content_type', 'media_type']) {
    const v = model.constString(call.keywords.get(k));
    if (v !== undefined && !/html|xml/i.test(v)) return true;
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
        const what = q === 'markupsafe.Markup' ? 'Markup() marks data from {source} as safe HTML' : 'HTML response built from {source}';
        context.reportTaint({ node: c.node, value: body, kind: 'xss', message: what, parameters: q === 'markupsafe.Markup' });
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
    return {
      calls,
      end() {
        for (const fn of model.functions) {
          if (!fn.route || (fn.route.framework !== 'flask' && fn.route.framework !== 'bottle')) continue;
          for (const r of fn.returns) returned(r, fn.node);
        }
      },
    };
  },
});
