import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { comparisonOperands, comparisonOperators, parts, unparen } from './code-shape.js';

/**
 * Words that name a secret whose comparison time must not depend on its content: passwords,
 * tokens, keys, MACs and signatures. A linter can only tell a secret by the name it travels
 * under (Bandit, CodeQL and Semgrep do the same).
 */
const SECRET_WORDS = /^(password|passwd|passphrase|passcode|pwd|pw|pass|secret|token|apikey|api_key|otp|totp|hotp|pin|mac|hmac|signature|sig|digest|csrf|xsrf|credential|credentials)$/;
const SECRET_INFIX = /(password|passwd|passphrase|passcode|secret|token|signature|hmac|apikey|api_key|otp_code|csrf)/;
/** Words that make a name describe a secret (its length, its field name) rather than hold it. */
const NOT_SECRET_WORDS = new Set(['len', 'length', 'count', 'size', 'min', 'max', 'field', 'name', 'label', 'prompt', 'message', 'msg', 'type', 'kind', 'url', 'path', 'file', 'policy', 'regex', 'pattern', 'expiry', 'expires', 'timeout', 'required', 'reset', 'hint', 'algorithm', 'algo', 'format', 'header', 'key_name', 'enabled', 'valid', 'is', 'address', 'addr', 'cache', 'eof', 'lexer', 'parser', 'stream']);
/** Secret words that also name ordinary things (lexer tokens, signal names): a literal on the other side means the ordinary thing. */
const AMBIGUOUS = /^(token|sig|signature|pin|mac|digest|pass|pw)$/;

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when an identifier or attribute name says it holds a secret. */
export function isSecretName(name: string): boolean {
  const w = words(name);
  if (w.length === 0 || w.some((x) => NOT_SECRET_WORDS.has(x))) return false;
  if (w.some((x) => SECRET_WORDS.test(x))) return true;
  return SECRET_INFIX.test(w.join('_'));
}

const STRONG_INFIX = /(password|passwd|passphrase|passcode|secret|hmac|apikey|api_key|csrf|xsrf)/;

/** `token`, `sig`: names that may hold a secret or an ordinary value such as a lexer token. */
function onlyAmbiguous(name: string): boolean {
  const w = words(name);
  if (STRONG_INFIX.test(w.join('_'))) return false;
  return w.filter((x) => SECRET_WORDS.test(x)).every((x) => AMBIGUOUS.test(x));
}

const DIGEST_CALLS = /^(hmac\.HMAC\.(hexdigest|digest)|hashlib\.Hash\.(hexdigest|digest)|hmac\.digest)$/;

