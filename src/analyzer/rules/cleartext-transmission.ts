import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { secretKindOfName } from './secret-names.js';
import { readableSecretIn, CREDENTIAL_KINDS } from './sensitive-values.js';
import { assignedName, callNames, methodCallsOn, namesOf, scopeNode } from './value-flow.js';

/** Plain-text protocol clients and the method that upgrades them to TLS (if any). */
const PLAIN_CLIENTS: Array<[RegExp, string, string | undefined, string[]]> = [
  [/^ftplib\.FTP$/, 'FTP', undefined, []],
  [/^telnetlib\.Telnet$/, 'Telnet', undefined, []],
  [/^smtplib\.SMTP$/, 'SMTP', 'starttls', ['login', 'auth', 'auth_plain', 'auth_login']],
  [/^imaplib\.IMAP4$/, 'IMAP', 'starttls', ['login', 'authenticate', 'login_cram_md5']],
  [/^poplib\.POP3$/, 'POP3', 'stls', ['user', 'pass_', 'apop', 'rpop']],
  [/^nntplib\.NNTP$/, 'NNTP', 'starttls', ['login']],
];

const HTTP_CALLS = /^(requests|httpx)\.(get|post|put|patch|delete|head|options|request)$|^requests\.Session\.(get|post|put|patch|delete|request)$|^urllib\.request\.(urlopen|Request)$|^http\.client\.HTTPConnection$/;
const LOCAL_HOST = /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/]|$)/i;
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token|api-key)$/i;

/** Credentials that travel with an HTTP request: auth=, an Authorization header, secret form fields. */
function carriesCredentials(model: ModuleModel, c: CallInfo): string | undefined {
  if (c.keywords.has('auth') && c.keywords.get('auth')!.type !== 'none') return 'auth= credentials';
  const headers = c.keywords.get('headers');
  if (headers?.type === 'dictionary')
    for (const p of headers.namedChildren) if (p.type === 'pair' && CREDENTIAL_HEADERS.test(model.constString(p.child('key')) ?? '')) return `an ${model.constString(p.child('key'))} header`;
  for (const k of ['data', 'json', 'params', 'body']) {
    const v = c.keywords.get(k) ?? (k === 'data' && /\.(post|put|patch)$/.test(c.qname ?? '') ? c.positional[1] : undefined);
    if (!v) continue;
    if (v.type === 'dictionary') {
      for (const p of v.namedChildren) {
        const key = p.type === 'pair' ? model.constString(p.child('key')) : undefined;
        const kind = secretKindOfName(key);
        if (kind && kind !== 'key') return `the '${key}' field`;
      }
    } else if (readableSecretIn(model, v, CREDENTIAL_KINDS)) return 'credentials in the request body';
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'py/cleartext-transmission',
    cwes: [319],
    severity: 'high',
    confidence: 'high',
    message: 'Sensitive data sent over an unencrypted connection',
    fixHint:
      'Use the TLS variant of the protocol: ftplib.FTP_TLS (then prot_p()), smtplib.SMTP_SSL or starttls() before login(), imaplib.IMAP4_SSL, poplib.POP3_SSL, SSH (paramiko) instead of Telnet, and https:// URLs for anything that carries credentials or personal data.',
    doc: 'FTP, Telnet, plain SMTP/IMAP/POP3 and http:// send user names, passwords and data as readable text, so anyone on the network path (Wi-Fi, a compromised router, the hosting provider) can capture them. Their TLS counterparts encrypt the session. The Flask session cookie is also sent over plain HTTP unless SESSION_COOKIE_SECURE is set.',
    bandit: ['B321', 'B312', 'B401', 'B402', 'B508', 'B509'],
  },
  check(context) {
    const { model } = context;
    return {
      end() {
        const write = unsecuredSessionWrite(model);
        if (write)
          context.report({
            node: write,
            message: "Flask's session cookie is sent without the Secure flag: SESSION_COOKIE_SECURE is never set, so the logged-in session also travels over plain HTTP",
            cwes: [614, 319],
            severity: 'medium',
            confidence: 'medium',
            fixHint: "Set app.config['SESSION_COOKIE_SECURE'] = True (and SESSION_COOKIE_HTTPONLY, SESSION_COOKIE_SAMESITE), or use flask-talisman, and serve the application over HTTPS only.",
          });
      },
      call(c) {
        const names = callNames(model, c);
        if (!names.some((q) => /^(ftplib|telnetlib|smtplib|imaplib|poplib|nntplib|requests|httpx|urllib|http|pysnmp)\./.test(q))) return;
        // SNMP v1/v2c sends its community string (the password) in every packet; SNMPv3 without
        // a privacy key (noAuthNoPriv, authNoPriv) sends the data unencrypted.
        if (names.some((q) => /^pysnmp\.(\w+\.)*CommunityData$/.test(q)))
          return context.report({ node: c.node, message: 'SNMP v1/v2c: the community string and all data travel in cleartext; use SNMPv3 UsmUserData with authKey and privKey' });
        if (names.some((q) => /^pysnmp\.(\w+\.)*UsmUserData$/.test(q))) {
          const priv = c.arg(2, 'privKey');
          if (!c.hasSplat && (!priv || priv.type === 'none')) context.report({ node: c.node, message: 'SNMPv3 user without a privKey: requests and replies are not encrypted' });
          return;
        }
        for (const [pattern, label, upgrade, loginMethods] of PLAIN_CLIENTS) {
          if (!names.some((q) => pattern.test(q))) continue;
          if (!upgrade) return context.report({ node: c.node, message: `${label} transmits credentials and data in cleartext` });
          // SMTP/IMAP/POP3: a problem when credentials are sent without upgrading first.
          const target = assignedName(c.node);
          if (!target) return;
          const scope = scopeNode(c.node);
          const logins = methodCallsOn(model, target.name, scope, loginMethods);
          if (logins.length === 0) return;
          const upgrades = methodCallsOn(model, target.name, scope, [upgrade]);
          const firstLogin = Math.min(...logins.map((l) => l.node.startIndex));
          if (upgrades.some((u) => u.node.startIndex < firstLogin)) return;
          return context.report({ node: c.node, message: `${label} login without ${upgrade}(): the password is sent in cleartext` });
        }
        if (names.some((q) => HTTP_CALLS.test(q)) || (c.method && /^(get|post|put|patch|delete|request)$/.test(c.method) && names.some((q) => /^(requests|httpx)\./.test(q)))) {
          const url = model.templateText(c.arg(0, c.keywords.has('url') ? 'url' : 'host'));
          if (!url || !/^http:\/\//i.test(url) || LOCAL_HOST.test(url)) return;
          const credentials = carriesCredentials(model, c) ?? (/[?&](password|passwd|pwd|token|api_key|apikey|secret|access_token)=/i.test(url) ? 'credentials in the query string' : undefined);
          if (credentials) context.report({ node: c.node, message: `${credentials.charAt(0).toUpperCase()}${credentials.slice(1)} sent over plain http://`, cwes: [319, 523] });
        }
      },
    };
  },
});

