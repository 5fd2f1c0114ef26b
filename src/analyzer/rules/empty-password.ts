import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames } from './value-flow.js';

const PASSWORD_KEYWORDS = new Set(['password', 'passwd', 'pwd']);
/**
 * Calls that open an authenticated connection, by the last segment of a name or the method
 * (`(^|\.)(connect|...)$` as a look-up: no pattern scan of every name of every call).
 */
const CONNECTING = new Set(['connect', 'Connection', 'Client', 'MongoClient', 'StrictRedis', 'Redis', 'create_engine', 'login', 'ConnectionPool', 'SimpleConnectionPool', 'ThreadedConnectionPool', 'create_pool']);

function connectingName(names: readonly string[]): boolean {
  for (const q of names) if (CONNECTING.has(q.slice(q.lastIndexOf('.') + 1))) return true;
  return false;
}
const POSITIONAL_PASSWORD: Array<[RegExp, number]> = [[/^(MySQLdb|pymysql)\.connect$/, 2]];
/** Calls with fewer positional arguments pass no password by position. */
const FIRST_PASSWORD_POSITION = Math.min(...POSITIONAL_PASSWORD.map(([, index]) => index));
/** `postgresql://user:@host`: a user with an empty password. */
const EMPTY_PASSWORD_URL = /^(?!sqlite)[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:@/i;

function isEmptyString(model: ModuleModel, node: PyNode | undefined): boolean {
  return node !== undefined && model.constValue(node) === '';
}

/**
 * Where a password argument is always empty: the literal itself, every assignment that
 * reaches a variable, or a parameter whose default is '' (its caller may leave it out).
 */
function emptySource(model: ModuleModel, node: PyNode | undefined): { at: PyNode; fromDefault: boolean } | undefined {
  if (!node) return undefined;
  if (isEmptyString(model, node)) return { at: node, fromDefault: false };
  if (node.type !== 'identifier') return undefined;
  const bindings = model.reaching(node);
  if (bindings.length === 0) return undefined;
  if (bindings.every((b) => b.kind === 'assign' && !b.path.length && !b.element && isEmptyString(model, b.value))) return { at: node, fromDefault: false };
  const b = bindings[0]!;
  if (bindings.length === 1 && b.kind === 'param' && b.default && isEmptyString(model, b.default)) return { at: b.default.parent ?? b.default, fromDefault: true };
  return undefined;
}

export default defineRule({
  meta: {
    id: 'py/empty-password',
    cwes: [258, 521],
    severity: 'high',
    confidence: 'high',
    message: 'Database or service account with an empty password',
    fixHint:
      "Protect the account with a strong password and read it at run time: password=os.environ['DB_PASSWORD'] (Django: 'PASSWORD': os.environ['DB_PASSWORD']); never connect with password=''.",
    doc: 'A connection made with an empty password means the database or service accepts the account without any secret, so anyone who can reach it can log in with the same user name. Give the account a strong password (or certificate/peer authentication) and keep the secret out of the code.',
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        // user.set_password(''), User.objects.create_user(name, email, password=''): Django (and most
        // user models) hash the empty string, so the account then logs in with no password at all.
        const setter = c.method === 'set_password' ? c.arg(0, 'raw_password') : c.method === 'create_user' || c.method === 'create_superuser' ? c.arg(2, 'password') : undefined;
        const empty = emptySource(model, setter);
        if (empty)
          return context.report({
            node: empty.at,
            message: empty.fromDefault ? `The password parameter defaults to '' and reaches ${c.method}(): an account created without one can log in with an empty password` : `${c.method}() given an empty password`,
          });
        // Below, only a password keyword or a positional password can be reported.
        if (c.positional.length <= FIRST_PASSWORD_POSITION && !c.keywords.has('password') && !c.keywords.has('passwd') && !c.keywords.has('pwd')) return;
        const connecting = (c.method !== undefined && CONNECTING.has(c.method)) || connectingName(callNames(model, c));
        if (!connecting) return;
        const names = callNames(model, c);
        for (const [k, v] of c.keywords) if (PASSWORD_KEYWORDS.has(k) && isEmptyString(model, v)) return context.report({ node: v.parent ?? v, message: `Connection made with an empty ${k}` });
        for (const [pattern, index] of POSITIONAL_PASSWORD)
          if (names.some((q) => pattern.test(q)) && isEmptyString(model, c.positional[index])) return context.report({ node: c.positional[index]!, message: 'Connection made with an empty password' });
      },
      nodes: {
        pair(node) {
          // Django: DATABASES = {'default': {'ENGINE': '...postgresql', 'PASSWORD': ''}}
          // A key literal without escapes or interpolations is its own text: most lack `PASSWORD`.
          const key = node.child('key');
          if (key?.type === 'string') {
            const raw = key.text;
            if (!raw.includes('PASSWORD') && !raw.includes('\\') && !raw.includes('{')) return;
          }
          if (model.constString(key) !== 'PASSWORD' || !isEmptyString(model, node.child('value'))) return;
          const dict = node.parent;
          const engine = dict?.namedChildren.find((p) => p.type === 'pair' && model.constString(p.child('key')) === 'ENGINE');
          const engineName = engine ? model.constString(engine.child('value')) : undefined;
          if (engineName && !/sqlite/i.test(engineName)) context.report({ node, message: `Database configured with an empty PASSWORD (${engineName.split('.').pop()})` });
        },
        string(node) {
          if (node.parent?.type === 'concatenated_string') return;
          // Without escapes or interpolations the value is the literal's own text: no `:@`
          // there, no empty password in it (most strings end here, without being decoded).
          const text = node.text;
          if (!text.includes(':@') && !text.includes('\\') && !text.includes('{')) return;
          const v = model.constString(node);
          if (v && EMPTY_PASSWORD_URL.test(v)) context.report({ node, message: 'Connection URL with a user name and an empty password' });
        },
      },
    };
  },
});
