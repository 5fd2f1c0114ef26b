import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { nameWords } from './secret-names.js';
import { targetName } from './value-flow.js';

const SENSITIVE_COOKIE = new Set(['session', 'sessionid', 'sid', 'token', 'auth', 'jwt', 'remember', 'login', 'csrf', 'xsrf', 'access', 'refresh', 'user', 'userid', 'id', 'key', 'secret', 'password']);

/** Settings that turn a cookie's Secure or HttpOnly flag off. */
const SETTINGS: Record<string, { cwe: number; flag: string }> = {
  SESSION_COOKIE_SECURE: { cwe: 614, flag: 'Secure' },
  REMEMBER_COOKIE_SECURE: { cwe: 614, flag: 'Secure' },
  CSRF_COOKIE_SECURE: { cwe: 614, flag: 'Secure' },
  LANGUAGE_COOKIE_SECURE: { cwe: 614, flag: 'Secure' },
  SESSION_COOKIE_HTTPONLY: { cwe: 1004, flag: 'HttpOnly' },
  REMEMBER_COOKIE_HTTPONLY: { cwe: 1004, flag: 'HttpOnly' },
};

const SETTING_BY_NAME = new Map(Object.entries(SETTINGS));

/**
 * The cookie setting a name stands for, through a Map: indexing an object with names built at
 * run time is a slow keyed look-up, and would also answer for what every object inherits
 * (`constructor`, `toString`...).
 */
function settingOf(name: string): { cwe: number; flag: string } | undefined {
  return SETTING_BY_NAME.get(name);
}

function flagState(model: ModuleModel, c: CallInfo, name: string, position: number): 'on' | 'off' | 'unknown' {
  const node = c.arg(position, name);
  if (!node) return c.hasSplat ? 'unknown' : 'off';
  const v = model.constValue(node);
  if (v === undefined) return 'unknown';
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && v !== '') ? 'on' : 'off';
}

function isDeletion(model: ModuleModel, c: CallInfo): boolean {
  const value = c.arg(1, 'value');
  const emptyValue = !value || model.constValue(value) === '';
  const expired = [c.keywords.get('max_age'), c.keywords.get('expires')].some((n) => n && model.constValue(n) === 0);
  return emptyValue && expired;
}

export default defineRule({
  meta: {
    id: 'py/insecure-cookie',
    cwes: [614, 1004],
    severity: 'medium',
    confidence: 'medium',
    message: 'Cookie set without the Secure or HttpOnly flag',
    fixHint:
      "Set cookies with response.set_cookie(name, value, secure=True, httponly=True, samesite='Lax'), and keep SESSION_COOKIE_SECURE / SESSION_COOKIE_HTTPONLY set to True in Flask or Django settings.",
    doc: 'Without the Secure flag the browser also sends the cookie over plain HTTP, where anyone on the network can read a session identifier and take over the session. Without HttpOnly any script injected into the page (XSS) can read the cookie and send it away.',
  },
  check(context) {
    const { model } = context;
    const checkSetting = (at: PyNode, name: string | undefined, value: PyNode | undefined): void => {
      const s = name ? settingOf(name) : undefined;
      if (!s || !value) return;
      const v = model.constValue(value);
      if (v === false || v === 0) context.report({ node: at, message: `${name} = False: cookies are sent without the ${s.flag} flag`, cwes: [s.cwe], confidence: 'high' });
    };
    return {
      call(c) {
        if (c.method === 'set_cookie' || c.method === 'set_signed_cookie') {
          // CookieJar.set_cookie(cookie) stores a client-side cookie object; responses take a name and a value.
          if (!c.arg(1, 'value') && !c.hasSplat) return;
          if (isDeletion(model, c)) return;
          // Flask/Werkzeug, Django and Starlette share the order: key, value, max_age, expires, path, domain, secure, httponly.
          const secure = flagState(model, c, 'secure', 6);
          const httponly = flagState(model, c, 'httponly', 7);
          const missing: string[] = [];
          const cwes: number[] = [];
          if (secure === 'off') {
            missing.push('Secure');
            cwes.push(614);
          }
          if (httponly === 'off') {
            missing.push('HttpOnly');
            cwes.push(1004);
          }
          if (missing.length === 0) return;
          const name = model.constString(c.arg(0, 'key'));
          const sensitive = name !== undefined && nameWords(name).some((w) => SENSITIVE_COOKIE.has(w));
          context.report({
            node: c.node,
            message: `Cookie ${name ? `'${name}' ` : ''}set without the ${missing.join(' and ')} flag${missing.length > 1 ? 's' : ''}`,
            cwes,
            confidence: sensitive ? 'high' : 'medium',
          });
          return;
        }
        // app.config.update(SESSION_COOKIE_SECURE=False); a configuration that also sets TESTING=True is the test suite's.
        if ((c.method === 'update' || c.method === 'from_mapping') && c.receiver?.type === 'attribute' && c.receiver.child('attribute')?.text === 'config' && model.constValue(c.keywords.get('TESTING')) !== true)
          for (const [k, v] of c.keywords) checkSetting(v.parent ?? v, k, v);
      },
      nodes: {
        assignment(node) {
          const left = node.child('left');
          checkSetting(node, targetName(model, left), node.child('right'));
        },
      },
    };
  },
});
