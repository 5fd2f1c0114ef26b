import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames, constNumber, namesOf } from './value-flow.js';

const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 224;

/** Key generation calls and where their size argument is: [pattern, index, keyword, algorithm]. */
const SIZED: Array<[RegExp, number, string, string]> = [
  [/^Crypto\.PublicKey\.RSA\.generate$/, 0, 'bits', 'RSA'],
  [/^Crypto\.PublicKey\.DSA\.generate$/, 0, 'bits', 'DSA'],
  [/^Crypto\.PublicKey\.ElGamal\.generate$/, 0, 'bits', 'ElGamal'],
  [/^cryptography\.hazmat\.primitives\.asymmetric\.rsa\.generate_private_key$/, 1, 'key_size', 'RSA'],
  [/^cryptography\.hazmat\.primitives\.asymmetric\.dsa\.generate_private_key$/, 0, 'key_size', 'DSA'],
  [/^cryptography\.hazmat\.primitives\.asymmetric\.dsa\.generate_parameters$/, 0, 'key_size', 'DSA'],
  [/^cryptography\.hazmat\.primitives\.asymmetric\.dh\.generate_parameters$/, 1, 'key_size', 'Diffie-Hellman'],
  [/^paramiko\.(rsakey\.)?RSAKey\.generate$/, 0, 'bits', 'RSA'],
  [/^paramiko\.(dsskey\.)?DSSKey\.generate$/, 0, 'bits', 'DSA'],
  [/^rsa\.newkeys$/, 0, 'nbits', 'RSA'],
  [/^rsa\.key\.newkeys$/, 0, 'nbits', 'RSA'],
];

/** Packages of the key generators above (SIZED, ec, ECC): a call under none of them generates no sized key. */
function inKeyPackage(q: string): boolean {
  return q.startsWith('Crypto.') || q.startsWith('cryptography.') || q.startsWith('paramiko.') || q.startsWith('rsa.');
}

/** Named curves and their size in bits. */
const CURVE_BITS: Record<string, number> = {
  SECP192R1: 192,
  SECT163K1: 163,
  SECT163R2: 163,
  SECT233K1: 233,
  SECT233R1: 233,
  SECP224R1: 224,
  'P-192': 192,
  P192: 192,
  prime192v1: 192,
  secp192r1: 192,
  'NIST P-192': 192,
};

export default defineRule({
  meta: {
    id: 'py/weak-key-size',
    cwes: [326],
    severity: 'high',
    confidence: 'high',
    message: 'Cryptographic key too short',
    fixHint: 'Generate RSA, DSA and Diffie-Hellman keys of at least 2048 bits (3072 or more for long-lived keys), e.g. RSA.generate(3072), and elliptic-curve keys on a curve of at least 224 bits such as ec.SECP256R1() or Ed25519.',
    doc: 'RSA and DSA keys of 1024 bits or fewer are within reach of well-funded attackers and are rejected by current standards (NIST SP 800-131A); curves under 224 bits likewise. Short keys let an attacker recover the private key and decrypt or forge everything made with it.',
    bandit: ['B505'],
  },
  check(context) {
    const { model } = context;
    const tooSmall = (c: CallInfo, arg: PyNode | undefined, algorithm: string, min: number): void => {
      const bits = constNumber(model, arg);
      if (bits !== undefined && bits > 0 && bits < min) context.report({ node: c.node, message: `${algorithm} key of ${bits} bits (at least ${min} needed)` });
    };
    return {
      call(c) {
        const names = callNames(model, c);
        // Every pattern below but pyOpenSSL's method is under one of these packages.
        if (!names.some(inKeyPackage)) {
          if (c.method === 'generate_key' && c.positional.length >= 2 && namesOf(model, c.positional[0]).some((q) => /^OpenSSL\.crypto\.TYPE_(RSA|DSA)$/.test(q)))
            tooSmall(c, c.positional[1], 'RSA/DSA', MIN_RSA_BITS);
          return;
        }
        for (const [pattern, index, keyword, algorithm] of SIZED)
          if (names.some((q) => pattern.test(q))) return tooSmall(c, c.arg(index, keyword), algorithm, MIN_RSA_BITS);
        // pyOpenSSL: PKey().generate_key(crypto.TYPE_RSA, 1024)
        if (c.method === 'generate_key' && c.positional.length >= 2 && namesOf(model, c.positional[0]).some((q) => /^OpenSSL\.crypto\.TYPE_(RSA|DSA)$/.test(q)))
          return tooSmall(c, c.positional[1], 'RSA/DSA', MIN_RSA_BITS);
        // ec.generate_private_key(ec.SECP192R1()), ECC.generate(curve='P-192')
        if (names.some((q) => /^cryptography\.hazmat\.primitives\.asymmetric\.ec\.(generate_private_key|derive_private_key)$/.test(q))) {
          const curve = c.arg(names.some((q) => q.endsWith('derive_private_key')) ? 1 : 0, 'curve');
          // ec.SECT163K1() in place, the class itself, or a variable holding either (`CURVE = ec.SECT163K1()`).
          const curveName = curve ? namesOf(model, curve.type === 'call' ? curve.child('function') : curve).map((q) => q.replace(/\(\)$/, '').split('.').pop()!)[0] : undefined;
          const bits = curveName ? CURVE_BITS[curveName] : undefined;
          if (bits !== undefined && bits < MIN_EC_BITS) context.report({ node: c.node, message: `Elliptic curve ${curveName} has ${bits}-bit keys (at least ${MIN_EC_BITS} needed)` });
          return;
        }
        if (names.some((q) => /^Crypto\.PublicKey\.ECC\.generate$/.test(q))) {
          const curve = model.constString(c.keywords.get('curve'));
          const bits = curve ? CURVE_BITS[curve] : undefined;
          if (bits !== undefined && bits < MIN_EC_BITS) context.report({ node: c.node, message: `Elliptic curve ${curve} has ${bits}-bit keys (at least ${MIN_EC_BITS} needed)` });
        }
      },
    };
  },
});
