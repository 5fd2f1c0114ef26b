import type { PyNode } from '../ast.js';
import type { CallInfo, FunctionInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { plainParams, unparen, valuesOf } from './code-shape.js';

/** ORM lookups of one object (or a set) by key: Django, Flask-SQLAlchemy, SQLAlchemy sessions. */
const LOOKUPS = /(\.objects\.(get|filter|get_or_create)|^django\.shortcuts\.(get_object_or_404|get_list_or_404)|\.query\.(get|get_or_404|filter_by|filter)|\.session\.get|\.Session\.get)$/;
/** Where the logged-in user lives. */
const CURRENT_USER = /(request\.user|current_user|g\.user|session\[|session\.get|get_current_user|get_jwt_identity|request\.auth)/;
/** Decorators that make a function a view that a logged-in user calls. */
const VIEW_DECORATOR = /(route|get|post|put|delete|patch|api_view|login_required|permission_required|jwt_required|auth_required)$/;

/** Keys a view receives from the URL or the query: route parameters, request data. */
function clientKey(context: { taintOf: (v: PyNode | undefined, k: string) => { origin: string } | undefined }, fn: FunctionInfo, expr: PyNode | undefined): boolean {
  if (!expr) return false;
  const t = context.taintOf(expr, 'authorization');
  if (t && t.origin === 'remote') return true;
  // A plain argument of a view: Django passes URL captures as arguments after `request`.
  const e = unparen(expr);
  const isView = fn.route || fn.decorators.some((d) => VIEW_DECORATOR.test((d.type === 'call' ? d.child('function') : d)?.text ?? '')) || fn.params[fn.cls ? 1 : 0]?.name === 'request';
  return !!isView && e?.type === 'identifier' && plainParams(fn).slice(fn.params[fn.cls ? 1 : 0]?.name === 'request' ? 1 : 0).includes(e.text);
}

/** The module knows who is logged in somewhere: only then can a lookup ignore it. */
function hasUsers(model: ModuleModel): boolean {
  if (model.importsModule('flask_login') || model.importsModule('django.contrib.auth')) return true;
  // An attribute's text holds the text of the attribute it is built on (`a.b` in `a.b.c`),
  // so testing the outermost ones is enough.
  for (const n of model.byType('attribute')) if (n.parent?.type !== 'attribute' && CURRENT_USER.test(n.text)) return true;
  return false;
}

export default defineRule({
  meta: {
    id: 'py/missing-authorization',
    cwes: [639, 862, 863],
    severity: 'high',
    confidence: 'medium',
    message: 'Object fetched by a client-supplied id without checking it belongs to the user',
    fixHint:
      "Scope the lookup to the current user: Invoice.objects.get(pk=invoice_id, owner=request.user) / Document.query.filter_by(id=doc_id, user_id=current_user.id).first_or_404(), or check `if obj.owner_id != current_user.id: abort(403)` before using it.",
    doc: 'A view that loads a record by the id in the URL and acts on it lets any logged-in user read or change other users\' records by changing the id (insecure direct object reference). Authentication says who the user is; each access still has to check that this user may touch this object.',
  },
  check(context) {
    const { model } = context;
    if (!hasUsers(model)) return {};
    return {
      call(c: CallInfo) {
        const names = valuesOf(model, c.callee);
        if (!names.some((q) => LOOKUPS.test(q)) && !LOOKUPS.test(c.callee.text)) return;
        const fn = model.enclosingFunction(c.node);
        if (!fn) return;
        const args = [...c.positional, ...c.keywords.values()];
        if (!args.some((a) => clientKey(context, fn, a))) return;
        // The lookup itself, or the chain it is part of, names the user.
        let chain: PyNode = c.node;
        while (chain.parent && (chain.parent.type === 'attribute' || chain.parent.type === 'call')) chain = chain.parent;
        if (CURRENT_USER.test(chain.text)) return;
        // A later check against the user (`if obj.owner != request.user: abort(403)`), or a permission call.
        const body = fn.node.child('body')!;
        for (const n of body.walk()) {
          if (n.startIndex < c.node.endIndex) continue;
          if ((n.type === 'if_statement' || n.type === 'assert_statement' || n.type === 'elif_clause') && CURRENT_USER.test((n.child('condition') ?? n).text)) return;
          if (n.type === 'call' && /(has_perm|has_permission|check_object_permissions|can_access|is_owner|authorize|permission)/i.test(n.child('function')?.text ?? '')) return;
        }
        const key = args.find((a) => clientKey(context, fn, a))!;
        context.report({ node: c.node, message: `record looked up by ${key.text.length > 40 ? key.text.slice(0, 37) + '...' : key.text} from the client, with no check that it belongs to the current user` });
      },
    };
  },
});
