import { defineRule } from '../rule.js';
import { flowsToSecurityUse, isPrngCall, securityUse } from './random-use.js';
import { nameWords } from './secret-names.js';
import { callNames, constNumber } from './value-flow.js';

/** Cryptographic generators and how their size argument counts (bytes). */
const CSPRNG_BYTES = /^(secrets\.(token_bytes|token_hex|token_urlsafe)|os\.urandom|Crypto\.Random\.get_random_bytes)$/;
/** Below 128 bits a session id or token can be guessed or collide (OWASP: at least 64 bits of entropy, 128 recommended). */
const MIN_TOKEN_BYTES = 16;
/** IVs, nonces and salts have sizes fixed by their algorithms; these names are judged elsewhere. */
const FIXED_SIZE_WORDS = new Set(['iv', 'nonce', 'salt', 'pin', 'otp', 'totp', 'captcha']);

export default defineRule({
  meta: {
    id: 'py/insecure-random',
    cwes: [338, 330, 331],
    severity: 'high',
    confidence: 'high',
    message: 'Predictable random value used for security',
    fixHint:
      "Use the secrets module for anything an attacker must not guess: secrets.token_urlsafe(32) for tokens and session ids, ''.join(secrets.choice(alphabet) for _ in range(n)) for random strings, secrets.token_bytes(32) or os.urandom(32) for keys, secrets.randbelow(n) for numbers.",
    doc: "Python's random module is a Mersenne Twister: after observing 624 outputs an attacker can compute every past and future value, and its default seed is guessable in some setups. Tokens, passwords, keys, salts and session identifiers made with it can be predicted; the secrets module draws from the operating system's cryptographic generator.",
    bandit: ['B311'],
  },
  check(context) {
    const { model } = context;
    return {
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
