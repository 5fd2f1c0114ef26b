// One request, attempted up to 1 + maxRetries times.
//
// The SDKs' own retries are switched off (maxRetries: 0) and this loop does the work, because
// the SDKs' wait between attempts ignores the AbortSignal, their final error says neither how
// many attempts were made nor which base URL failed, and the two SDKs would otherwise differ.
// The policy mirrors theirs: 408, 409, 429, 5xx, timeouts and network errors are retried;
// waits follow Retry-After / retry-after-ms when given, else 0.5 s × 2^n (cap 8 s) minus up
// to 25 % jitter.

import { UserError } from '../core/types.js';
import {
  EndpointUnreachableError,
  LlmAuthError,
  LlmCancelledError,
  LlmError,
  LlmHttpError,
  LlmNetworkError,
  LlmNotFoundError,
  LlmResponseError,
  LlmTimeoutError,
  displayUrl,
  redact,
} from './errors.js';

/** What went wrong in one attempt, independent of the SDK that made it. */
export type AttemptFailure =
  | { kind: 'http'; status: number; headers?: HeaderLookup; detail: string }
  | { kind: 'network'; code?: string; detail: string };

export interface HeaderLookup {
  get(name: string): string | null;
}

export interface RetryPolicy {
  maxRetries: number;
  /** Per attempt. */
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the request at once instead of waiting. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  timeoutMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** What the messages of the final error name. */
export interface EndpointContext {
  baseUrl: string;
  baseUrlEnvVar: string;
  keyEnvVar?: string;
  model: string;
  /** Strings to scrub from any upstream text (the API key). */
  secrets: string[];
}

export interface AttemptOutcome<T> {
  value: T;
  attempts: number;
  /** Duration of the successful attempt. */
  latencyMs: number;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  // Not a socket error: fetch refuses ports on the WHATWG "bad ports" list (9, 25, 6000...)
  // before connecting, with no code, only the message "bad port".
  BAD_PORT: 'fetch refuses to connect to this port (it is on the WHATWG list of blocked ports, such as 9, 25 or 6000); use another port',
};
/** Failures that no retry can change. */
const PERMANENT_CODES = new Set(['BAD_PORT']);
const NETWORK_CODES: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** Milliseconds the server asked to wait: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: HeaderLookup | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined; // "-3" and the like: Date.parse would take them as years
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Wait before retry number `retryIndex` (0-based) when the server named none. */
export function backoffDelay(retryIndex: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const full = Math.min(policy.baseDelayMs * 2 ** retryIndex, policy.maxDelayMs);
  return full * (1 - random() * 0.25);
}

/** The first `code` along an error's cause chain (undici nests the socket error in `cause`). */
export function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeNetworkCode(code: string | undefined, fallback: string): string {
  if (code && UNREACHABLE_CODES[code]) return UNREACHABLE_CODES[code]!;
  if (code && NETWORK_CODES[code]) return NETWORK_CODES[code]!;
  return fallback;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmCancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmCancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Classified = { kind: 'timeout' } | AttemptFailure;

function finalError(failure: Classified, attempts: number, policy: RetryPolicy, ctx: EndpointContext, retryAfterMs?: number): Error {
  if (failure.kind === 'timeout') return new LlmTimeoutError(ctx.baseUrl, policy.timeoutMs, attempts);
  const detail = redact(failure.detail, ctx.secrets).slice(0, 300);
  if (failure.kind === 'network') {
    if (failure.code && UNREACHABLE_CODES[failure.code]) {
      return new EndpointUnreachableError(ctx.baseUrl, UNREACHABLE_CODES[failure.code]!, ctx.baseUrlEnvVar, attempts);
    }
    return new LlmNetworkError(ctx.baseUrl, describeNetworkCode(failure.code, detail || 'connection failed'), attempts);
  }
  if (failure.status === 401 || failure.status === 403) {
    return new LlmAuthError(ctx.baseUrl, failure.status, ctx.keyEnvVar, detail);
  }
  if (failure.status === 404) return new LlmNotFoundError(ctx.baseUrl, ctx.model, detail);
  return new LlmHttpError(ctx.baseUrl, failure.status, attempts, detail, retryAfterMs);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are spent.
 * `describe` turns an SDK error into an AttemptFailure; undefined means "not a transport
 * error" and the error is passed on (wrapped when it is not one of ours).
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  describe: (err: unknown) => AttemptFailure | undefined,
  policy: RetryPolicy,
  ctx: EndpointContext,
  signal?: AbortSignal,
): Promise<AttemptOutcome<T>> {
  const maxAttempts = policy.maxRetries + 1;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw new LlmCancelledError();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, policy.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    let failure: Classified;
    try {
      const value = await attempt(controller.signal);
      return { value, attempts: n, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (signal?.aborted) throw new LlmCancelledError();
      if (timedOut) failure = { kind: 'timeout' };
      else {
        const described = describe(err);
        if (!described) throw passOn(err, ctx);
        failure = withBadPortCode(described);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }

    const retryable =
      failure.kind === 'http' ? isRetryableStatus(failure.status) : !(failure.kind === 'network' && failure.code && PERMANENT_CODES.has(failure.code));
    if (!retryable || n >= maxAttempts) throw finalError(failure, n, policy, ctx);
    const asked = failure.kind === 'http' ? parseRetryAfter(failure.headers) : undefined;
    if (asked !== undefined && asked > policy.maxRetryAfterMs) throw finalError(failure, n, policy, ctx, asked);
    await sleep(asked ?? backoffDelay(n - 1, policy), signal);
  }
}

/** Gives fetch's code-less "bad port" refusal a code of its own. */
function withBadPortCode(failure: AttemptFailure): AttemptFailure {
  if (failure.kind === 'network' && !failure.code && /^bad port$/i.test(failure.detail.trim())) return { ...failure, code: 'BAD_PORT' };
  return failure;
}

function passOn(err: unknown, ctx: EndpointContext): Error {
  // Ours, or a caller's mistake (a TypeError from a bad request): pass on as it is.
  if (err instanceof LlmError || err instanceof UserError || err instanceof TypeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new LlmResponseError(`${displayUrl(ctx.baseUrl)}: ${redact(message, ctx.secrets).slice(0, 300)}`);
}
