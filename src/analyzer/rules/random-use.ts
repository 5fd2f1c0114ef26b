// When a value from Python's `random` module (a Mersenne Twister, predictable from its
// output) is used where unpredictability matters: tokens, keys, passwords, session ids.
// Shared by py/insecure-random and py/predictable-seed. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { nameWords } from './secret-names.js';
import { qualifiedToken, tokensAreCredentials } from './sensitive-values.js';
import { callNames, constNumber, namesOf } from './value-flow.js';

const PRNG_FUNCTIONS = 'random|randint|randrange|choice|choices|sample|getrandbits|randbytes|uniform|shuffle|triangular|gauss|normalvariate|expovariate|betavariate';
const MODULE_PRNG = new RegExp(`^random\\.(${PRNG_FUNCTIONS})$`);
const NUMPY_PRNG = /^numpy\.random\.(rand|randn|randint|random|random_sample|choice|bytes|permutation|shuffle|default_rng\(\)\.\w+)$/;
const INSTANCE_PRNG = new RegExp(`^random\\.Random(\\(\\))?\\.(${PRNG_FUNCTIONS})$`);

/** Words naming values that must be unpredictable. */
const SECURITY_WORDS = new Set([
  'token',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'key',
  'apikey',
  'salt',
  'nonce',
  'iv',
  'otp',
  'totp',
  'session',
  'sessionid',
  'sid',
  'csrf',
  'xsrf',
  'pin',
  'auth',
  'cookie',
  'captcha',
  'verification',
  'activation',
  'invite',
  'reset',
  'secure',
  'crypto',
  'cryptographic',
  'signature',
  'credential',
  'credentials',
]);

/** Crypto and session APIs: a random value handed to them is key material. */
const SECURITY_SINKS = /^(Crypto\.|cryptography\.|hmac\.|jwt\.|nacl\.|itsdangerous\.|hashlib\.pbkdf2_hmac|hashlib\.scrypt|bcrypt\.)/;

/** A call to the non-cryptographic generator (module functions, `random.Random()`, numpy). */
export function isPrngCall(model: ModuleModel, call: CallInfo): boolean {
  const names = callNames(model, call);
  // Every generator pattern below starts with `random.` or `numpy.random.`.
  if (!names.some((q) => q.startsWith('random.') || q.startsWith('numpy.random.'))) return false;
  if (names.some((q) => q.includes('SystemRandom'))) return false;
  return names.some((q) => MODULE_PRNG.test(q) || NUMPY_PRNG.test(q) || INSTANCE_PRNG.test(q));
}

export function isSecurityName(name: string | undefined, tokensCount = true): boolean {
  if (!name) return false;
  const words = nameWords(name);
  if (words.some((w) => SECURITY_WORDS.has(w) && (w !== 'token' || tokensCount || qualifiedToken(name)))) return true;
  const compact = words.join('');
  return /(sessionid|apikey|authtoken|accesstoken|resettoken|secretkey|privatekey)/.test(compact);
}

/** A population that is an alphabet: a literal string or `string.ascii_letters` and friends. */
function isAlphabet(model: ModuleModel, node: PyNode | undefined): boolean {
  if (!node) return false;
  const v = model.constValue(node);
  if (typeof v === 'string') return v.length >= 2;
  if (node.type === 'binary_operator') return isAlphabet(model, node.child('left')) || isAlphabet(model, node.child('right'));
  if (node.type === 'parenthesized_expression') return isAlphabet(model, node.namedChildren[0]);
  if (namesOf(model, node).some((q) => /^string\.(ascii_letters|ascii_lowercase|ascii_uppercase|digits|hexdigits|octdigits|punctuation|printable|letters)$/.test(q))) return true;
  if (node.type === 'identifier')
    return model.reaching(node).some((b) => b.kind === 'assign' && !b.path.length && !b.element && isAlphabet(model, b.value));
  return false;
}

export interface SecurityUse {
  reason: string;
  confidence: 'high' | 'medium';
}

const MAX_HOPS = 40;

/**
 * Why a PRNG call's result is security-relevant, if it is: it makes a random string from an
 * alphabet (a token), it is wide enough to be key material, or it flows (through
 * expressions, variables and returns) to a name or API that wants an unpredictable value.
 */
