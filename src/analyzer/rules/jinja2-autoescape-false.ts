import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'py/jinja2-autoescape-false',
    cwes: [79, 116],
    severity: 'medium',
    confidence: 'high',
    message: 'Jinja2 environment without HTML autoescaping',
    fixHint: "Create the environment with escaping on: Environment(loader=..., autoescape=select_autoescape(['html', 'xml'])) or autoescape=True.",
    doc: "jinja2.Environment and jinja2.Template do not escape variables unless autoescape is set, so any request data rendered through them is a cross-site scripting hole. Flask's own render_template escapes; a hand-made Environment must opt in. When the module renders through it and every value it renders is escaped by hand (markupsafe/html escape) or constant, nothing is reported: unlike Bandit's B701, the rule reports the setting only where unescaped data can reach a template, or where no render is in sight.",
    bandit: ['B701'],
  },
  check(context) {
    const { model } = context;
    // Where templates are rendered: a render fed with request data makes the missing escaping
    // exploitable; with no render in sight the setting alone is reported, less sure. Renders in
    // the function that creates the environment are the ones it serves; when that function
    // renders nothing, every render of the module counts.
    const renders = model.calls.filter((c) => c.qnames.some((q) => q === 'jinja2.Template.render' || q === 'jinja2.Template.stream' || q === 'jinja2.Template.generate'));
    const isTaintedRender = (r: (typeof renders)[number]): boolean => [...r.positional, ...r.keywords.values()].some((a) => context.taint.isTainted(a, 'xss'));
    const judge = (node: PyNode, message: string): void => {
      const fn = model.enclosingFunction(node);
      const local = fn ? renders.filter((r) => model.enclosingFunction(r.node) === fn) : [];
      const served = local.length > 0 ? local : renders;
      const taintedRender = served.find(isTaintedRender);
      if (taintedRender) context.report({ node, message: `${message}; request data is rendered through it (line ${taintedRender.node.line})` });
      else if (served.length === 0) context.report({ node, message, confidence: 'low' });
      // Otherwise every value rendered is escaped by hand or constant: no request data reaches
      // a template unescaped, so there is no cross-site scripting to report here (Bandit B701
      // and CodeQL report the setting regardless).
    };
    return {
      calls: {
        'jinja2.Environment': (c) => {
          if (c.hasSplat && !c.keywords.has('autoescape')) return;
          const node = c.keywords.get('autoescape');
          if (!node) return judge(c.node, 'Jinja2 Environment created without autoescape (it defaults to off)');
          if (falsy(model.constValue(node))) judge(c.node, 'Jinja2 Environment created with autoescape disabled');
        },
        'jinja2.Template': (c) => {
          if (!c.keywords.has('autoescape') || falsy(model.constValue(c.keywords.get('autoescape')))) judge(c.node, 'Jinja2 Template created without autoescape');
        },
      },
    };
  },
});

/** A constant Jinja reads as "off": False, None, 0, an empty string or container (`autoescape=FLAG` with `FLAG = ''`). */
function falsy(v: ReturnType<ModuleModel['constValue']>): boolean {
  return v === false || v === null || v === 0 || v === '' || (Array.isArray(v) && v.length === 0);
}
