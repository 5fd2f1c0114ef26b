// Finds secrets inside values: a raw password or token that reaches a hash, a log line, a
// cookie or a comparison, by the names it travels under. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { secretKindOfName, type SecretKind } from './secret-names.js';
import { callNames, walkValue } from './value-flow.js';

/** Calls whose result no longer reveals their input: hashes, KDFs, lengths, checks. */
const ONE_WAY = /^(hashlib\.|hmac\.|bcrypt\.|argon2\.|scrypt\.|passlib\.|crypt\.crypt$|Crypto\.Hash\.|Crypto\.Protocol\.KDF\.|cryptography\.hazmat\.primitives\.(hashes|kdf)|werkzeug\.security\.|django\.contrib\.auth\.hashers\.|flask_bcrypt\.|secrets\.compare_digest$|len$|bool$|int$|isinstance$|type$|re\.|zxcvbn)/;
/** Method names that produce a digest or check from a value. */
const ONE_WAY_METHODS = new Set(['hexdigest', 'digest', 'hash', 'hashpw', 'generate_password_hash', 'check_password_hash', 'checkpw', 'verify', 'encrypt', 'make_password', 'set_password', 'check_password', 'isdigit', 'isalpha', 'isalnum', 'isupper', 'islower', 'startswith', 'endswith', 'count', 'find', 'index']);

