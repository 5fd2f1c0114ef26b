// Errors of the LLM layer. Two families:
// - LlmConfigError (a UserError): the user must fix the configuration (key, specifier,
//   base URL, model name); the CLI prints the message alone and exits 2, and a batch run
//   should stop, since every later call would fail the same way.
// - LlmError: one call failed (rate limits outlasted the retries, a server error, a timeout,
//   a reply without code); a batch run records it for that task and goes on.
// No message ever carries an API key: upstream text goes through `redact` first.

import { UserError } from '../core/types.js';
import type { ChatResponse } from './types.js';

const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in `text` with [REDACTED], and masks bearer
 * tokens and `x-api-key` values even when the secret itself is not known.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.trim().length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join(REDACTED);
  out = out.replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`);
  out = out.replace(/(x-api-key["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`);
  return out;
}

/** A URL fit for messages: no user info, no query, no trailing slash. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/, '').replace(/\/+$/, '');
  }
}

// ---------------------------------------------------------------- configuration problems

export class LlmConfigError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownModelSpecifierError extends LlmConfigError {
  constructor(readonly specifier: string) {
    super(
      `unknown model specifier '${specifier}': use openai:<model>, nim:<model>, ollama:<model> or anthropic:<model>`,
    );
  }
}

export class MissingApiKeyError extends LlmConfigError {
  constructor(
    readonly envVar: string,
    hint: string,
  ) {
    super(`${envVar} is not set: export ${envVar}=... (${hint})`);
  }
}

export class InvalidBaseUrlError extends LlmConfigError {
  constructor(envVar: string, value: string) {
    super(`${envVar} is not a valid http(s) URL: '${displayUrl(value)}'`);
  }
}

/** The server could not be reached at all (connection refused, unknown host). */
export class EndpointUnreachableError extends LlmConfigError {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
    readonly envVar: string,
    readonly attempts: number,
  ) {
    super(
      `cannot reach ${displayUrl(baseUrl)}: ${reason} (${attempts} ${plural(attempts, 'attempt')}); ` +
        `is the server running? set ${envVar}`,
    );
  }
}

/** 401/403: the key was refused. */
export class LlmAuthError extends LlmConfigError {
  constructor(
    readonly baseUrl: string,
    readonly status: number,
    readonly envVar: string | undefined,
    detail: string,
  ) {
    super(
      `${displayUrl(baseUrl)} refused the request (${status})` +
        (envVar ? `: check ${envVar}` : '') +
        (detail ? ` (${detail})` : ''),
    );
  }
}

/** 404: usually an unknown model name or a base URL without the right path. */
export class LlmNotFoundError extends LlmConfigError {
  constructor(
    readonly baseUrl: string,
    readonly model: string,
    detail: string,
  ) {
    super(
      `${displayUrl(baseUrl)} answered 404 for model '${model}': check the model name and the base URL` +
        (detail ? ` (${detail})` : ''),
    );
  }
}

// ---------------------------------------------------------------- failures of one call

export class LlmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with an error status: not retryable, or still failing after the retries. */
export class LlmHttpError extends LlmError {
  constructor(
    readonly baseUrl: string,
    readonly status: number,
    readonly attempts: number,
    detail: string,
    /** When the server asked to wait longer than this client is willing to. */
    readonly retryAfterMs?: number,
  ) {
    super(
      `${displayUrl(baseUrl)} answered ${status} after ${attempts} ${plural(attempts, 'attempt')}` +
        (retryAfterMs !== undefined ? ` and asked to wait ${Math.ceil(retryAfterMs / 1000)} s more` : '') +
        (detail ? `: ${detail}` : ''),
    );
  }
}

export class LlmTimeoutError extends LlmError {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
    readonly attempts: number,
  ) {
    super(
      `${displayUrl(baseUrl)} did not answer within ${timeoutMs} ms (${attempts} ${plural(attempts, 'attempt')}); ` +
        `raise the timeout (--timeout <seconds>) if the model is slow`,
    );
  }
}

/** The connection broke (reset, closed early) on every attempt. */
export class LlmNetworkError extends LlmError {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(`${displayUrl(baseUrl)}: ${reason} after ${attempts} ${plural(attempts, 'attempt')}`);
  }
}

/** The server answered 2xx with something that is not a usable reply. */
export class LlmResponseError extends LlmError {}

/** The caller's AbortSignal fired. */
export class LlmCancelledError extends LlmError {
  constructor() {
    super('the request was cancelled');
  }
}

/** askForCode gave up: no reply held syntactically valid Python. */
export class NoCodeError extends LlmError {
  constructor(
    readonly reason: string,
    /** Every call made, in order, so callers can still record their usage. */
    readonly calls: ChatResponse[],
  ) {
    super(`no usable Python code after ${calls.length} ${plural(calls.length, 'reply', 'replies')}: ${reason}`);
  }

  get replies(): string[] {
    return this.calls.map((c) => c.text);
  }
}

/** A prompt builder was called without what it needs (a programming error of the caller). */
export class PromptInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptInputError';
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
