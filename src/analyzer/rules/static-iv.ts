import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames, isFixedBytes, namesOf, sourceMentions, walkValue } from './value-flow.js';

const PYCRYPTO_CIPHER = /^Crypto\.Cipher\.(AES|DES|DES3|ARC2|Blowfish|CAST|ChaCha20|ChaCha20_Poly1305|Salsa20)\.new$/;
/** cryptography's modes and which argument is the IV or nonce. */
const HAZMAT_MODE = /^cryptography\.hazmat\.primitives\.ciphers\.modes\.(CBC|CFB|CFB8|OFB|CTR|GCM|XTS)$/;
const HAZMAT_AEAD = /^cryptography\.hazmat\.primitives\.ciphers\.aead\.(AESGCM|AESCCM|ChaCha20Poly1305|AESOCB3|AESSIV|AESGCMSIV)$/;
const PRNG = /^(random|numpy\.random)\.(random|randint|randrange|choice|choices|sample|getrandbits|randbytes|uniform)$/;

/** Modes where the IV must be unpredictable (CBC) rather than merely unique (CTR, GCM). */
const UNPREDICTABLE_IV_MODES = /MODE_(CBC|CFB|OFB|OPENPGP)$|^CBC$|^CFB8?$|^OFB$/;

type IvProblem = 'constant' | 'prng' | 'key';

/** Why an IV or nonce is not fresh and random, if it is not. */
function ivProblem(model: ModuleModel, iv: PyNode, key: PyNode | undefined): IvProblem | undefined {
  if (iv.type === 'none') return undefined;
  if (isFixedBytes(model, iv)) return 'constant';
  let problem: IvProblem | undefined;
  walkValue(model, iv, (n) => {
    if (problem) return false;
    if (n.type === 'call') {
      const info = model.call(n);
      if (info && callNames(model, info).some((q) => PRNG.test(q))) problem = 'prng';
      if (info && callNames(model, info).some((q) => /^(os\.urandom|secrets\.|Crypto\.Random\.)/.test(q))) return false;
    }
    // The key doubling as IV (`iv = key[:16]`).
    if (key && n.type === 'identifier' && key.type === 'identifier' && n.text === key.text && n !== key) problem = 'key';
    return true;
  });
  return problem;
}

export default defineRule({
  meta: {
    id: 'py/static-iv',
    cwes: [1204, 329],
    severity: 'high',
    confidence: 'high',
    message: 'Encryption with a constant or predictable IV/nonce',
    fixHint:
      "Generate a fresh random IV or nonce for every encryption (iv = os.urandom(16) or get_random_bytes(16); 12 bytes for GCM) and send it alongside the ciphertext; never use a constant, the key, or the random module.",
    doc: 'CBC needs an unpredictable IV and CTR, GCM and other stream-like modes need a nonce that never repeats under the same key. A constant IV makes equal plaintexts encrypt to equal ciphertexts and, with CTR or GCM, lets an attacker recover plaintext and forge messages; an IV derived from the key or from the random module is guessable.',
  },
  check(context) {
    const { model } = context;
    const report = (c: CallInfo, problem: IvProblem, mode: string | undefined, what: string): void => {
      const cbc = mode !== undefined && UNPREDICTABLE_IV_MODES.test(mode);
      const nonceMode = mode !== undefined && /(CTR|GCM|EAX|CCM|OCB|SIV|ChaCha|Salsa|AESGCM|AESCCM|Poly1305)/.test(mode);
      const message =
        problem === 'constant'
          ? `Constant ${what}${mode ? ` in ${mode.replace(/^MODE_/, '')} mode` : ''}`
          : problem === 'key'
            ? `The key is reused as the ${what}`
            : `${what[0]!.toUpperCase()}${what.slice(1)} from the non-cryptographic random module`;
      const cwes = problem === 'constant' && nonceMode ? [323, 1204] : cbc || problem !== 'constant' ? [329, 1204] : [1204, 329];
      context.report({ node: c.node, message, cwes });
    };
    // Every cipher, mode and AEAD name below is PyCryptodome's (`Crypto.`, `Cryptodome.`) or
    // cryptography's: a module whose text never says `rypto` has none of them (see `sourceMentions`).
    let crypto: boolean | undefined;
    return {
      call(c) {
        if (!(crypto ??= sourceMentions(model, /rypto/))) return;
        const names = callNames(model, c);
        if (names.some((q) => PYCRYPTO_CIPHER.test(q))) {
          const modeNode = c.arg(1, 'mode');
          const mode = modeNode ? namesOf(model, modeNode).map((q) => q.split('.').pop()!).find((m) => m.startsWith('MODE_')) : names.find((q) => /ChaCha|Salsa/.test(q))?.split('.')[2];
          const iv = c.keywords.get('iv') ?? c.keywords.get('IV') ?? c.keywords.get('nonce') ?? c.positional[2];
          if (!iv) return;
          const problem = ivProblem(model, iv, c.arg(0, 'key'));
          if (problem) report(c, problem, mode, c.keywords.has('nonce') || /CTR|GCM|EAX|CCM|OCB|SIV/.test(mode ?? '') ? 'nonce' : 'IV');
          return;
        }
        const hazmat = names.map((q) => HAZMAT_MODE.exec(q)?.[1]).find(Boolean);
        if (hazmat) {
          const iv = c.arg(0, hazmat === 'CTR' ? 'nonce' : hazmat === 'XTS' ? 'tweak' : hazmat === 'GCM' ? 'initialization_vector' : 'initialization_vector');
          if (!iv) return;
          const problem = ivProblem(model, iv, undefined);
          if (problem) report(c, problem, hazmat, hazmat === 'CTR' || hazmat === 'GCM' ? 'nonce' : 'IV');
          return;
        }
        // AESGCM(key).encrypt(nonce, data, aad)
        if ((c.method === 'encrypt' || c.method === 'decrypt') && c.receiver) {
          const owner = namesOf(model, c.receiver).map((q) => HAZMAT_AEAD.exec(q.replace(/\(\)$/, ''))?.[1]).find(Boolean);
          const nonce = c.arg(0, 'nonce');
          if (owner && c.method === 'encrypt' && nonce) {
            const problem = ivProblem(model, nonce, undefined);
            if (problem) report(c, problem, owner, 'nonce');
          }
        }
      },
    };
  },
});
