import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { allHashedData, BROKEN_ALGORITHMS, constructorOfReceiver, hashConstructor, hashUse } from './hash-functions.js';
import { isPasswordName, nameWords } from './secret-names.js';
import { nameOfNode, readableSecretIn } from './sensitive-values.js';
import { callNames, constNumber, isFixedBytes, namesOf, sourceMentions, targetName, walkValue } from './value-flow.js';

/** Below this many PBKDF2 iterations a GPU tries millions of guesses per second. */
const MIN_PBKDF2_ITERATIONS = 10_000;
/** scrypt's N below 2**14 (the 2009 interactive-login recommendation). */
const MIN_SCRYPT_N = 2 ** 14;
const MIN_BCRYPT_ROUNDS = 10;

const RANDOM_SOURCES = /^(os\.urandom|secrets\.|uuid\.uuid4|Crypto\.Random\.|bcrypt\.gensalt|random\.SystemRandom)/;
const PRNG = /^(random|numpy\.random)\.(random|randint|randrange|choice|choices|sample|getrandbits|randbytes|uniform|shuffle)$/;

/** Fast or broken schemes of passlib, werkzeug and Django. */
const WEAK_SCHEMES = /^(plain|md5|sha1|sha256|sha512|unsalted_md5|unsalted_sha1|md5_crypt|des_crypt|bsdi_crypt|bigcrypt|crypt16|lmhash|nthash|ldap_md5|ldap_sha1|ldap_plaintext|hex_md5|hex_sha1|hex_sha256|hex_sha512|mysql323|mysql41|oracle10|postgres_md5|msdcc|plaintext)$/i;

/** `hash`, `hashed` or `digest` somewhere in a name: necessary for one of its words to be one. */
const HASH_WORD = /hash|digest/i;

/** `rypt`: crypt, bcrypt, cryptography, Crypto, Cryptodome. */
const HASHING_WORDS = /hashlib|rypt|werkzeug|django|passlib/;
const HASHING_LIBRARY = /^(hashlib|cryptography|Crypto|bcrypt|crypt|werkzeug|django|passlib)\./;

/** Whether one of a call's names matches. */
function anyName(names: readonly string[], re: RegExp): boolean {
  for (const q of names) if (re.test(q)) return true;
  return false;
}

type Salt = 'none' | 'constant' | 'predictable' | 'random';

/** How the password data of a fast hash is salted. */
function saltOf(model: ModuleModel, data: PyNode[]): Salt {
  let salt: Salt = 'none';
  let otherParts = false;
  for (const d of data) {
    walkValue(model, d, (n) => {
      const info = n.type === 'call' ? model.call(n) : undefined;
      if (info) {
        const names = callNames(model, info);
        if (names.some((q) => RANDOM_SOURCES.test(q))) {
          if (salt !== 'constant') salt = 'random';
          return false;
        }
        if (names.some((q) => PRNG.test(q))) {
          salt = 'predictable';
          return false;
        }
      }
      const name = nameOfNode(model, n);
      if (name && nameWords(name).includes('salt')) {
        if (isFixedBytes(model, n)) salt = 'constant';
        else {
          // A salt built from the random module is as guessable as a constant one.
          let prng = false;
          walkValue(model, n, (m) => {
            const mc = m.type === 'call' ? model.call(m) : undefined;
            if (mc && callNames(model, mc).some((q) => PRNG.test(q))) prng = true;
            return !prng;
          });
          if (prng) salt = 'predictable';
          else if (salt === 'none') salt = 'random';
        }
        return false;
      }
      if ((n.type === 'string' || n.type === 'concatenated_string') && model.constString(n) && salt === 'none' && n.parent?.type === 'binary_operator') salt = 'constant';
      if (n.type === 'identifier' && model.reaching(n).some((b) => b.kind === 'param') && !nameOfNode(model, n)?.match(/pass/i)) otherParts = true;
      return true;
    });
  }
  if (salt === 'none' && otherParts) return 'random';
  return salt;
}

