import type { PyNode } from '../ast.js';
import { defineRule } from '../rule.js';
import { nameWords, secretKindOfName, type SecretKind } from './secret-names.js';
import { CREDENTIAL_KINDS, readableSecretIn } from './sensitive-values.js';

/** A session token is meant to live in a cookie; passwords and keys are not. */
const COOKIE_KINDS: readonly SecretKind[] = ['password', 'secret', 'api-key'];
import { callNames, namesOf, sourceMentions } from './value-flow.js';

const NO_NAMES: string[] = [];

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
    let mentionsJwt: boolean | undefined;
    let mentionsDump: boolean | undefined;
    let mentionsSession: boolean | undefined;
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
        // JWT and dump names need `jwt` and `dump` in the module's text (see `sourceMentions`).
        const jwt = (mentionsJwt ??= sourceMentions(model, ['jwt']));
        const dump = (mentionsDump ??= sourceMentions(model, ['dump']));
        const write = c.method === 'write' || c.method === 'writelines';
        if (!jwt && !dump && !write) return;
        const names = jwt || dump ? callNames(model, c) : NO_NAMES;
        // jwt.encode({'password': pw}, key): a JWT is signed, not encrypted; whoever holds it reads its claims.
        if (jwt && names.some((q) => /^(jwt|jwt\.api_jwt|jose\.jwt|authlib\.jose\.jwt)\.encode$/.test(q))) {
          const payload = c.arg(names.some((q) => q.startsWith('authlib.')) ? 1 : 0, 'payload') ?? c.keywords.get('claims');
          const hit = secretClaim(payload) ?? readableSecretIn(model, payload, COOKIE_KINDS);
          if (hit) report(c.node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is put in a JWT, whose claims anyone holding the token can read`, [312, 522]);
          return;
        }
        // f.write(password), json.dump({'password': password}, f)
        const isFileWrite = write && c.receiver !== undefined && namesOf(model, c.receiver).some((q) => q === 'io.File' || q.startsWith('io.File'));
        const isDump = dump && names.some((q) => /^(json|yaml|pickle|toml)\.dump$/.test(q));
        if (isFileWrite || isDump) {
          const hit = readableSecretIn(model, c.positional[0], CREDENTIAL_KINDS);
          if (hit) report(c.node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is written to a file in cleartext`, [313, 312]);
        }
      },
      nodes: {
        assignment(node) {
          // Flask's default session is a signed, not encrypted, cookie.
          const left = node.child('left');
          if (left?.type !== 'subscript' || !(mentionsSession ??= sourceMentions(model, ['session'])) || !namesOf(model, left.child('value')).includes('flask.session')) return;
          const hit = readableSecretIn(model, node.child('right'), COOKIE_KINDS);
          if (hit) report(node, `The ${hit.kind === 'password' ? 'password' : 'secret'} '${hit.name}' is put in the Flask session cookie, which the client can read`, [315, 312]);
        },
      },
    };
  },
});
