import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { allHashedData, BROKEN_ALGORITHMS, hashConstructor, notForSecurity } from './hash-functions.js';
import { nameWords } from './secret-names.js';
import { readableSecretIn } from './sensitive-values.js';
import { assignedName, callNames, walkValue } from './value-flow.js';

/** Words around a digest that say it protects something. */
const SECURITY_WORDS = new Set(['cert', 'certificate', 'sign', 'signature', 'signed', 'token', 'auth', 'key', 'secret', 'session', 'nonce', 'verify', 'integrity', 'mac', 'hmac', 'otp', 'fingerprint', 'known', 'trusted', 'credential', 'credentials', 'login', 'api']);

const WEAK_CRYPTOGRAPHY_HASH = /^cryptography\.hazmat\.primitives\.hashes\.(MD5|SHA1)$/;

export default defineRule({
  meta: {
    id: 'py/weak-hash',
    cwes: [328, 327],
    severity: 'medium',
    confidence: 'medium',
    message: 'Weak hash algorithm (MD5/SHA-1)',
    fixHint:
      "Use hashlib.sha256(data) (or sha3_256/blake2b); if the digest is not a security control say so with hashlib.md5(data, usedforsecurity=False). For passwords use a slow salted hash such as bcrypt, argon2 or hashlib.scrypt.",
    doc: 'MD5 and SHA-1 have practical collision attacks, so an attacker can craft two inputs with the same digest: a forged certificate, file or token then passes a check made with them. SHA-256 and the SHA-3 family have no such attacks.',
    bandit: ['B303', 'B324'],
  },
  check(context) {
    const { model } = context;
    /** High confidence when the digest's data or its destination is named like a security value. */
    const securityContext = (c: CallInfo, data: PyNode[]): boolean => {
      const names: string[] = [];
      for (const d of data)
        walkValue(model, d, (n) => {
          if (n.type === 'identifier') names.push(n.text);
          else if (n.type === 'attribute') names.push(n.child('attribute')?.text ?? '');
          return names.length < 30;
        });
      const target = assignedName(c.node.parent?.type === 'attribute' && c.node.parent.parent?.type === 'call' ? c.node.parent.parent : c.node);
      if (target) names.push(target.name);
      const fn = model.enclosingFunction(c.node);
      if (fn) names.push(fn.name);
      return names.some((n) => nameWords(n).some((w) => SECURITY_WORDS.has(w)));
    };
    return {
      call(c) {
        const names = callNames(model, c);
        if (!names.some((q) => /^(hashlib|cryptography|Crypto)\./.test(q))) return;
        if (names.some((q) => WEAK_CRYPTOGRAPHY_HASH.test(q))) {
          // hashes.SHA1() inside HMAC or a KDF is not a collision-sensitive use.
          const holder = c.node.parent?.parent?.type === 'call' ? model.call(c.node.parent.parent) : undefined;
          if (holder && callNames(model, holder).some((q) => /(hmac\.HMAC|kdf\.)/.test(q))) return;
          return context.report({ node: c.node, message: `${names.find((q) => WEAK_CRYPTOGRAPHY_HASH.test(q))!.split('.').pop()} is a weak hash algorithm` });
        }
        const ctor = hashConstructor(model, c);
        if (!ctor || !BROKEN_ALGORITHMS.has(ctor.algorithm) || notForSecurity(model, c)) return;
        const data = allHashedData(model, c);
        // Passwords get their own rule with stronger advice.
        if (data.some((d) => readableSecretIn(model, d))) return;
        context.report({
          node: c.node,
          message: `${ctor.algorithm.toUpperCase()} is a weak hash algorithm`,
          confidence: securityContext(c, data) ? 'high' : 'medium',
        });
      },
    };
  },
});