export default defineRule({
  meta: {
    id: 'py/weak-password-hash',
    cwes: [916, 759, 760, 328],
    severity: 'high',
    confidence: 'high',
    message: 'Password hashed with a fast or unsalted hash',
    fixHint:
      "Hash passwords with a slow, salted password hash: bcrypt.hashpw(password.encode(), bcrypt.gensalt()), argon2.PasswordHasher().hash(password), werkzeug.security.generate_password_hash(password) or hashlib.scrypt(password.encode(), salt=os.urandom(16), n=2**14, r=8, p=1); store the salt with the hash.",
    doc: 'General-purpose hashes such as MD5 and SHA-256 are built to be fast, so a stolen table of password hashes can be brute-forced at billions of guesses per second; without a per-user random salt, identical passwords share a hash and precomputed tables crack them at once. Password hashing functions (bcrypt, scrypt, Argon2, PBKDF2 with many iterations) add a random salt and a tunable cost.',
    bandit: ['B303', 'B324'],
  },
  check(context) {
    const { model } = context;
    // Every finding needs a hash or password-hashing call: hashlib, bcrypt, crypt,
    // cryptography, PyCryptodome (`Crypto.`, `Cryptodome.`), werkzeug, Django or passlib names,
    // which a module whose text never spells those words cannot have (see `sourceMentions`).
    let hashing: boolean | undefined;
    const mayHash = (): boolean => (hashing ??= sourceMentions(model, HASHING_WORDS));

    const fastHash = (c: CallInfo): void => {
      const use = hashUse(model, c);
      if (!use?.data) return;
      const hit = readableSecretIn(model, use.data, ['password']);
      if (!hit) return;
      const alg = use.algorithm === 'unknown' ? 'a fast hash' : use.algorithm.toUpperCase();
      const broken = BROKEN_ALGORITHMS.has(use.algorithm);
      const extra = broken ? [522] : [];
      const salt = saltOf(model, allHashedData(model, use.constructor));
      if (salt === 'none') context.report({ node: c.node, message: `Password hashed with ${alg} and no salt`, cwes: [759, 328, ...extra] });
      else if (salt === 'constant') context.report({ node: c.node, message: `Password hashed with ${alg} and a constant salt`, cwes: [760, 328, ...extra] });
      else if (salt === 'predictable') context.report({ node: c.node, message: `Password hashed with ${alg} and a salt from the non-cryptographic random module`, cwes: [760, 328, ...extra] });
      else
        context.report({
          node: c.node,
          message: `Password hashed with ${alg}, a fast hash: even salted it can be brute-forced`,
          cwes: [916, 328, ...extra],
          confidence: broken ? 'high' : 'medium',
        });
    };

    const constantSalt = (c: CallInfo, salt: PyNode | undefined): boolean => {
      if (!salt || salt.type === 'none') return false;
      if (isFixedBytes(model, salt)) {
        context.report({ node: c.node, message: 'Password hash uses a constant salt', cwes: [760] });
        return true;
      }
      return false;
    };
    const lowCost = (c: CallInfo, value: PyNode | undefined, min: number, what: string): void => {
      const n = constNumber(model, value);
      if (n !== undefined && n < min) context.report({ node: c.node, message: `${what} ${n} is too low for password hashing (use at least ${min})`, cwes: [916], confidence: 'medium' });
    };

    /**
     * A value stored as a password (`user.password = ...`, `User(password=...)`,
     * `user.setPassword(...)`) that is the digest of a fast hash over variable data: the
     * stored password is an MD5/SHA digest whatever the hashed variable is called.
     */
    const storedDigest = (at: PyNode, value: PyNode | undefined, where: string, confidence: 'high' | 'medium' = 'high'): void => {
      if (!mayHash()) return;
      const ctor = digestBehind(value);
      if (!ctor) return;
      const algorithm = hashConstructor(model, ctor)?.algorithm ?? 'unknown';
      const data = allHashedData(model, ctor);
      // Constant data is no password; password-named data is reported where it is hashed.
      if (algorithm === 'unknown' || data.length === 0 || data.every((d) => model.isConstant(d)) || data.some((d) => readableSecretIn(model, d, ['password']))) return;
      const salted = saltOf(model, data) !== 'none';
      const cwes = [...(salted ? [916] : [759, 916]), ...(BROKEN_ALGORITHMS.has(algorithm) ? [328] : [])];
      context.report({ node: at, message: `${where} is a plain ${algorithm.toUpperCase()} digest${salted ? '' : ' without salt'}: a fast hash, not a password hash`, cwes, confidence });
    };
    /** The hash constructor when the value is itself a digest (`h.hexdigest()`, through variables and `.decode()`), not merely built from one. */
    const digestBehind = (value: PyNode | undefined, depth = 0): CallInfo | undefined => {
      if (!value || depth > 4) return undefined;
      if (value.type === 'identifier') {
        const bindings = model.reaching(value);
        if (bindings.length !== 1 || bindings[0]!.kind !== 'assign' || bindings[0]!.path.length) return undefined;
        return digestBehind(bindings[0]!.value, depth + 1);
      }
      if (value.type !== 'call') return undefined;
      const info = model.call(value);
      if (!info?.method) return undefined;
      if (['hexdigest', 'digest', 'finalize'].includes(info.method)) return constructorOfReceiver(model, info.receiver);
      if (['decode', 'encode', 'upper', 'lower', 'strip'].includes(info.method)) return digestBehind(info.receiver, depth + 1);
      return undefined;
    };
    /** `password`, `user_pwd`, also `password_hash` / `hashed_password` (the column a password's hash goes to). */
    const passwordNamed = (name: string | undefined): boolean => {
      if (!name) return false;
      if (isPasswordName(name)) return true;
      // Only a name with one of the hash words (lower-cased in its words) can qualify below.
      if (!HASH_WORD.test(name)) return false;
      const words = nameWords(name);
      const rest = words.filter((w) => w !== 'hash' && w !== 'hashed' && w !== 'digest');
      return rest.length < words.length && rest.length > 0 && isPasswordName(rest.join('_'));
    };

    return {
      nodes: {
        assignment(node) {
          if (!mayHash()) return;
          const name = targetName(model, node.child('left'));
          if (passwordNamed(name)) storedDigest(node, node.child('right'), `The stored password '${name}'`);
        },
        pair(node) {
          if (!mayHash()) return;
          const name = model.constString(node.child('key'));
          if (passwordNamed(name)) storedDigest(node, node.child('value'), `The password field '${name}'`);
        },
      },
      call(c) {
        if (!mayHash()) return;
        // User(password=md5(...)), user.setPassword(md5(...)); Django's set_password() hashes again, so only medium.
        for (const [k, v] of c.keywords) if (passwordNamed(k)) storedDigest(v.parent ?? v, v, `The password passed as ${k}=`);
        if (c.method && /^set_?password$/i.test(c.method)) storedDigest(c.node, c.positional[0], 'The password set here', c.method === 'set_password' ? 'medium' : 'high');
        const names = callNames(model, c);
        if (c.method !== 'update' && !anyName(names, HASHING_LIBRARY)) return;
        if (anyName(names, /^hashlib\.pbkdf2_hmac$/)) {
          if (!constantSalt(c, c.arg(2, 'salt'))) lowCost(c, c.arg(3, 'iterations'), MIN_PBKDF2_ITERATIONS, 'PBKDF2 iteration count');
          return;
        }
        if (anyName(names, /^cryptography\.hazmat\.primitives\.kdf\.pbkdf2\.PBKDF2HMAC$/)) {
          if (!constantSalt(c, c.arg(2, 'salt'))) lowCost(c, c.arg(3, 'iterations'), MIN_PBKDF2_ITERATIONS, 'PBKDF2 iteration count');
          return;
        }
        if (anyName(names, /^Crypto\.Protocol\.KDF\.PBKDF2$/)) {
          if (!constantSalt(c, c.arg(1, 'salt'))) lowCost(c, c.arg(3, 'count'), MIN_PBKDF2_ITERATIONS, 'PBKDF2 iteration count');
          return;
        }
        if (anyName(names, /^hashlib\.scrypt$/) || anyName(names, /^cryptography\.hazmat\.primitives\.kdf\.scrypt\.Scrypt$/)) {
          if (!constantSalt(c, c.keywords.get('salt') ?? (anyName(names, /Scrypt$/) ? c.positional[0] : undefined))) lowCost(c, c.keywords.get('n'), MIN_SCRYPT_N, 'scrypt cost n');
          return;
        }
        if (anyName(names, /^bcrypt\.hashpw$/)) {
          constantSalt(c, c.arg(1, 'salt'));
          return;
        }
        if (anyName(names, /^bcrypt\.gensalt$/)) return lowCost(c, c.arg(0, 'rounds'), MIN_BCRYPT_ROUNDS, 'bcrypt cost');
        if (anyName(names, /^crypt\.(crypt|mksalt)$/)) {
          // crypt.METHOD_CRYPT is DES crypt (8-character passwords, 12-bit salt); METHOD_MD5 is md5-crypt.
          const method = anyName(names, /^crypt\.mksalt$/) ? c.arg(0, 'method') : c.arg(1, 'salt');
          const weak = method ? namesOf(model, method).map((q) => /^crypt\.METHOD_(CRYPT|MD5)$/.exec(q)?.[1]).find(Boolean) : undefined;
          if (weak) return context.report({ node: c.node, message: `crypt.METHOD_${weak} (${weak === 'MD5' ? 'md5-crypt' : 'DES crypt'}) is too weak to hash passwords; use METHOD_SHA512 or bcrypt/argon2`, cwes: [916, 328] });
          if (anyName(names, /^crypt\.crypt$/)) constantSalt(c, c.arg(1, 'salt'));
          return;
        }
        if (anyName(names, /^werkzeug\.security\.generate_password_hash$/)) {
          const method = model.constString(c.arg(1, 'method'));
          if (method && WEAK_SCHEMES.test(method.split(':')[0]!)) context.report({ node: c.node, message: `generate_password_hash with method '${method}' is not a password hash`, cwes: [916] });
          else if (method) {
            const m = /^pbkdf2:[^:]+:(\d+)$/.exec(method);
            if (m && Number(m[1]) < MIN_PBKDF2_ITERATIONS) context.report({ node: c.node, message: `PBKDF2 iteration count ${m[1]} is too low for password hashing`, cwes: [916], confidence: 'medium' });
          }
          constantSalt(c, c.keywords.get('salt'));
          return;
        }
        if (anyName(names, /^django\.contrib\.auth\.hashers\.make_password$/)) {
          const hasher = model.constString(c.arg(2, 'hasher'));
          if (hasher && WEAK_SCHEMES.test(hasher)) context.report({ node: c.node, message: `make_password with the '${hasher}' hasher is not a password hash`, cwes: hasher.startsWith('unsalted') ? [759] : [916] });
          else constantSalt(c, c.arg(1, 'salt'));
          return;
        }
        const scheme = names.map((q) => /^passlib\.hash\.(\w+)\.(hash|encrypt)$/.exec(q)?.[1]).find(Boolean);
        if (scheme && WEAK_SCHEMES.test(scheme)) return context.report({ node: c.node, message: `passlib ${scheme} is not a safe password hash`, cwes: [916] });
        fastHash(c);
      },
    };
  },
});
