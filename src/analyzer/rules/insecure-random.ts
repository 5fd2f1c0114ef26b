import { defineRule } from '../rule.js';
import { isPrngCall, securityUse } from './random-use.js';

export default defineRule({
  meta: {
    id: 'py/insecure-random',
    cwes: [338, 330],
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
        if (!isPrngCall(model, c)) return;
        const use = securityUse(model, c);
        if (use) context.report({ node: c.node, message: `Predictable random value from the random module (${use.reason})`, confidence: use.confidence });
      },
    };
  },
});