/** The expression holds (part of) a secret: by its name, or as a MAC/hash digest. */
function secretOperand(model: ModuleModel, expr: PyNode | undefined, depth = 0): string | undefined {
  const e = unparen(expr);
  if (!e || depth > 3) return undefined;
  switch (e.type) {
    case 'identifier': {
      // ALL_CAPS names are constants (`ERRORTOKEN`), not secrets received or stored.
      if (isSecretName(e.text) && !(/^[A-Z0-9_]+$/.test(e.text) && onlyAmbiguous(e.text))) return e.text;
      // `for a, b in zip(actual_pw, typed_pw)`: one character of a secret.
      for (const b of model.reaching(e)) {
        if (b.kind !== 'assign') continue;
        if (!b.element) {
          const s = b.path.length === 0 ? secretOperand(model, b.value, depth + 1) : undefined;
          if (s) return s;
          continue;
        }
        // `for a, b in zip(pw1, pw2)`: a is a character of pw1. Unpacking records from another
        // iterable (`for domain, name, password in creds`) gives fields, judged by their names.
        const iterable = unparen(b.value);
        const zipped = iterable?.type === 'call' && iterable.child('function')?.text === 'zip' ? parts(iterable.child('arguments')) : undefined;
        const source = zipped ? (b.path.length ? zipped[b.path[0]!] : undefined) : b.path.length === 0 ? iterable : undefined;
        const s = secretOperand(model, source, depth + 1);
        if (s) return s;
      }
      return undefined;
    }
    case 'attribute': {
      const attr = e.child('attribute')?.text ?? '';
      return isSecretName(attr) ? e.text : undefined;
    }
    case 'subscript': {
      const key = model.constString(e.child('subscript'));
      if (key !== undefined) return isSecretName(key) ? e.text : undefined;
      // `actual_pw[i]`: a character of the secret.
      return secretOperand(model, e.child('value'), depth + 1);
    }
    case 'call': {
      const info = model.call(e);
      if (info?.qnames.some((q) => DIGEST_CALLS.test(q))) return `${info.method ?? 'digest'}()`;
      if (info?.method === 'get' && info.receiver) {
        const key = model.constString(info.arg(0, 'key'));
        if (key !== undefined && isSecretName(key)) return e.text;
      }
      if (info?.method && ['encode', 'decode', 'strip', 'lower', 'upper'].includes(info.method)) return secretOperand(model, info.receiver, depth + 1);
      // `sign(key, msg)` of this module returning an HMAC digest.
      for (const q of info?.qnames ?? []) {
        const def = model.localDefinition(q);
        const fn = def?.type === 'function_definition' ? model.functionInfo(def) : undefined;
        if (fn && fn.returns.some((r) => secretOperand(model, r, depth + 1)?.endsWith('()'))) return `${fn.name}()`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Values compared against that do not leak the secret: None, '', booleans, numbers, lengths. */
function harmlessOther(model: ModuleModel, expr: PyNode | undefined): boolean {
  const e = unparen(expr);
  if (!e) return true;
  if (['none', 'true', 'false', 'integer', 'float'].includes(e.type)) return true;
  const v = model.constValue(e);
  if (v === '' || v === null || typeof v === 'number' || typeof v === 'boolean') return true;
  if (e.type === 'call' && /^(len|type|isinstance)$/.test(e.child('function')?.text ?? '')) return true;
  return false;
}

export default defineRule({
  meta: {
    id: 'py/timing-unsafe-comparison',
    cwes: [385, 208],
    severity: 'medium',
    confidence: 'medium',
    message: 'Secret compared in non-constant time',
    fixHint:
      'Compare secrets with hmac.compare_digest(a, b) (or secrets.compare_digest); for passwords, store a salted hash (hashlib.scrypt, bcrypt, argon2) and compare the hashes with hmac.compare_digest.',
    doc: 'The == operator and a character-by-character loop stop at the first difference, so the time a check takes tells an attacker how many leading characters of a guess are right; measured over many tries this reveals the password, token or MAC one character at a time. hmac.compare_digest takes the same time whatever the content.',
  },
  check(context) {
    const { model } = context;
    const fromOutside = (e: PyNode): boolean => {
      const t = context.taintOf(e, 'timing');
      return !!t && (t.origin === 'remote' || t.origin === 'network' || t.origin === 'local');
    };
    return {
      nodes: {
        comparison_operator(node) {
          const ops = comparisonOperators(node);
          if (ops.length !== 1 || (ops[0] !== '==' && ops[0] !== '!=')) return;
          const [left, right] = comparisonOperands(node);
          if (!left || !right) return;
          const secret = secretOperand(model, left) ?? secretOperand(model, right);
          if (!secret) return;
          const other = secretOperand(model, left) ? right : left;
          if (harmlessOther(model, other)) return;
          // `token`, `sig`: also lexer tokens and signal numbers. Only a comparison with another
          // secret, a digest or outside data is a secret check.
          if (onlyAmbiguous(secret) && !secretOperand(model, other) && !fromOutside(other)) return;
          // A literal is only a secret when the name says password or key (`signature == "@-"` is not).
          if (typeof model.constValue(other) === 'string' && !/(password|passwd|passphrase|passcode|secret|api_?key)/i.test(secret)) return;
          // `password != confirm_password`: two entries of one user, nothing to leak.
          if (/(confirm|repeat|again|retype|password2|verify)/i.test(other.text)) return;
          // Object equality (`__eq__`) compares fields, not credentials.
          if (/^__(eq|ne|hash|lt|le|gt|ge)__$/.test(model.enclosingFunction(node)?.name ?? '')) return;
          const digest = secret.endsWith('()');
          context.report({
            node,
            confidence: digest ? 'high' : 'medium',
            message: `${digest ? 'MAC/digest' : `secret '${secret}'`} compared with ${ops[0]}: the time taken reveals how much of it matched`,
          });
        },
      },
    };
  },
});
