// What names and literals say about secrets: `admin_password`, `API_KEY`, `'sk-...'`.
// Linters have no other way to tell a password from a greeting: Bandit, CodeQL and Semgrep
// all classify sensitive data by the names it travels under. Not a rule.

export type SecretKind = 'password' | 'secret' | 'token' | 'api-key' | 'key';

/** Words of an identifier or key: `adminPassword` → admin, password; `API_KEY` → api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Words that make a name describe something about a secret rather than hold one. */
const NOT_A_SECRET = new Set([
  'hash',
  'hashed',
  'hashes',
  'digest',
  'salt',
  'len',
  'length',
  'min',
  'max',
  'size',
  'count',
  'field',
  'fields',
  'label',
  'placeholder',
  'prompt',
  'message',
  'msg',
  'error',
  'err',
  'regex',
  'pattern',
  'policy',
  'validator',
  'validators',
  'rule',
  'rules',
  'url',
  'uri',
  'endpoint',
  'path',
  'file',
  'filename',
  'dir',
  'name',
  'id',
  'type',
  'header',
  'param',
  'format',
  'template',
  'column',
  'col',
  'attr',
  'expiry',
  'expires',
  'expire',
  'expiration',
  'ttl',
  'timeout',
  'reset',
  'required',
  'enabled',
  'check',
  'valid',
  'strength',
  'hint',
  'mode',
  'version',
  'env',
  'var',
  'hasher',
  'hashers',
  'changed',
  'form',
  'input',
  'widget',
  'encrypted',
  'encoded',
  'is',
  'has',
  'use',
  'uses',
  'show',
  'confirm',
  'forgot',
  'link',
  'location',
  'method',
  'store',
  'storage',
  'manager',
  'provider',
  'backend',
  'class',
  'state',
  'status',
  'cwd',
]);

const PASSWORD_COMPACT = /(password|passwd|passphrase|passcode|passwort|contrasena|motdepasse)/;
const PASSWORD_WORDS = new Set(['pwd', 'pw', 'pass', 'pword', 'pswd', 'passw']);
const API_KEY_COMPACT = /(apikey|accesskey|privatekey|signingkey|encryptionkey|secretkey|authkey|masterkey|clientsecret|licensekey|appkey|consumerkey|sessionkey)/;

/**
 * What every name `classifyName` gives a kind contains, once lower-cased with everything but
 * letters and digits taken out (the words joined): `pass`, `pw`, `pswd` or `contrasena`
 * (passwords), `key`, `secret`, `token` or `cred`. Separators may come between the letters
 * (`pass_word` is `password`); a name with a non-ASCII character is always let through
 * (lower-casing it may give ASCII letters).
 */
const SEP = '[^a-z0-9]*';
const MAY_NAME_SECRET = new RegExp(
  ['[^\\x00-\\x7f]', 'pass', 'pw', 'pswd', 'contrasena', 'key', 'secret', 'token', 'cred'].map((w, i) => (i === 0 ? w : w.split('').join(SEP))).join('|'),
  'i',
);

/** What kind of secret a name says it holds, if any. */
const kindMemo = new Map<string, SecretKind | null>();

export function secretKindOfName(name: string | undefined): SecretKind | undefined {
  if (!name) return undefined;
  // Most names hold none of the words a kind needs: no look-up, no memo entry for them.
  if (!MAY_NAME_SECRET.test(name)) return undefined;
  // One look-up per name (null: known to be no secret).
  const known = kindMemo.get(name);
  if (known !== undefined) return known ?? undefined;
  const kind = classifyName(name);
  if (kindMemo.size > 50_000) kindMemo.clear();
  kindMemo.set(name, kind ?? null);
  return kind;
}

function classifyName(name: string): SecretKind | undefined {
  const words = nameWords(name);
  if (words.length === 0) return undefined;
  if (words.some((w) => NOT_A_SECRET.has(w))) return undefined;
  const compact = words.join('');
  if (PASSWORD_COMPACT.test(compact) || words.some((w) => PASSWORD_WORDS.has(w))) return 'password';
  if (API_KEY_COMPACT.test(compact)) return 'api-key';
  if (compact.includes('secret')) return 'secret';
  if (words.includes('token') || /(access|auth|api|bearer|refresh|session|csrf|oauth|github|slack|bot)token$/.test(compact)) return 'token';
  if (words.includes('credential') || words.includes('credentials') || words.includes('creds')) return 'secret';
  if (words[words.length - 1] === 'key' || words.includes('key')) return 'key';
  return undefined;
}

/** A name that holds a password (not its hash, length or prompt). */
export function isPasswordName(name: string | undefined): boolean {
  return secretKindOfName(name) === 'password';
}

/** Password, secret, token or API key: a name that should never be given a literal. */
export function isCredentialName(name: string | undefined): boolean {
  const k = secretKindOfName(name);
  return k !== undefined && k !== 'key';
}

