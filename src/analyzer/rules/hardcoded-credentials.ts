import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { isCredentialPlaceholder, isNonSecretLiteral, looksLikeKnownSecret, looksRandom, mayBeKnownSecret, secretKindOfName, type SecretKind } from './secret-names.js';
import { qualifiedToken, tokensAreCredentials } from './sensitive-values.js';
import { callNames, isFixedBytes, targetName } from './value-flow.js';

/** Where a call takes its password positionally: qualified name (or `*.method`) → index. */
const PASSWORD_POSITION: Array<[pattern: RegExp, index: number]> = [
  [/^(MySQLdb|pymysql)\.connect$/, 2],
  [/^ftplib\.FTP(_TLS)?$/, 2],
  [/^ldap3\.Connection$/, 2],
  [/^paramiko\.SSHClient\.connect$/, 3],
  [/^requests\.auth\.HTTP(Basic|Digest|Proxy)Auth$/, 1],
  [/^(httpx|aiohttp)\.(BasicAuth|DigestAuth)$/, 1],
  [/^pika\.(credentials\.)?PlainCredentials$/, 1],
  [/^(smtplib|ftplib|imaplib|poplib|nntplib)\..*\.login$/, 1],
  [/^ldap\..*\.(simple_bind_s|simple_bind|bind_s|bind)$/, 1],
  [/^poplib\..*\.pass_$/, 0],
];

const LIBRARY_PREFIX = /^(MySQLdb|pymysql|ftplib|ldap3?|paramiko|requests|httpx|aiohttp|pika|smtplib|imaplib|poplib|nntplib|Crypto|cryptography|hmac|itsdangerous|nacl|jwt|jose)\./;

/** Keyword arguments that take a password or key, whatever the callee. */
const KEYWORD_KIND = (name: string): SecretKind | undefined => {
  if (name === 'passwd' || name === 'pwd') return 'password';
  return secretKindOfName(name);
};

/** Calls that take a secret signing or encryption key first (or as `key=`): a constant one is a hard-coded key. */
const KEY_FIRST = [
  /^Crypto\.Cipher\.(AES|DES|DES3|ARC2|ARC4|Blowfish|CAST|ChaCha20|ChaCha20_Poly1305|Salsa20)\.new$/,
  /^cryptography\.hazmat\.primitives\.ciphers\.algorithms\.\w+$/,
  /^cryptography\.hazmat\.primitives\.ciphers\.aead\.\w+$/,
  /^cryptography\.fernet\.Fernet$/,
  /^hmac\.(new|digest|HMAC)$/,
  /^cryptography\.hazmat\.primitives\.hmac\.HMAC$/,
  /^Crypto\.Hash\.HMAC\.new$/,
  /^itsdangerous\.(\w+\.)?(Serializer|URLSafeSerializer|URLSafeTimedSerializer|TimedSerializer|Signer|TimestampSigner|JSONWebSignatureSerializer)$/,
  /^nacl\.secret\.SecretBox$/,
];
/** Calls whose second argument (or `key=`) is the key: `jwt.encode(payload, key)`. */
const KEY_SECOND = [/^(jwt|jose\.jwt)\.(encode|decode)$/, /^jwt\.api_jwt\.(encode|decode)$/];

/** Settings that hold an application's signing key. */
const SIGNING_KEY_SETTINGS = /^(SECRET_KEY|secret_key|JWT_SECRET_KEY|JWT_SECRET|SECURITY_PASSWORD_SALT|WTF_CSRF_SECRET_KEY|SESSION_SECRET|SIGNING_KEY)$/;

const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/([^\s:/@{}%]+):([^\s@/{}%]+)@[^\s]+/i;

function cwesFor(kind: SecretKind | 'crypto-key'): number[] {
  if (kind === 'password') return [259, 798];
  if (kind === 'crypto-key') return [321, 798];
  return [798];
}

const FIX = {
  password:
    "Do not write passwords in code: read them at run time from the environment or a secret store (password = os.environ['DB_PASSWORD']), and compare user passwords against a salted hash from storage (bcrypt.checkpw / werkzeug.security.check_password_hash).",
  secret: "Load the token or API key at run time (api_key = os.environ['SERVICE_API_KEY'] or a secrets manager) instead of writing it in the source; revoke the value that was committed.",
  key: "Load keys at run time (key = os.environ['APP_SECRET_KEY'] or a key management service) or generate them with secrets.token_bytes(32); never embed a key in code, and rotate the one that was committed.",
};