/** Calls that pass their input's text through (string building, encodings, containers). */
const TRANSPARENT_CALLS = /^(str|repr|bytes|bytearray|format|dict|list|tuple|set|frozenset|sorted|reversed|base64\.|binascii\.|codecs\.|json\.dumps$|urllib\.parse\.|html\.escape$|markupsafe\.|shlex\.quote$|textwrap\.)/;
const TRANSPARENT_METHODS = new Set(['encode', 'decode', 'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'casefold', 'title', 'format', 'format_map', 'join', 'replace', 'get', 'copy', 'split', 'rsplit', 'splitlines', 'partition', 'ljust', 'rjust', 'zfill', 'center', 'hex', 'tobytes', 'getvalue', 'getlist', 'pop', '__str__', 'values', 'items']);

/** Modules whose presence makes a bare `token` an authentication token rather than a lexer token. */
const CREDENTIAL_CONTEXT = /^(flask|django|fastapi|starlette|bottle|tornado|aiohttp|requests|httpx|urllib\.request|jwt|jose|itsdangerous|oauthlib|authlib|requests_oauthlib|secrets|hmac|boto3|botocore|github|slack_sdk|slack|openai|telegram|discord|tweepy|stripe|twilio|google\.oauth2|msal)(\.|$)/;

/** In this module, is a value called `token` a credential? (Not in a tokenizer or a MIME writer.) */
export function tokensAreCredentials(model: ModuleModel): boolean {
  // Asked for every logged argument: answered once per module.
  let answer = tokensMemo.get(model);
  if (answer === undefined) {
    answer = false;
    for (const q of model.imported)
      if (CREDENTIAL_CONTEXT.test(q)) {
        answer = true;
        break;
      }
    tokensMemo.set(model, answer);
  }
  return answer;
}

const tokensMemo = new WeakMap<ModuleModel, boolean>();

/** `auth_token`, `csrfToken`: a name that says which credential the token is. */
export function qualifiedToken(name: string): boolean {
  return /(access|auth|api|bearer|refresh|session|csrf|xsrf|oauth|jwt|reset|verification|github|slack|bot|secret|private|personal|id)_?token/i.test(name.replace(/[^A-Za-z_]/g, ''));
}

/** `pwd = os.getcwd()`: the Unix meaning of pwd, not a password. */
function isWorkingDirectory(model: ModuleModel, n: PyNode): boolean {
  if (n.type !== 'identifier' || !/^pwd$/i.test(n.text)) return false;
  return model.reaching(n).some((b) => b.kind === 'assign' && /getcwd|cwd\(\)|environ|PWD/.test(b.value.text));
}

export interface SecretHit {
  /** The node whose name marks the secret (identifier, attribute, subscript, `.get('password')`). */
  node: PyNode;
  kind: SecretKind;
  /** The name that marks it. */
  name: string;
  /** It went through base64 (an encoding, not protection) on the way. */
  encoded: boolean;
}

/** The name a node gives its value, for secret classification. */
export function nameOfNode(model: ModuleModel, n: PyNode): string | undefined {
  switch (n.type) {
    case 'identifier':
      return n.text;
    case 'attribute':
      return n.child('attribute')?.text;
    case 'subscript':
      return model.constString(n.child('subscript'));
    case 'call': {
      const info = model.call(n);
      return info ? callName(model, info) : undefined;
    }
    default:
      return undefined;
  }
}

const GETTER = /^(get|read|load|fetch|retrieve|lookup|obtain)_?(.+)$/i;

/** The name a call gives its result: the key of `.get('password')`, `password` of `get_password()`. */
function callName(model: ModuleModel, info: CallInfo): string | undefined {
  const method = info.method;
  if (method === 'get' || method === 'getlist' || method === 'pop' || method === 'getvalue' || method === 'get_argument') return model.constString(info.positional[0]);
  // get_password(), keyring.get_password(...), load_api_key(): a getter named after what it returns.
  const callee = method ?? (info.callee.type === 'identifier' ? info.callee.text : undefined);
  const getter = callee ? GETTER.exec(callee) : null;
  return getter ? getter[2] : undefined;
}

/** True when the call turns its input into something that does not reveal it (a hash, a length). */
export function isOneWay(model: ModuleModel, call: PyNode): boolean {
  const info = model.call(call);
  return !!info && isOneWayCall(model, info);
}

function isOneWayCall(model: ModuleModel, info: CallInfo): boolean {
  if (info.method && ONE_WAY_METHODS.has(info.method)) return true;
  return anyName(callNames(model, info), ONE_WAY);
}

function anyName(names: readonly string[], re: RegExp): boolean {
  for (let i = 0; i < names.length; i++) if (re.test(names[i]!)) return true;
  return false;
}

const ENCODING_MODULE = /^(base64|binascii|codecs)\./;
const OPAQUE_LIBRARY = /^(requests|httpx|aiohttp|urllib3?|socket|subprocess|os|shutil|boto3|smtplib|ftplib)\./;
const SECRETISH = /pass|pwd|secret|token/i;

/**
 * The first secret of one of `kinds` that a value carries in readable form: it stops at
 * hashes and other one-way calls, and at names that say the value is a hash, a length or a
 * label (`hashed_password`, `password_len`).
 */
export function readableSecretIn(model: ModuleModel, expr: PyNode | undefined, kinds: readonly SecretKind[] = ['password'], depth = 0): SecretHit | undefined {
  if (!expr) return undefined;
  let hit: SecretHit | undefined;
  let encoded = false;
  const tokens = kinds.includes('token') && tokensAreCredentials(model);
  walkValue(model, expr, (n) => {
    if (hit) return false;
    const type = n.type;
    if (type === 'comparison_operator' || type === 'not_operator' || type === 'lambda') return false;
    const info = type === 'call' ? model.call(n) : undefined;
    if (info && isOneWayCall(model, info)) return false;
    // A module (`secrets.token_hex()`) is not data, whatever its name.
    if (type === 'identifier' && isImportedName(model, n)) return true;
    const name = info ? callName(model, info) : nameOfNode(model, n);
    if (name !== undefined) {
      const kind = secretKindOfName(name);
      if (kind && kinds.includes(kind) && (kind !== 'token' || tokens || qualifiedToken(name)) && !isWorkingDirectory(model, n)) {
        hit = { node: n, kind, name, encoded };
        return false;
      }
      // `hashed_password = ...`, `password_length`: named as something else than the secret.
      if (kind === undefined && type === 'identifier' && SECRETISH.test(name)) return false;
    }
    if (type === 'call') {
      // Only calls that pass text through keep the secret readable; an HTTP call's result does not carry it.
      if (!info) return false;
      const names = callNames(model, info);
      if (anyName(names, ENCODING_MODULE)) encoded = true;
      // A function of this module: what it returns (its arguments are not mapped to its parameters).
      let local: PyNode | undefined;
      for (let i = 0; i < names.length && !local; i++) {
        const d = model.localDefinition(names[i]!);
        if (d?.type === 'function_definition') local = d;
      }
      if (local) {
        if (depth < 3) for (const r of model.functionInfo(local)?.returns ?? []) hit ??= readableSecretIn(model, r, kinds, depth + 1);
        return false;
      }
      const library = anyName(names, OPAQUE_LIBRARY);
      const transparent = !library && ((info.method !== undefined && TRANSPARENT_METHODS.has(info.method)) || anyName(names, TRANSPARENT_CALLS));
      if (!transparent) return false;
    }
    return true;
  });
  return hit;
}

function isImportedName(model: ModuleModel, n: PyNode): boolean {
  const bindings = model.reaching(n);
  for (let i = 0; i < bindings.length; i++) if (bindings[i]!.kind === 'import') return true;
  return false;
}

/** Every credential kind but the ambiguous bare `key`. */
export const CREDENTIAL_KINDS: readonly SecretKind[] = ['password', 'secret', 'token', 'api-key'];