export function securityUse(model: ModuleModel, call: CallInfo): SecurityUse | undefined {
  const names = callNames(model, call);
  const fn = names.map((q) => q.split('.').pop()!).find(Boolean) ?? '';
  if ((fn === 'choice' || fn === 'choices' || fn === 'sample') && isAlphabet(model, call.arg(0, 'population') ?? call.arg(0, 'seq'))) {
    if (joinedIntoString(call.node)) return { reason: 'a random string built with the random module', confidence: 'high' };
  }
  const named = flowsToSecurityUse(model, call.node);
  if (named) return named;
  if (fn === 'getrandbits' && (constNumber(model, call.arg(0, 'k')) ?? 0) >= 128) return { reason: 'key-sized random bits from the random module', confidence: 'medium' };
  if (fn === 'randbytes' && (constNumber(model, call.arg(0, 'n')) ?? 0) >= 16) return { reason: 'key-sized random bytes from the random module', confidence: 'medium' };
  return undefined;
}

/** The value ends up inside `''.join(...)` (directly or through a comprehension). */
function joinedIntoString(node: PyNode): boolean {
  for (let p = node.parent, hops = 0; p && hops < 8; p = p.parent, hops++) {
    if (p.type === 'call') {
      const fn = p.child('function');
      if (fn?.type === 'attribute' && fn.child('attribute')?.text === 'join') return true;
    }
    if (p.type === 'expression_statement' || p.type === 'return_statement' || p.type === 'assignment' || p.type === 'block') return false;
  }
  return false;
}

/**
 * Follows a value forward (through expressions, assignments, variables and returns) until it
 * reaches a name or API that wants an unpredictable value. `accept` narrows which names count.
 */
export function flowsToSecurityUse(model: ModuleModel, start: PyNode, accept?: (name: string) => boolean): SecurityUse | undefined {
  const tokens = tokensAreCredentials(model);
  const securityName = (name: string | undefined): boolean => isSecurityName(name, tokens) && (!accept || accept(name!));
  const queue: PyNode[] = [start];
  const seen = new Set<number>();
  let hops = 0;
  while (queue.length && hops++ < MAX_HOPS) {
    const node = queue.shift()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    let child = node;
    for (let p = node.parent; p; child = p, p = p.parent) {
      if (p.type === 'keyword_argument') {
        const name = p.child('name')?.text;
        if (securityName(name)) return { reason: `passed as ${name}=`, confidence: 'high' };
        continue;
      }
      if (p.type === 'pair' && p.child('value') === child) {
        const key = model.constString(p.child('key'));
        if (securityName(key)) return { reason: `stored under '${key}'`, confidence: 'high' };
        continue;
      }
      if (p.type === 'argument_list') continue;
      if (p.type === 'call') {
        const info = model.call(p);
        if (info) {
          const names = callNames(model, info);
          if (names.some((q) => SECURITY_SINKS.test(q))) return { reason: `passed to ${names[0]}`, confidence: 'high' };
          if (info.method === 'set_cookie' || info.method === 'set_signed_cookie') return { reason: 'stored in a cookie', confidence: 'high' };
          if (names.some((q) => /^(len|bool|isinstance|print|logging\.|time\.sleep|range)/.test(q))) break;
        }
        continue;
      }
      if (p.type === 'return_statement') {
        const fn = model.enclosingFunction(p);
        if (fn && securityName(fn.name)) return { reason: `returned by ${fn.name}()`, confidence: 'high' };
        break;
      }
      if (p.type === 'assignment' || p.type === 'augmented_assignment') {
        const left = p.child('left');
        if (!left || left.contains(child)) break;
        const name = left.type === 'identifier' ? left.text : left.type === 'attribute' ? left.child('attribute')?.text : left.type === 'subscript' ? model.constString(left.child('subscript')) : undefined;
        if (securityName(name)) return { reason: `assigned to ${name}`, confidence: 'high' };
        // Follow the variable to its uses in the same scope.
        if (left.type === 'identifier') queue.push(...usesOf(model, left));
        break;
      }
      if (p.type === 'expression_statement' || p.type === 'block' || p.type === 'module' || p.type === 'if_statement' || p.type === 'while_statement' || p.type === 'comparison_operator') break;
    }
  }
  return undefined;
}

/** Identifiers that read the value bound at `target`. */
function usesOf(model: ModuleModel, target: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const scope = model.scopeOf(target);
  for (const id of model.byType('identifier')) {
    if (id === target || id.text !== target.text || !scope.node.contains(id)) continue;
    if (model.reaching(id).some((b) => b.node === target)) out.push(id);
  }
  return out;
}

/** True when some call of the generator family (`random` or `numpy`) in the module is used for security. */
export function moduleUsesPrngForSecurity(model: ModuleModel, family: 'random' | 'numpy'): boolean {
  return model.calls.some((c) => isPrngCall(model, c) && callNames(model, c).some((q) => q.startsWith(`${family}.`)) && securityUse(model, c) !== undefined);
}