/** A literal that could only be a real token: random-looking, a known format, a placeholder, or long and mixed. */
function tokenLike(value: string): boolean {
  return looksRandom(value) || looksLikeKnownSecret(value) || isCredentialPlaceholder(value) || (value.length >= 12 && /\d/.test(value) && /[A-Za-z]/.test(value));
}

/**
 * Expressions whose constant value can be text (`model.constValue` gives strings only for
 * these): the others (numbers, lists, attributes, subscripts...) need no constant folding.
 */
const MAY_BE_TEXT = new Set(['string', 'concatenated_string', 'parenthesized_expression', 'binary_operator', 'conditional_expression', 'identifier', 'call']);

/**
 * Whether the expression may have a constant string value that `looksLikeKnownSecret` accepts,
 * judged without constant folding where that is cheap: a plain literal (no escapes, no
 * interpolation) is its own source text, and a call has a constant text only when it is a
 * string method (`.format`, `.join`, `.upper`...) or a one-argument `str()`/`bytes()`.
 */
function mayHoldKnownSecret(model: ModuleModel, node: PyNode | undefined, depth = 0): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'string': {
      const raw = node.text;
      return raw.includes('\\') || raw.includes('{') || mayBeKnownSecret(raw);
    }
    case 'call': {
      const info = model.call(node);
      if (!info) return false;
      if (info.method !== undefined && info.receiver) return STRING_METHODS.has(info.method);
      return info.callee.type === 'identifier' && info.positional.length === 1;
    }
    // `(x)` is the value of x; `a if c else b` is constant only when both branches agree.
    case 'parenthesized_expression':
      return depth > 8 || mayHoldKnownSecret(model, node.namedChildren.find((c) => c.type !== 'comment'), depth + 1);
    case 'conditional_expression': {
      const [a, , b] = node.namedChildren;
      return depth > 8 || (mayHoldKnownSecret(model, a, depth + 1) && mayHoldKnownSecret(model, b, depth + 1));
    }
    // Only `+`, `%` and `*` make text of constants.
    case 'binary_operator': {
      const op = node.child('operator')?.text;
      return op === '+' || op === '%' || op === '*';
    }
    default:
      return MAY_BE_TEXT.has(node.type);
  }
}

/** The methods `model.constValue` folds on a constant receiver. */
const STRING_METHODS = new Set(['format', 'join', 'upper', 'lower', 'strip', 'encode', 'decode']);

/** The literal string an expression always has, when it is worth treating as a secret. */
function secretLiteral(model: ModuleModel, node: PyNode | undefined): string | undefined {
  if (!node || !MAY_BE_TEXT.has(node.type)) return undefined;
  const v = model.constValue(node);
  if (typeof v !== 'string' || isNonSecretLiteral(v)) return undefined;
  return v;
}

/**
 * A literal string, a call to a function of this module that only returns one literal, or a
 * variable assigned such a call.
 */
function literalBehind(model: ModuleModel, node: PyNode | undefined, depth = 0): string | undefined {
  const direct = secretLiteral(model, node);
  if (direct !== undefined) return direct;
  if (node?.type === 'identifier' && depth < 2) {
    const bindings = model.reaching(node);
    if (bindings.length === 1 && bindings[0]!.kind === 'assign' && !bindings[0]!.path.length) return literalBehind(model, bindings[0]!.value, depth + 1);
    return undefined;
  }
  if (node?.type !== 'call') return undefined;
  const info = model.call(node);
  if (!info || info.positional.length > 0) return undefined;
  for (const q of info.qnames) {
    const def = model.localDefinition(q);
    const fn = def?.type === 'function_definition' ? model.functionInfo(def) : undefined;
    if (!fn || fn.returns.length === 0) continue;
    const values = fn.returns.map((r) => secretLiteral(model, r));
    if (values.every((v) => v !== undefined)) return values[0];
  }
  return undefined;
}

/**
 * What kind of credential an expression holds by its name: `password`, `self.api_key`,
 * `request.form['password']`, `data.get('token')`, or a variable assigned from one of those.
 */
