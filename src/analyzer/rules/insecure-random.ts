import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { unparen } from './code-shape.js';
import { flowsToSecurityUse, isPrngCall, securityUse } from './random-use.js';
import { nameWords } from './secret-names.js';
import { callNames, constNumber, namesOf } from './value-flow.js';

/** Cryptographic generators and how their size argument counts (bytes). */
const CSPRNG_BYTES = /^(secrets\.(token_bytes|token_hex|token_urlsafe)|os\.urandom|Crypto\.Random\.get_random_bytes)$/;
/** Below 128 bits a session id or token can be guessed or collide (OWASP: at least 64 bits of entropy, 128 recommended). */
const MIN_TOKEN_BYTES = 16;
/** IVs, nonces and salts have sizes fixed by their algorithms; these names are judged elsewhere. */
const FIXED_SIZE_WORDS = new Set(['iv', 'nonce', 'salt', 'pin', 'otp', 'totp', 'captcha']);

/** Lengths of the alphabets in the string module (random strings are drawn from them). */
const STRING_ALPHABETS: Record<string, number> = {
  'string.ascii_letters': 52,
  'string.ascii_lowercase': 26,
  'string.ascii_uppercase': 26,
  'string.digits': 10,
  'string.hexdigits': 22,
  'string.octdigits': 8,
  'string.punctuation': 32,
  'string.printable': 100,
  'string.whitespace': 6,
};

/** The length of a string built from literals and string-module alphabets, if knowable. */
function stringLength(model: ModuleModel, expr: PyNode | undefined, depth = 0): number | undefined {
  const e = unparen(expr);
  if (!e || depth > 4) return undefined;
  const text = model.constString(e);
  if (text !== undefined) return [...text].length;
  const alphabet = referencedNames(model, e).map((q) => STRING_ALPHABETS[q]).find((n) => n !== undefined);
  if (alphabet !== undefined) return alphabet;
  if (e.type === 'binary_operator' && e.child('operator')?.text === '+') {
    const a = stringLength(model, e.child('left'), depth + 1);
    const b = stringLength(model, e.child('right'), depth + 1);
    return a !== undefined && b !== undefined ? a + b : undefined;
  }
  if (e.type === 'identifier') {
    const bindings = model.reaching(e);
    if (bindings.length !== 1) return undefined;
    const b = bindings[0]!;
    return b.kind === 'assign' && !b.element && b.path.length === 0 ? stringLength(model, b.value, depth + 1) : undefined;
  }
  return undefined;
}

function referencedNames(model: ModuleModel, e: PyNode): string[] {
  return e.type === 'attribute' || e.type === 'identifier' ? namesOf(model, e) : [];
}

/** `n`, or `len(alphabet)` for an alphabet of known length. */
function modulusOf(model: ModuleModel, expr: PyNode | undefined): number | undefined {
  const e = unparen(expr);
  if (!e) return undefined;
  const n = constNumber(model, e);
  if (n !== undefined) return n;
  const call = e.type === 'call' ? model.call(e) : undefined;
  if (call && callNames(model, call).includes('len') && call.positional.length === 1) return stringLength(model, call.positional[0]);
  return undefined;
}

/** A call returning bytes from the operating system's generator. */
function csprngBytesCall(model: ModuleModel, expr: PyNode | undefined): boolean {
  const e = unparen(expr);
  const call = e?.type === 'call' ? model.call(e) : undefined;
  return !!call && callNames(model, call).some((q) => CSPRNG_BYTES.test(q) && !/token_(hex|urlsafe)$/.test(q));
}

/** Bytes from the generator, called here or bound once to the name. */
function csprngBytes(model: ModuleModel, expr: PyNode | undefined): boolean {
  const e = unparen(expr);
  if (!e) return false;
  if (csprngBytesCall(model, e)) return true;
  if (e.type !== 'identifier') return false;
  const bindings = model.reaching(e);
  return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && !b.element && b.path.length === 0 && csprngBytesCall(model, b.value));
}

/**
 * How many random bits a small integer carries when it is one byte (or two) of the
 * operating system's generator: `ord(os.urandom(1))`, `buf[i]`, `for b in os.urandom(n)`,
 * `int.from_bytes(os.urandom(2), ...)`, `secrets.randbits(8)`.
 */
