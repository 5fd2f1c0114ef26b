// Keeps API keys out of what the store writes: run configurations and error messages.

const REDACTED = '[redacted]';

/** Object keys whose values are secrets wherever they appear in a configuration. */
const SECRET_KEY = /^(api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|authorization|(access|auth|bearer|api|session)[-_]?token|x[-_]api[-_]key)$/i;

/** Shapes of provider keys and credentials inside free text, with what replaces them. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\bsk-[A-Za-z0-9_-]{12,}/g, REDACTED], // OpenAI, Anthropic (sk-ant-), DeepSeek, OpenRouter (sk-or-)
  [/\b(?:gsk|xai|hf|ghp|gho|github_pat)_[A-Za-z0-9_]{12,}/g, REDACTED],
  [/\bAIza[A-Za-z0-9_-]{20,}/g, REDACTED], // Google
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // `api_key=...`, `"x-api-key": "..."`: keep the label so the message stays readable.
  [/\b((?:x-)?api[-_]?key|access[-_]?token|password|secret)(["']?\s*[:=]\s*["']?)[^\s"',;&}]{4,}/gi, `$1$2${REDACTED}`],
];

/** Environment variables that hold credentials; their values are redacted verbatim. */
const SECRET_ENV_NAME = /(KEY|TOKEN|SECRET|PASSWORD)$/i;

function environmentSecrets(): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (value && value.length >= 12 && SECRET_ENV_NAME.test(name)) values.push(value);
  }
  return values.sort((a, b) => b.length - a.length);
}

/** `text` with anything that looks like a key, and the value of any key-named env var, masked. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of environmentSecrets()) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy of a JSON-like value with secret-named members and key-shaped strings masked. */
export function redactSecrets<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && member != null && member !== '' ? REDACTED : redactValue(member);
    }
    return out;
  }
  return value;
}