function credentialKindOf(model: ModuleModel, node: PyNode | undefined, depth = 0): SecretKind | undefined {
  if (!node || depth > 2) return undefined;
  switch (node.type) {
    case 'identifier': {
      const k = secretKindOfName(node.text);
      if (k) return k;
      for (const b of model.reaching(node)) if (b.kind === 'assign' && !b.path.length) return credentialKindOf(model, b.value, depth + 1);
      return undefined;
    }
    case 'attribute':
      return secretKindOfName(node.child('attribute')?.text);
    case 'subscript':
      return secretKindOfName(model.constString(node.child('subscript')));
    case 'call': {
      const info = model.call(node);
      if (info?.method === 'get' || info?.method === 'getlist' || info?.method === 'pop') return secretKindOfName(model.constString(info.positional[0]));
      if (info?.method && ['strip', 'encode', 'decode', 'lower', 'upper'].includes(info.method)) return credentialKindOf(model, info.receiver, depth + 1);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** An identifier holding a literal assigned to a credential-named variable (reported at the assignment). */
function isNamedSecretConstant(model: ModuleModel, node: PyNode): boolean {
  if (node.type !== 'identifier') return false;
  const k = secretKindOfName(node.text);
  const bindings = model.reaching(node);
  return k !== undefined && k !== 'key' && bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && secretLiteral(model, b.value) !== undefined);
}

export default defineRule({
  meta: {
    id: 'py/hardcoded-credentials',
    cwes: [798, 259, 321],
    severity: 'high',
    confidence: 'high',
    message: 'Hard-coded credential',
    fixHint: FIX.password,
    doc: 'Passwords, API tokens and keys written in source code end up in version control, builds and logs, cannot be rotated without a release, and are the same on every installation. Read them at run time from the environment, a configuration file outside the repository or a secret manager, and revoke any value that was committed.',
    bandit: ['B105', 'B106', 'B107'],
  },
  check(context) {
    const { model } = context;
    const reported = new Set<number>();
    const reportedRows = new Set<number>();
    const report = (node: PyNode, kind: SecretKind | 'crypto-key', message: string, confidence: 'high' | 'medium' = 'high'): void => {
      if (reported.has(node.startRow * 100000 + node.startColumn)) return;
      reported.add(node.startRow * 100000 + node.startColumn);
      reportedRows.add(node.startRow);
      const fixHint = kind === 'password' ? FIX.password : kind === 'crypto-key' || kind === 'key' ? FIX.key : FIX.secret;
      context.report({ node, message, cwes: cwesFor(kind), fixHint, confidence });
    };
    const describe = (kind: SecretKind): string => (kind === 'password' ? 'password' : kind === 'token' ? 'token' : kind === 'key' ? 'key' : kind === 'api-key' ? 'API key' : 'secret');

    /** `name = 'literal'` (also attributes, subscripts, dictionary pairs and keyword arguments). */
    const checkNamedValue = (at: PyNode, name: string | undefined, value: PyNode | undefined, confidence: 'high' | 'medium' = 'high'): void => {
      if (!name || !value) return;
      if (SIGNING_KEY_SETTINGS.test(name)) {
        if (secretLiteral(model, value) !== undefined || (value.type !== 'string' && isFixedBytes(model, value) && model.constValue(value) !== '')) report(at, 'crypto-key', `Hard-coded secret key in ${name}`, confidence);
        return;
      }
      const kind = secretKindOfName(name);
      // Without a credential name only a literal in a known token format counts: most values
      // are ruled out before any constant folding.
      if (!kind && !mayHoldKnownSecret(model, value)) return;
      const literal = secretLiteral(model, value);
      if (literal === undefined) return;
      if (!kind) {
        if (looksLikeKnownSecret(literal)) report(at, 'secret', 'Hard-coded token or private key', confidence);
        return;
      }
      // A bare `key`: only a random-looking literal or a credential placeholder is a secret (not `key = 'name'`).
      if (kind === 'key' && !looksRandom(literal) && !looksLikeKnownSecret(literal) && !isCredentialPlaceholder(literal)) return;
      // `token = 'def'` in a tokenizer is not a credential.
      if (kind === 'token' && !tokenLike(literal)) return;
      report(at, kind, `Hard-coded ${describe(kind)} in '${name}'`, confidence);
    };

    const checkCall = (c: CallInfo): void => {
      if (c.keywords.size)
        for (const [k, v] of c.keywords) {
          // Signing keys passed by keyword are handled with the key checks below.
          if (k === 'key' || k === 'secret_key') continue;
          const kind = KEYWORD_KIND(k);
          if (!kind || kind === 'key') continue;
          if (secretLiteral(model, v) !== undefined) report(v.parent ?? v, kind, `Hard-coded ${describe(kind)} passed as ${k}=`);
        }
      // The call's names matter only for what it is given by position (a password, a key, an
      // environment variable's name), a `key=`, or a placeholder literal.
      const shortString = hasShortString(c);
      if (c.positional.length === 0 && !shortString && !c.keywords.has('key') && !c.keywords.has('secret_key')) {
        checkAuth(c);
        checkConfigUpdate(c);
        return;
      }
      const names = callNames(model, c);
      // Only library calls can take a password by position or a key (cheap test before the patterns).
      let library = false;
      for (let i = 0; i < names.length && !library; i++) library = LIBRARY_PREFIX.test(names[i]!);
      if (library)
        for (const [pattern, index] of PASSWORD_POSITION) {
          if (!names.some((q) => pattern.test(q))) continue;
          const arg = c.positional[index];
          if (arg && secretLiteral(model, arg) !== undefined) report(arg, 'password', 'Hard-coded password passed to a login or connection call');
        }
      // An untyped `x.login('user', 'literal')`.
      if (c.method === 'login' && c.positional.length === 2 && !(library && names.some((q) => PASSWORD_POSITION.some(([p]) => p.test(q))))) {
        const pw = c.positional[1]!;
        if (model.isConstant(c.positional[0]) && secretLiteral(model, pw) !== undefined) report(pw, 'password', 'Hard-coded password passed to login()', 'medium');
      }
      checkAuth(c);
      // os.environ.get('DB_PASSWORD', 'fallback'): a default password in code.
      if (c.positional.length > 0 && names.some((q) => q === 'os.getenv' || q === 'os.environ.get')) {
        const kind = secretKindOfName(model.constString(c.positional[0]));
        const fallback = c.arg(1, 'default');
        if (kind && kind !== 'key' && secretLiteral(model, fallback) !== undefined) report(fallback!, kind, `Hard-coded fallback ${describe(kind)} for a missing environment variable`, 'medium');
      }
      // Constant keys handed to ciphers, MACs, JWT and signers.
      const keyArg = !library
        ? undefined
        : KEY_FIRST.some((p) => names.some((q) => p.test(q)))
        ? c.arg(0, 'key') ?? c.keywords.get('secret_key')
        : KEY_SECOND.some((p) => names.some((q) => p.test(q)))
          ? c.arg(1, 'key')
          : undefined;
      if (keyArg && keyArg.type !== 'none' && isFixedBytes(model, keyArg) && !isNamedSecretConstant(model, keyArg) && model.constValue(keyArg) !== '')
        report(keyArg, 'crypto-key', 'Hard-coded cryptographic key');
      // Canvas(url, '<insert_access_token_here>'): the code expects a secret to be pasted in.
      if (shortString && !names.some((q) => /^(os\.getenv|os\.environ\.get|print|input|getpass\.getpass)$/.test(q) || q.startsWith('logging.')))
        for (const a of [...c.positional, ...c.keywords.values()]) {
          if (!isShortString(a)) continue;
          const v = model.constString(a);
          if (v !== undefined && isCredentialPlaceholder(v)) report(a, 'secret', 'Credential placeholder passed in code: the secret is meant to be written into the source', 'medium');
        }
      checkConfigUpdate(c);
    };
    /** requests.get(url, auth=('user', 'literal')) */
    const checkAuth = (c: CallInfo): void => {
      const auth = c.keywords.size ? c.keywords.get('auth') : undefined;
      if (auth?.type === 'tuple') {
        const pw = auth.namedChildren[1];
        if (pw && secretLiteral(model, pw) !== undefined) report(pw, 'password', 'Hard-coded password in auth=(user, password)');
      }
    };
    /** app.config.update(SECRET_KEY='...') */
    const checkConfigUpdate = (c: CallInfo): void => {
      if ((c.method === 'update' || c.method === 'from_mapping') && c.receiver?.type === 'attribute' && c.receiver.child('attribute')?.text === 'config')
        for (const [k, v] of c.keywords) if (SIGNING_KEY_SETTINGS.test(k)) checkNamedValue(v.parent ?? v, k, v);
    };

    const checkComparison = (node: PyNode): void => {
      // Exactly one operator token, `==` or `!=`.
      let op: PyNode | undefined;
      for (const c of node.children) {
        if (c.isNamed) continue;
        if (op) return;
        op = c;
      }
      if (!op || (op.endIndex - op.startIndex !== 2) || (op.text !== '==' && op.text !== '!=')) return;
      // The first two operands (comments aside).
      let a: PyNode | undefined;
      let b: PyNode | undefined;
      for (const c of node.children) {
        if (!c.isNamed || c.type === 'comment') continue;
        if (!a) a = c;
        else {
          b = c;
          break;
        }
      }
      if (!a || !b) return;
      if (!comparedCredential(node, a, b)) comparedCredential(node, b, a);
    };
    /** `side == other` with `side` named as a credential and `other` a literal: reported. */
    const comparedCredential = (node: PyNode, side: PyNode, other: PyNode): boolean => {
      // (`literalBehind` finds no literal in a value that cannot be text: the name is not looked into.)
      if (!MAY_BE_TEXT.has(other.type)) return false;
      const kind = credentialKindOf(model, side);
      if (!kind || kind === 'key') return false;
      if (other.type === 'identifier' && isNamedSecretConstant(model, other)) return false;
      const literal = literalBehind(model, other);
      if (literal === undefined) return false;
      if (kind === 'token' && ((!tokensAreCredentials(model) && !qualifiedToken(side.text)) || !tokenLike(literal))) return false;
      report(node, kind, `${capitalise(describe(kind))} compared with a hard-coded value`);
      return true;
    };

    return {
      call: checkCall,
      // (A value that cannot be text, `model.constValue` gives no string for, is no secret
      // literal nor fixed bytes for `checkNamedValue`: its target's name is not worked out.)
      nodes: {
        assignment(node) {
          const left = node.child('left');
          let right = node.child('right');
          while (right?.type === 'assignment') right = right.child('right');
          if (!left || !right) return;
          if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
            if (right.type !== 'expression_list' && right.type !== 'tuple') return;
            const targets = left.namedChildren;
            const values = right.namedChildren;
            for (let i = 0; i < targets.length; i++) {
              const v = values[i];
              if (v && MAY_BE_TEXT.has(v.type)) checkNamedValue(node, targetName(model, targets[i]), v);
            }
            return;
          }
          if (MAY_BE_TEXT.has(right.type)) checkNamedValue(node, targetName(model, left), right);
        },
        pair(node) {
          const value = node.child('value');
          if (value && MAY_BE_TEXT.has(value.type)) checkNamedValue(node, targetName(model, node.child('key')), value);
        },
        default_parameter(node) {
          const value = node.child('value');
          if (value && MAY_BE_TEXT.has(value.type)) checkNamedValue(node, node.child('name')?.text, value);
        },
        typed_default_parameter(node) {
          const value = node.child('value');
          if (value && MAY_BE_TEXT.has(value.type)) checkNamedValue(node, node.child('name')?.text, value);
        },
        comparison_operator: checkComparison,
      },
      end() {
        // Literals that are secrets by their form, wherever they appear.
        const strings = model.byType('string');
        for (let i = 0; i < strings.length; i++) {
          const node = strings[i]!;
          if (node.endIndex - node.startIndex < 16 || node.parent?.type === 'concatenated_string' || reportedOnLine(node)) continue;
          // A literal without escapes or interpolations is its own source text: without an `@`
          // or a token format's fixed part there, it is neither a credential URL nor a token.
          const raw = node.text;
          if (!raw.includes('@') && !raw.includes('\\') && !raw.includes('{') && !mayBeKnownSecret(raw)) continue;
          const value = model.constString(node);
          if (value === undefined || value.length < 14) continue;
          const url = value.includes('@') ? CREDENTIAL_URL.exec(value) : null;
          if (url && !isNonSecretLiteral(url[2]!) && !/^\*+$/.test(url[2]!)) report(node, 'password', 'Hard-coded password in a connection URL');
          else if (looksLikeKnownSecret(value)) report(node, 'secret', 'Hard-coded token or private key');
        }
      },
    };

    function reportedOnLine(node: PyNode): boolean {
      return reportedRows.size > 0 && reportedRows.has(node.startRow);
    }
  },
});

/**
 * A string literal short enough to be a placeholder (`'<your_api_key>'`) that may name a
 * credential: without escapes or interpolations its value is its own text, so the words
 * `isCredentialPlaceholder` looks for must be in the source.
 */
function isShortString(a: PyNode): boolean {
  if (a.type !== 'string' || a.endIndex - a.startIndex > 64) return false;
  const text = a.text;
  return text.includes('\\') || text.includes('{') || /token|key|secret|passw|credential/i.test(text);
}

/** Whether any argument of the call is such a literal (most calls have none). */
function hasShortString(c: CallInfo): boolean {
  for (const a of c.positional) if (isShortString(a)) return true;
  for (const a of c.keywords.values()) if (isShortString(a)) return true;
  return false;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