function smallRandomBits(model: ModuleModel, expr: PyNode | undefined): number | undefined {
  const e = unparen(expr);
  if (!e) return undefined;
  if (e.type === 'subscript') return e.child('subscript')?.type !== 'slice' && csprngBytes(model, e.child('value')) ? 8 : undefined;
  if (e.type === 'identifier') {
    const bindings = model.reaching(e);
    if (bindings.length === 0) return undefined;
    // `for b in os.urandom(n)`: each element is one byte.
    return bindings.every((b) => b.kind === 'assign' && b.element && b.path.length === 0 && csprngBytes(model, b.value)) ? 8 : undefined;
  }
  const call = e.type === 'call' ? model.call(e) : undefined;
  if (!call) return undefined;
  const names = callNames(model, call);
  if (names.includes('ord') && csprngBytes(model, call.positional[0])) return 8;
  if (names.includes('int.from_bytes')) {
    const src = unparen(call.positional[0]);
    const srcCall = src?.type === 'call' ? model.call(src) : undefined;
    const n = srcCall && csprngBytesCall(model, src) ? constNumber(model, srcCall.arg(0, 'nbytes') ?? srcCall.arg(0, 'n')) : undefined;
    return n !== undefined && n >= 1 && n <= 2 ? 8 * n : undefined;
  }
  if (names.some((q) => q === 'secrets.randbits' || /SystemRandom(\(\))?\.getrandbits$/.test(q))) {
    const k = constNumber(model, call.arg(0, 'k'));
    return k !== undefined && k >= 1 && k <= 16 ? k : undefined;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'py/insecure-random',
    cwes: [338, 330, 331],
    severity: 'high',
    confidence: 'high',
    message: 'Predictable random value used for security',
    fixHint:
      "Use the secrets module for anything an attacker must not guess: secrets.token_urlsafe(32) for tokens and session ids, ''.join(secrets.choice(alphabet) for _ in range(n)) for random strings, secrets.token_bytes(32) or os.urandom(32) for keys, secrets.randbelow(n) for numbers.",
    doc: "Python's random module is a Mersenne Twister: after observing 624 outputs an attacker can compute every past and future value, and its default seed is guessable in some setups. Tokens, passwords, keys, salts and session identifiers made with it can be predicted; the secrets module draws from the operating system's cryptographic generator. Even its bytes are skewed when a byte is reduced modulo an alphabet size that does not divide 256 (modulo bias): secrets.choice and secrets.randbelow avoid that.",
    bandit: ['B311'],
  },
  check(context) {
    const { model } = context;
    return {
      nodes: {
        // `alphabet[ord(os.urandom(1)) % len(alphabet)]`: 256 is not a multiple of 52, so the
        // first 48 letters come up 5 times in 256 and the others 4 times (modulo bias).
        binary_operator(node) {
          if (node.child('operator')?.text !== '%') return;
          const bits = smallRandomBits(model, node.child('left'));
          if (bits === undefined) return;
          const n = modulusOf(model, node.child('right'));
          const range = 2 ** bits;
          if (n === undefined || !Number.isInteger(n) || n < 2 || n > range || range % n === 0) return;
          const favoured = range % n;
          context.report({
            node,
            message: `A random value of ${bits} bits reduced modulo ${n}: ${favoured} of the ${n} outcomes come up more often than the rest (modulo bias); use secrets.choice(alphabet) or secrets.randbelow(${n})`,
            cwes: [331, 330],
            severity: 'medium',
            confidence: 'medium',
          });
        },
      },
      call(c) {
        const csprng = callNames(model, c).find((q) => CSPRNG_BYTES.test(q));
        if (csprng) {
          const n = constNumber(model, c.arg(0, 'nbytes') ?? c.arg(0, 'n') ?? c.arg(0, 'size'));
          if (n === undefined || n >= MIN_TOKEN_BYTES || n <= 0) return;
          const use = flowsToSecurityUse(model, c.node, (name) => !nameWords(name).some((w) => FIXED_SIZE_WORDS.has(w)));
          if (use) context.report({ node: c.node, message: `Only ${n * 8} bits of randomness (${use.reason}); use at least ${MIN_TOKEN_BYTES * 8}`, cwes: [331, 330], severity: 'medium' });
          return;
        }
        if (!isPrngCall(model, c)) return;
        const use = securityUse(model, c);
        if (use) context.report({ node: c.node, message: `Predictable random value from the random module (${use.reason})`, confidence: use.confidence, cwes: [338, 330] });
      },
    };
  },
});