/** Extensions that make the session cookie Secure or keep the browser on HTTPS. */
const HTTPS_EXTENSIONS = /^(flask_talisman\.Talisman|flask_sslify\.SSLify|flask_session\.Session)$/;
/** Ways of loading configuration from somewhere the snippet does not show. */
const CONFIG_LOADERS = new Set(['from_object', 'from_pyfile', 'from_envvar', 'from_file', 'from_prefixed_env', 'from_json']);

/**
 * The first write to Flask's `session` inside a route of an application this module creates,
 * when nothing in the module sets SESSION_COOKIE_SECURE, loads configuration from elsewhere or
 * installs an HTTPS extension. Flask's default for SESSION_COOKIE_SECURE is False.
 */
function unsecuredSessionWrite(model: ModuleModel): PyNode | undefined {
  if (!model.importsModule('flask')) return undefined;
  let createsApp = false;
  for (const c of model.calls) {
    const names = callNames(model, c);
    if (names.includes('flask.Flask')) createsApp = true;
    if (names.some((q) => HTTPS_EXTENSIONS.test(q))) return undefined;
    if (c.method && CONFIG_LOADERS.has(c.method)) return undefined;
  }
  if (!createsApp) return undefined;
  // Any mention of the setting (a literal key, a keyword, a settings constant) is left to py/insecure-cookie.
  for (const n of model.byType('identifier')) if (n.text === 'SESSION_COOKIE_SECURE') return undefined;
  for (const n of model.byType('string')) if (n.text.includes('SESSION_COOKIE_SECURE')) return undefined;
  const isSession = (node: PyNode | undefined): boolean => !!node && namesOf(model, node).includes('flask.session');
  for (const a of model.byType('assignment')) {
    const left = a.child('left');
    if (left?.type !== 'subscript' || !isSession(left.child('value'))) continue;
    if (model.enclosingFunction(a)?.route) return a;
  }
  for (const c of model.calls) {
    if ((c.method === 'update' || c.method === 'setdefault') && isSession(c.receiver) && model.enclosingFunction(c.node)?.route) return c.node;
  }
  return undefined;
}
