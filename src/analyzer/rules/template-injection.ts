import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const TEMPLATES: Record<string, [number, string]> = {
  'flask.render_template_string': [0, 'source'],
  'jinja2.Template': [0, 'source'],
  'jinja2.Environment.from_string': [0, 'source'],
  'django.template.Template': [0, 'template_string'],
  'django.template.engines[].from_string': [0, 'template_code'],
  'mako.template.Template': [0, 'text'],
  'tornado.template.Template': [0, 'template_string'],
  'chevron.render': [0, 'template'],
};

export default defineRule({
  meta: {
    id: 'py/template-injection',
    cwes: [1336, 94, 79],
    severity: 'high',
    confidence: 'high',
    message: 'Template source built from untrusted data (server-side template injection)',
    fixHint:
      "Keep the template text constant and pass data as variables: render_template_string('Hello {{ name }}', name=name), or better render_template('hello.html', name=name).",
    doc: 'A template engine evaluates expressions in the template text, so input that becomes part of a template can read configuration or run code (`{{ config }}`, `{{ ().__class__... }}`). Data belongs in the template variables, never in the template source.',
  },
  check(context) {
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(TEMPLATES))
      calls[q] = (c) => {
        const source = c.arg(i, kw);
        if (!source || context.model.isConstant(source)) return;
        context.reportTaint({ node: c.node, value: source, kind: 'template', message: 'template source built from {source}' });
      };
    return { calls };
  },
});
