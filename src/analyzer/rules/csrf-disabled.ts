import { defineRule } from '../rule.js';
import { namesOf, targetName } from './value-flow.js';

const CSRF_MIDDLEWARE = 'django.middleware.csrf.CsrfViewMiddleware';

export default defineRule({
  meta: {
    id: 'py/csrf-disabled',
    cwes: [352],
    severity: 'high',
    confidence: 'high',
    message: 'CSRF protection is disabled',
    fixHint:
      "Keep CSRF protection on: remove @csrf_exempt (send the token from the client instead, e.g. the X-CSRFToken header), keep 'django.middleware.csrf.CsrfViewMiddleware' in MIDDLEWARE, and leave WTF_CSRF_ENABLED = True with CSRFProtect(app) in Flask.",
    doc: "Without a CSRF token, any web page a logged-in user visits can submit forms or API calls to the application with the user's cookies, changing their email, password or money. Frameworks check a per-session token on state-changing requests; turning the check off for a view or the whole site removes that defence.",
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        // csrf.exempt(view) on a Flask-WTF CSRFProtect
        if (c.method === 'exempt' && namesOf(model, c.receiver).some((q) => /^flask_wtf\.(csrf\.)?CSRFProtect/.test(q)))
          return context.report({ node: c.node, message: 'View exempted from Flask-WTF CSRF protection' });
        // Pyramid: @view_config(require_csrf=False), config.add_view(..., require_csrf=False),
        // config.set_default_csrf_options(require_csrf=False)
        const requireCsrf = c.keywords.get('require_csrf');
        if (requireCsrf && model.constValue(requireCsrf) === false && (c.method === 'set_default_csrf_options' || c.method === 'add_view' || namesOf(model, c.callee).some((q) => q.startsWith('pyramid.'))))
          return context.report({ node: c.node, message: c.method === 'set_default_csrf_options' ? 'Pyramid CSRF checks turned off for every view (require_csrf=False)' : 'Pyramid view registered with require_csrf=False' });
        if ((c.method === 'update' || c.method === 'from_mapping') && c.receiver?.type === 'attribute' && c.receiver.child('attribute')?.text === 'config') {
          const v = c.keywords.get('WTF_CSRF_ENABLED');
          // A configuration that also sets TESTING=True is the test suite's, not the application's.
          if (v && model.constValue(v) === false && model.constValue(c.keywords.get('TESTING')) !== true) context.report({ node: c.node, message: 'Flask-WTF CSRF protection turned off (WTF_CSRF_ENABLED=False)' });
        }
      },
      nodes: {
        decorator(node) {
          const expr = node.namedChildren.find((c) => c.type !== 'comment');
          const callee = expr?.type === 'call' ? expr.child('function') : expr;
          if (!callee) return;
          const names = namesOf(model, callee);
          if (names.some((q) => q === 'django.views.decorators.csrf.csrf_exempt' || /^flask_wtf\.(csrf\.)?CSRFProtect(\(\))?\.exempt$/.test(q)) || (callee.text === 'csrf_exempt' && names.length <= 1))
            context.report({ node, message: 'View exempted from CSRF protection' });
        },
        assignment(node) {
          const name = targetName(model, node.child('left'));
          const right = node.child('right');
          if (!right) return;
          if ((name === 'WTF_CSRF_ENABLED' || name === 'CSRF_ENABLED') && model.constValue(right) === false)
            return context.report({ node, message: `CSRF protection turned off (${name} = False)` });
          // Django settings whose middleware list leaves out the CSRF middleware.
          if ((name === 'MIDDLEWARE' || name === 'MIDDLEWARE_CLASSES') && right.type === 'list') {
            const items = right.namedChildren.map((c) => model.constString(c)).filter((s): s is string => s !== undefined);
            if (items.some((s) => s.startsWith('django.')) && !items.includes(CSRF_MIDDLEWARE))
              context.report({ node, message: 'Django MIDDLEWARE does not include CsrfViewMiddleware' });
          }
        },
      },
    };
  },
});
