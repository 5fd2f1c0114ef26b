import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames } from './value-flow.js';

const DECODE = /^(jwt|jwt\.api_jwt|jwt\.api_jws|jose\.jwt|jose\.jws)\.(decode|verify)$|^jwt\.(PyJWT|PyJWS)(\(\))?\.decode$/;
const ENCODE = /^(jwt|jwt\.api_jwt|jose\.jwt)\.encode$/;

function inJwtPackage(q: string): boolean {
  return q.startsWith('jwt.') || q.startsWith('jose.') || q.startsWith('python_jwt.');
}

/** The value of a constant key in a dict literal (`{"verify_signature": False}`), following a name bound to one. */
function dictEntry(model: ModuleModel, dict: PyNode | undefined, key: string): PyNode | undefined {
  let node = dict;
  if (node?.type === 'identifier') {
    const bindings = model.reaching(node);
    node = bindings.length === 1 && bindings[0]!.kind === 'assign' ? bindings[0]!.value : undefined;
  }
  if (node?.type === 'call' && model.call(node)?.qname === 'dict') return model.call(node)!.keywords.get(key);
  if (node?.type !== 'dictionary') return undefined;
  for (const pair of node.namedChildren) if (pair.type === 'pair' && model.constString(pair.child('key')) === key) return pair.child('value');
  return undefined;
}

/** `algorithms=['none']`, `algorithms='none'`, `algorithm='none'`. */
function allowsNone(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = model.constValue(node);
  const list = Array.isArray(v) ? v : [v];
  return list.some((x) => typeof x === 'string' && x.toLowerCase() === 'none');
}

/** A key given as the empty string (text or bytes) or None: HMAC over it is a signature anyone can make. */
function emptyKey(model: ModuleModel, node: PyNode | undefined): boolean {
  if (!node) return false;
  const v = model.constValue(node);
  return v === '' || v === null;
}

export default defineRule({
  meta: {
    id: 'py/jwt-signature-not-verified',
    cwes: [347, 287],
    severity: 'high',
    confidence: 'high',
    message: 'JWT decoded without verifying its signature',
    fixHint:
      "Verify tokens with the expected key and an explicit algorithm list: jwt.decode(token, key, algorithms=['HS256']) (or RS256 with the public key); never pass verify=False, options={'verify_signature': False} or accept the 'none' algorithm. With python_jwt, call verify_jwt(token, key, ['RS256']) instead of process_jwt.",
    doc: "A JSON Web Token is only trustworthy after its signature is checked against the expected key. Decoding it with verification turned off, or accepting the 'none' algorithm, lets anyone forge claims such as the user id or role by editing the token.",
  },
  check(context) {
    const { model } = context;
    const verifiesSomewhere = (): boolean => model.calls.some((c) => callNames(model, c).some((q) => /^python_jwt\.verify_jwt$/.test(q)));
    const checkDecode = (c: CallInfo): void => {
      const verify = c.keywords.get('verify') ?? c.keywords.get('do_verify');
      if (verify && model.constValue(verify) === false) return context.report({ node: c.node, message: 'JWT decoded with verify=False: the signature is not checked' });
      const options = c.keywords.get('options');
      const sig = dictEntry(model, options, 'verify_signature');
      if (sig && model.constValue(sig) === false) return context.report({ node: c.node, message: "JWT decoded with options={'verify_signature': False}" });
      if (allowsNone(model, c.keywords.get('algorithms') ?? c.keywords.get('algorithm')))
        return context.report({ node: c.node, message: "JWT decoding accepts the 'none' algorithm: unsigned tokens pass" });
      if (emptyKey(model, c.arg(1, 'key'))) return context.report({ node: c.node, message: 'JWT verified with an empty key: anyone can sign a token that passes', cwes: [347, 321] });
    };
    return {
      call(c) {
        const names = callNames(model, c);
        // Every pattern below names something under jwt., jose. or python_jwt.
        if (!names.some(inJwtPackage)) return;
        if (names.some((q) => DECODE.test(q))) return checkDecode(c);
        if (names.some((q) => /^jwt\.JWT(\(\))?\.decode$/.test(q))) return checkDecode(c);
        if (names.some((q) => ENCODE.test(q))) {
          const algorithm = c.arg(2, 'algorithm');
          if (allowsNone(model, algorithm) || (algorithm && model.constValue(algorithm) === null))
            return context.report({ node: c.node, message: "JWT issued with the 'none' algorithm: it carries no signature", cwes: [347, 327] });
          if (emptyKey(model, c.arg(1, 'key'))) return context.report({ node: c.node, message: 'JWT signed with an empty key: anyone can sign tokens the service accepts', cwes: [347, 321] });
          return;
        }
        if (names.some((q) => /^(jose\.jwt\.get_unverified_claims|jwt\.get_unverified_claims)$/.test(q)))
          return context.report({ node: c.node, message: 'JWT claims read without verifying the signature', confidence: 'medium' });
        if (names.some((q) => /^python_jwt\.process_jwt$/.test(q)) && !verifiesSomewhere())
          context.report({ node: c.node, message: 'python_jwt.process_jwt() only parses the token; nothing calls verify_jwt() to check the signature' });
      },
    };
  },
});
