import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { nameWords, secretKindOfName, type SecretKind } from './secret-names.js';
import { CREDENTIAL_KINDS, readableSecretIn } from './sensitive-values.js';

/** A session token is meant to live in a cookie; passwords and keys are not. */
const COOKIE_KINDS: readonly SecretKind[] = ['password', 'secret', 'api-key'];
import { callNames, namesOf } from './value-flow.js';

/** `^(jwt|jwt\.api_jwt|jose\.jwt|authlib\.jose\.jwt)\.encode$` as a set. */
const JWT_ENCODE = new Set(['jwt.encode', 'jwt.api_jwt.encode', 'jose.jwt.encode', 'authlib.jose.jwt.encode']);
/** `^(json|yaml|pickle|toml)\.dump$` as a set. */
const DUMP = new Set(['json.dump', 'yaml.dump', 'pickle.dump', 'toml.dump']);

function anyIn(names: readonly string[], set: ReadonlySet<string>): boolean {
  for (const q of names) if (set.has(q)) return true;
  return false;
}

export default defineRule({
  meta: {
    id: 'py/cleartext-storage',
    cwes: [312],
    severity: 'high',
    confidence: 'high',
    message: 'Password or secret stored in cleartext',
    fixHint:
      'Do not keep secrets where they can be read: store only a password hash (bcrypt/argon2), keep session data server-side and put only an opaque random session id in cookies, and write secrets to disk only encrypted (e.g. with Fernet) or through the OS keyring.',
    doc: "Cookies and Flask's default session are stored in the browser and are readable by the user and by any script or malware there; files are readable by anyone with access to the disk or its backups. A password or token kept there in readable form is exposed to all of them.",
  },
  check(context) {
    const { model } = context;
    const report = (node: PyNode, message: string, cwes: number[]): void => context.report({ node, message, cwes });
    /** A claim named like a password or secret in a dict literal (also one bound to a variable): `{'password': pw}`. */
    const secretClaim = (node: PyNode | undefined): { kind: SecretKind; name: string } | undefined => {
      let dict = node;
      if (dict?.type === 'identifier') {
        const bindings = model.reaching(dict);
        dict = bindings.length === 1 && bindings[0]!.kind === 'assign' && !bindings[0]!.path.length ? bindings[0]!.value : undefined;
      }
      if (dict?.type !== 'dictionary') return undefined;
      for (const pair of dict.namedChildren) {
        if (pair.type !== 'pair') continue;
        const name = model.constString(pair.child('key'));
        const kind = secretKindOfName(name);
        const value = pair.child('value');
        if (name && kind && COOKIE_KINDS.includes(kind) && value && value.type !== 'none' && model.constValue(value) !== '') return { kind, name };
      }
      return undefined;
    };
    return {
      call(c) {
        // response.set_cookie('password', password)
        if (c.method === 'set_cookie' || c.method === 'set_signed_cookie') {
          const hit = readableSecretIn(model, c.arg(1, 'value'), COOKIE_KINDS);
          // request.session.session_key: the session id is what a session cookie carries.
          if (hit && nameWords(hit.name).includes('session')) return;
          if (hit) report(c.node, `Cookie holds the ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' in cleartext`, [315, 312]);
          return;
        }
        const names = callNames(model, c);
        // jwt.encode({'password': pw}, key): a JWT is signed, not encrypted; whoever holds it reads its claims.
        if (anyIn(names, JWT_ENCODE)) {
          const payload = c.arg(names.some((q) => q.startsWith('authlib.')) ? 1 : 0, 'payload') ?? c.keywords.get('claims');
          const hit = secretClaim(payload) ?? readableSecretIn(model, payload, COOKIE_KINDS);
          if (hit) report(c.node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is put in a JWT, whose claims anyone holding the token can read`, [312, 522]);
          return;
        }
        // f.write(password), json.dump({'password': password}, f)
        const isFileWrite = (c.method === 'write' || c.method === 'writelines') && c.receiver !== undefined && namesOf(model, c.receiver).some((q) => q === 'io.File' || q.startsWith('io.File'));
        const isDump = anyIn(names, DUMP);
        if (isFileWrite || isDump) {
          const hit = readableSecretIn(model, c.positional[0], CREDENTIAL_KINDS);
          if (hit) report(c.node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is written to a file in cleartext`, [313, 312]);
        }
      },
      nodes: {
        assignment(node) {
          // Flask's default session is a signed, not encrypted, cookie.
          const left = node.child('left');
          if (left?.type !== 'subscript' || !namesOf(model, left.child('value')).includes('flask.session')) return;
          const hit = readableSecretIn(model, node.child('right'), COOKIE_KINDS);
          if (hit) report(node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is put in the Flask session cookie, which the client can read`, [315, 312]);
        },
      },
    };
  },
});