/** Token formats, unanchored: a service's prefix followed by the random part. */
const TOKEN_FORMAT_SOURCES: string[] = [
  'sk-[A-Za-z0-9_-]{20,}', // OpenAI-style (sk-..., sk-proj-..., sk-ant-...)
  '[sr]k_(?:live|test)_[A-Za-z0-9]{16,}', // Stripe secret and restricted keys
  '(?:AKIA|ASIA)[0-9A-Z]{16}', // AWS access key id
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
  'github_pat_[A-Za-z0-9_]{30,}',
  'xox[abprs]-[A-Za-z0-9-]{10,}', // Slack
  'AIza[0-9A-Za-z_-]{35}', // Google API key
  'glpat-[A-Za-z0-9_-]{20,}', // GitLab
  'eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*', // a signed JWT
  'rzp_(?:live|test)_[A-Za-z0-9]{14,}', // Razorpay
  '(?:SB-)?Mid-(?:server|client)-[A-Za-z0-9_-]{20,}', // Midtrans
  'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
  'hf_[A-Za-z0-9]{30,}', // Hugging Face
  'npm_[A-Za-z0-9]{36}', // npm
  'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}', // PyPI
  'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
  'do[por]_v1_[a-f0-9]{64}', // DigitalOcean
  'SK[0-9a-fA-F]{32}', // Twilio API key
  '[0-9]{8,10}:AA[A-Za-z0-9_-]{33}', // Telegram bot token
  'https://hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}', // Slack webhook
];
/** A whole literal in one of the formats (one alternation: the same as testing each format anchored). */
const KNOWN_TOKEN_FORMAT = new RegExp(`^(?:${TOKEN_FORMAT_SOURCES.map((src) => `(?:${src})`).join('|')})$`);
/** The same formats inside a longer text (a config line, a header value), as whole tokens. */
const EMBEDDED_TOKEN = new RegExp(`(?<![A-Za-z0-9_-])(?:${TOKEN_FORMAT_SOURCES.join('|')})(?![A-Za-z0-9_-])`, 'g');
/**
 * The fixed part every format above contains (keep in step with the list): a text without
 * any of these matches no format, whole or embedded. Most literals fail this cheap test, so
 * the slower token patterns run on few of them.
 */
const TOKEN_HINT = /sk-|[sr]k_(?:live|test)_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|AIza|glpat-|eyJ|rzp_(?:live|test)_|Mid-(?:server|client)-|SG\.|hf_|npm_|pypi-|shp(?:at|ca|pa|ss)_|do[por]_v1_|SK[0-9a-fA-F]|[0-9]:AA|https:\/\/hooks\.slack\.com\//;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{40,}/;

/** An embedded match that reads like a made-up sample rather than a key. */
function samplePlaceholder(token: string): boolean {
  return /example|sample|dummy|fake|xxxx|0123|1234|abcd|(.)\1{4}/i.test(token) || !/\d/.test(token) || !/[A-Za-z]/.test(token.replace(/^[a-z]+[_-]/, ''));
}

/**
 * Whether a text holds what `looksLikeKnownSecret` needs: a token format's fixed part or a
 * PEM private-key header. Without either, neither the text nor any part of it is a known
 * secret, so the source text of a literal without escapes can be tested before decoding it.
 */
export function mayBeKnownSecret(text: string): boolean {
  return text.includes('PRIVATE KEY-----') || TOKEN_HINT.test(text);
}

/** A literal that is a secret by its form: a known token format or a PEM private key with its body. */
export function looksLikeKnownSecret(value: string): boolean {
  if (value.includes('PRIVATE KEY-----') && PEM_PRIVATE_KEY.test(value)) return true;
  if (!TOKEN_HINT.test(value)) return false;
  if (KNOWN_TOKEN_FORMAT.test(value)) return true;
  // A token quoted inside a longer text: 'OPENAI_API_KEY = "sk-..."', "Authorization: Bearer ghp_...".
  if (value.length > 24 && value.length < 4000) for (const m of value.matchAll(EMBEDDED_TOKEN)) if (!samplePlaceholder(m[0])) return true;
  return false;
}

/**
 * A placeholder that stands for a credential to be pasted into the code:
 * `'<insert_access_token_here>'`, `'YOUR_API_KEY'`, `'your_password_here'` (not `{password}`
 * format fields).
 */
export function isCredentialPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length > 60 || /\s/.test(v)) return false;
  const credential = /(token|api[_-]?key|secret|password|passwd|access[_-]?key|private[_-]?key|(^|[_-])key([_-]|$)|credential)/i;
  if (!credential.test(v)) return false;
  return /^<[^<>]+>$/.test(v) || /^your[_-]/i.test(v) || /[_-]here$/i.test(v) || /^(insert|enter|put|replace)[_-]/i.test(v);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A random-looking literal: long, no spaces, letters mixed with digits, high entropy
 * (`vQF6J15Kuh3Y6ut1Vh247dlVEIpTEbMnWq7lRKjD`). Words, paths, URLs and hex digests of
 * nothing in particular are not.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 20 || /\s/.test(value)) return false;
  if (!/^[A-Za-z0-9+/=_\-.~!@#$%^&*]+$/.test(value)) return false;
  if (/^[a-z_.\-/]+$/i.test(value) && !/\d/.test(value)) return false;
  if (/^(https?|ftp|file):/.test(value) || value.includes('/') && value.split('/').length > 3) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(value)).length;
  if (classes < 2) return false;
  return entropy(value) >= (classes === 3 ? 3.5 : 3.2);
}

/**
 * A literal that cannot be a password or key value: empty, a prompt or message (several
 * words), a format template, an environment-variable reference, or a dummy marker.
 */
export function isNonSecretLiteral(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/\s/.test(v) && v.split(/\s+/).length >= 3) return true; // "Enter your password:"
  if (/[:?]$/.test(v) && /\s/.test(v)) return true;
  if (/^\$\{?[A-Z_][A-Z0-9_]*\}?$/.test(v) || /^%\([a-z_]+\)s$/i.test(v) || /^\{[a-z_]*\}$/i.test(v)) return true;
  if (/^(none|null|nil|undefined|\*+|x+|\.+|-+|n\/a|todo|yes|no|true|false|on|off|enabled|disabled|required|optional)$/i.test(v)) return true;
  return false;
}
