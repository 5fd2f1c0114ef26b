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

/** Settings whose value 'None' sends the cookie with cross-site requests too. */
const SAMESITE_SETTINGS = new Set(['SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'REMEMBER_COOKIE_SAMESITE', 'LANGUAGE_COOKIE_SAMESITE']);

/** `samesite='None'`: the browser attaches the cookie to requests other sites make (CSRF). */
function sameSiteNone(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = node && model.constValue(node);
  return typeof v === 'string' && v.trim().toLowerCase() === 'none';
}

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

/** The header name Set-Cookie, however it is capitalised. */
function isSetCookie(model: ModuleModel, node: PyNode | undefined): boolean {
  if (node?.type !== 'string') return false;
  return model.constString(node)?.toLowerCase() === 'set-cookie';
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
    cwes: [614, 1004, 1275],
    severity: 'medium',
    confidence: 'medium',
    message: 'Cookie set without the Secure or HttpOnly flag',
    fixHint:
      "Set cookies with response.set_cookie(name, value, secure=True, httponly=True, samesite='Lax'), and keep SESSION_COOKIE_SECURE / SESSION_COOKIE_HTTPONLY set to True in Flask or Django settings.",
    doc: 'Without the Secure flag the browser also sends the cookie over plain HTTP, where anyone on the network can read a session identifier and take over the session. Without HttpOnly any script injected into the page (XSS) can read the cookie and send it away. SameSite=None makes the browser attach the cookie to requests that other sites trigger, which is what cross-site request forgery needs.',
  },
  check(context) {
    const { model } = context;
    /** A Set-Cookie header written by hand: its attributes are in the text. */
    const rawCookie = (at: PyNode, value: PyNode | undefined): void => {
      const text = model.templateText(value);
      // Only a cookie whose text is known: `name=value; attributes`.
      if (text === undefined || !/^\s*[^=;\s{}]+=/.test(text)) return;
      if (/;\s*(max-age\s*=\s*0\b|expires\s*=\s*thu,\s*01[\s-]jan[\s-]1970)/i.test(text)) return;
      const missing: string[] = [];
      const cwes: number[] = [];
      if (!/;\s*secure\b/i.test(text)) {
        missing.push('Secure');
        cwes.push(614);
      }
      if (!/;\s*httponly\b/i.test(text)) {
        missing.push('HttpOnly');
        cwes.push(1004);
      }
      const crossSite = /;\s*samesite\s*=\s*none\b/i.test(text);
      if (crossSite) cwes.push(1275);
      if (cwes.length === 0) return;
      const problems = [...(missing.length ? [`without the ${missing.join(' and ')} attribute${missing.length > 1 ? 's' : ''}`] : []), ...(crossSite ? ['with SameSite=None'] : [])];
      const name = /^\s*([^=;\s{}]+)=/.exec(text)?.[1] ?? '';
      const sensitive = nameWords(name).some((w) => SENSITIVE_COOKIE.has(w));
      context.report({ node: at, message: `Set-Cookie header written ${problems.join(' and ')}`, cwes, confidence: sensitive ? 'high' : 'medium' });
    };
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
          const crossSite = sameSiteNone(model, c.arg(8, 'samesite'));
          if (crossSite) cwes.push(1275);
          if (cwes.length === 0) return;
          const name = model.constString(c.arg(0, 'key'));
          const sensitive = name !== undefined && nameWords(name).some((w) => SENSITIVE_COOKIE.has(w));
          const problems = [...(missing.length ? [`without the ${missing.join(' and ')} flag${missing.length > 1 ? 's' : ''}`] : []), ...(crossSite ? ['with SameSite=None (sent with cross-site requests)'] : [])];
          context.report({
            node: c.node,
            message: `Cookie ${name ? `'${name}' ` : ''}set ${problems.join(' and ')}`,
            cwes,
            confidence: sensitive ? 'high' : 'medium',
          });
          return;
        }
        // headers.add('Set-Cookie', 'sid=...; Path=/'), headers.append(...)
        if ((c.method === 'add' || c.method === 'append' || c.method === 'add_header' || c.method === 'set') && c.positional.length === 2 && isSetCookie(model, c.positional[0])) {
          rawCookie(c.node, c.positional[1]);
          return;
        }
        // app.config.update(SESSION_COOKIE_SECURE=False); a configuration that also sets TESTING=True is the test suite's.
        if ((c.method === 'update' || c.method === 'from_mapping') && c.receiver?.type === 'attribute' && c.receiver.child('attribute')?.text === 'config' && model.constValue(c.keywords.get('TESTING')) !== true)
          for (const [k, v] of c.keywords) checkSetting(v.parent ?? v, k, v);
      },
      nodes: {
        assignment(node) {
          const left = node.child('left');
          const name = targetName(model, left);
          checkSetting(node, name, node.child('right'));
          if (name && SAMESITE_SETTINGS.has(name) && sameSiteNone(model, node.child('right')))
            context.report({ node, message: `${name} = 'None': the cookie is sent with cross-site requests`, cwes: [1275], confidence: 'high' });
          // resp.headers['Set-Cookie'] = 'sid=...', response['Set-Cookie'] = ... (Django)
          if (left?.type === 'subscript' && isSetCookie(model, left.child('subscript'))) rawCookie(node, node.child('right'));
        },
      },
    };
  },
});
