import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames, namesOf } from './value-flow.js';

/** Block and stream ciphers that are broken or too weak for new code. */
const BROKEN: Array<[RegExp, string]> = [
  [/^Crypto\.Cipher\.DES\.new$/, 'DES'],
  [/^Crypto\.Cipher\.DES3\.new$/, 'Triple DES'],
  [/^Crypto\.Cipher\.ARC2\.new$/, 'RC2'],
  [/^Crypto\.Cipher\.ARC4\.new$/, 'RC4'],
  [/^Crypto\.Cipher\.Blowfish\.new$/, 'Blowfish'],
  [/^Crypto\.Cipher\.CAST\.new$/, 'CAST'],
  [/^Crypto\.Cipher\.XOR\.new$/, 'XOR'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.TripleDES$/, 'Triple DES'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.ARC4$/, 'RC4'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.Blowfish$/, 'Blowfish'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.IDEA$/, 'IDEA'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.CAST5$/, 'CAST5'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.SEED$/, 'SEED'],
  [/^cryptography\.hazmat\.(primitives|decrepit)\.ciphers\.algorithms\.RC2$/, 'RC2'],
  [/^pyDes\.(des|triple_des)$/, 'DES'],
];

/** pycryptodome / PyCrypto ciphers whose `new(key, mode, ...)` takes a mode. */
const MODE_CIPHERS = /^Crypto\.Cipher\.(AES|DES|DES3|ARC2|Blowfish|CAST)\.new$/;
const ECB_MODE = /(^|\.)MODE_ECB$/;

export default defineRule({
  meta: {
    id: 'py/weak-cipher',
    cwes: [327],
    severity: 'high',
    confidence: 'high',
    message: 'Broken or risky encryption algorithm',
    fixHint:
      'Use AES in an authenticated mode with a fresh random nonce, e.g. cryptography\'s AESGCM(key).encrypt(os.urandom(12), data, None) or Fernet, or pycryptodome AES.new(key, AES.MODE_GCM); do not use DES, 3DES, RC4, Blowfish or ECB mode.',
    doc: 'DES and RC2 keys can be searched exhaustively, RC4 output is biased, 64-bit block ciphers such as 3DES and Blowfish leak data after a few gigabytes (Sweet32), and ECB mode encrypts equal blocks to equal ciphertext so patterns in the data stay visible. Authenticated encryption (AES-GCM, ChaCha20-Poly1305, Fernet) protects both secrecy and integrity.',
    bandit: ['B304', 'B305'],
  },
  check(context) {
    const { model } = context;
    const check = (c: CallInfo): void => {
      const names = callNames(model, c);
      if (c.method !== 'encrypt' && c.method !== 'decrypt' && !names.some((q) => /^(Crypto|cryptography|pyDes)\./.test(q))) return;
      for (const [pattern, label] of BROKEN)
        if (names.some((q) => pattern.test(q))) return context.report({ node: c.node, message: `${label} is a broken or weak cipher` });
      // ECB mode: AES.new(key, AES.MODE_ECB), modes.ECB()
      if (names.some((q) => /^cryptography\.hazmat\.primitives\.ciphers\.modes\.ECB$/.test(q))) return context.report({ node: c.node, message: 'ECB mode encrypts equal blocks to equal ciphertext' });
      if (names.some((q) => MODE_CIPHERS.test(q))) {
        const mode = c.arg(1, 'mode');
        if (mode && (namesOf(model, mode).some((q) => ECB_MODE.test(q)) || model.constValue(mode) === 1))
          return context.report({ node: c.node, message: 'ECB mode encrypts equal blocks to equal ciphertext' });
        if (!mode && !c.hasSplat && c.positional.length === 1 && names.some((q) => /AES/.test(q)))
          context.report({ node: c.node, message: 'AES.new() without a mode: PyCrypto defaults to ECB (pycryptodome requires a mode)', confidence: 'medium' });
      }
      // RSA encryption with PKCS#1 v1.5 padding (Bleichenbacher's attack).
      if (names.some((q) => /^Crypto\.Cipher\.PKCS1_v1_5\.new$/.test(q)))
        context.report({ node: c.node, message: 'RSA encryption with PKCS#1 v1.5 padding is open to padding-oracle attacks; use PKCS1_OAEP', cwes: [780, 327], confidence: 'medium' });
      if ((c.method === 'encrypt' || c.method === 'decrypt') && c.positional.some((a) => a.type === 'call' && namesOf(model, a.child('function')).some((q) => /asymmetric\.padding\.PKCS1v15$/.test(q))))
        context.report({ node: c.node, message: 'RSA encryption with PKCS#1 v1.5 padding is open to padding-oracle attacks; use padding.OAEP', cwes: [780, 327], confidence: 'medium' });
    };
    return { call: check };
  },
});
