import type { PyNode } from '../ast.js';
import type { FunctionInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { nodesIn, valuesOf } from './code-shape.js';

/** Reading who is logged in: the session, flask_login's current_user, flask.g, Django's request.user, HTTP auth. */
const IDENTITY = /^(flask\.session|flask_login\.current_user|flask\.g\.(user|current_user|identity)|flask\.request\.(authorization|headers)|django\.http\.HttpRequest\.(user|session|headers|META))/;
/** Decorators from libraries that enforce a login or a permission. */
const LIBRARY_GUARDS = /^(flask_login\.login_required|flask_login\.fresh_login_required|django\.contrib\.auth\.decorators\.|django\.contrib\.admin\.views\.decorators\.|flask_jwt_extended\.(jwt_required|fresh_jwt_required)|flask_httpauth\.|flask_security\.|flask_principal\.)/;
/** Decorator names that announce an access check (`@auth.login_required`, `@admin_required`). */
const GUARD_NAME = /(login|auth|authenticated|permission|permissions|token|jwt|admin|role|roles|staff|user)_?(required|only|needed)$|^requires?_(auth|login|permission|role|admin|token)/i;

function readsIdentity(model: ModuleModel, scope: PyNode): boolean {
  for (const n of scope.walk()) {
    if (n.type !== 'attribute' && n.type !== 'identifier' && n.type !== 'subscript') continue;
    if (valuesOf(model, n).some((v) => IDENTITY.test(v))) return true;
  }
  return false;
}

/**
 * A decorator defined in the module that checks the caller before running the view: it
 * wraps its argument in a function that reads the session/user and calls the argument.
 */
function isAuthDecorator(model: ModuleModel, fn: FunctionInfo): boolean {
  if (fn.params.length !== 1 || fn.cls) return false;
  const param = fn.params[0]!.name;
  const inners = [...fn.node.child('body')!.walk()].filter((n) => n.type === 'function_definition');
  return inners.some((inner) => {
    const calls = [...nodesIn(inner.child('body')!, 'call')];
    return calls.some((c) => c.child('function')?.text === param) && readsIdentity(model, inner);
  });
}

/** A view that logs users in: it stores an identity in the session or calls login_user. */
function isLoginHandler(model: ModuleModel, fn: FunctionInfo): boolean {
  for (const n of fn.node.walk()) {
    if (n.type === 'assignment' && valuesOf(model, n.child('left')?.child('value') ?? n.child('left')!).some((v) => v === 'flask.session' || v.endsWith('HttpRequest.session'))) return true;
    if (n.type === 'call' && /(^|\.)(login_user|login|authenticate)$/.test(model.qname(n.child('function')) ?? '')) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/missing-authentication',
    cwes: [306, 287],
    severity: 'high',
    confidence: 'medium',
    message: 'Critical function reachable without authentication',
    fixHint:
      'Protect every view that changes state or shows private data: decorate it with the login decorator (@login_required / your own @ensure_logged_in) or check the session/current_user at its start and redirect or abort(401) when nobody is logged in.',
    doc: 'An application that has a login but leaves some state-changing or private views without the check lets anyone call them directly. A login decorator that is defined but never applied protects nothing. Each critical view must enforce authentication itself.',
  },
  check(context) {
    const { model } = context;
    return {
      end() {
        const decorators = model.functions.filter((f) => isAuthDecorator(model, f));
        const decoratorNames = new Set(decorators.map((d) => d.name));
        const guardedBy = (f: FunctionInfo): boolean =>
          f.decorators.some((d) => {
            const callee = d.type === 'call' ? d.child('function')! : d;
            const q = model.qname(callee) ?? callee.text;
            const last = callee.text.split('.').pop() ?? '';
            return decoratorNames.has(last) || LIBRARY_GUARDS.test(q) || GUARD_NAME.test(last);
          });
        const routes = model.functions.filter((f) => f.route);
        const inline = (f: FunctionInfo): boolean => readsIdentity(model, f.node);
        const hasLogin = decorators.length > 0 || model.importsModule('flask_login') || routes.some((r) => isLoginHandler(model, r));
        if (!hasLogin) return;
        // 1. A login decorator nobody uses, while no view checks the user itself.
        const anyProtected = model.functions.some((f) => !decorators.includes(f) && !decorators.some((d) => d.node.contains(f.node)) && (guardedBy(f) || (inline(f) && !isLoginHandler(model, f))));
        for (const d of decorators) {
          const used = model.functions.some((f) => f.decorators.some((x) => (x.type === 'call' ? x.child('function')! : x).text.split('.').pop() === d.name));
          if (!used && !anyProtected)
            context.report({ node: d.node.child('name')!, confidence: 'high', message: `login decorator ${d.name}() is defined but no view uses it: the views it should protect are open to anyone` });
        }
        // 2. State-changing views left open in an application that has a login.
        for (const r of routes) {
          const changes = r.route!.methods.some((m) => m === 'POST' || m === 'PUT' || m === 'DELETE' || m === 'PATCH');
          if (!changes || guardedBy(r) || inline(r) || isLoginHandler(model, r)) continue;
          if (!anyProtected) continue;
          context.report({ node: r.node.child('name')!, message: `${r.route!.methods.join('/')} view ${r.name}() changes state without checking that the caller is logged in, unlike the application's other views` });
        }
      },
    };
  },
});
