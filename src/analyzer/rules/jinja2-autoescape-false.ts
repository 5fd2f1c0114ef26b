import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'py/jinja2-autoescape-false',
    cwes: [79, 116],
    severity: 'medium',
    confidence: 'high',
    message: 'Jinja2 environment without HTML autoescaping',
    fixHint: "Create the environment with escaping on: Environment(loader=..., autoescape=select_autoescape(['html', 'xml'])) or autoescape=True.",
    doc: "jinja2.Environment and jinja2.Template do not escape variables unless autoescape is set, so any request data rendered through them is a cross-site scripting hole. Flask's own render_template escapes; a hand-made Environment must opt in. Escaping values by hand before rendering is reported at low confidence: it protects only the variables escaped so far.",
    bandit: ['B701'],
  },
  check(context) {
    const { model } = context;
    // Where the module renders templates: a render fed with request data makes the missing
    // escaping exploitable; with no render in sight the setting alone is reported, less sure.
    const renders = model.calls.filter((c) => c.qnames.some((q) => q === 'jinja2.Template.render' || q === 'jinja2.Template.stream' || q === 'jinja2.Template.generate'));
    const taintedRender = renders.find((r) => [...r.positional, ...r.keywords.values()].some((a) => context.taint.isTainted(a, 'xss')));
    const judge = (node: import('../ast.js').PyNode, message: string): void => {
      if (taintedRender) context.report({ node, message: `${message}; request data is rendered through it (line ${taintedRender.node.line})` });
      else if (renders.length === 0) context.report({ node, message, confidence: 'low' });
      // Values escaped by hand today leave every variable added tomorrow raw (Bandit B701).
      else context.report({ node, message: `${message}; the values rendered now are escaped or constant, but every other variable a template prints is emitted raw`, confidence: 'low', severity: 'low' });
    };
    return {
      calls: {
        'jinja2.Environment': (c) => {
          if (c.hasSplat && !c.keywords.has('autoescape')) return;
          const node = c.keywords.get('autoescape');
          if (!node) return judge(c.node, 'Jinja2 Environment created without autoescape (it defaults to off)');
          const v = model.constValue(node);
          if (v === false || v === null) judge(c.node, 'Jinja2 Environment created with autoescape disabled');
        },
        'jinja2.Template': (c) => {
          const v = model.constValue(c.keywords.get('autoescape'));
          if (!c.keywords.has('autoescape') || v === false) judge(c.node, 'Jinja2 Template created without autoescape');
        },
      },
    };
  },
});
