// Both official SDKs are generated from the same template: an APIError carrying `status` and
// response `headers`, and an APIConnectionError whose `cause` holds the fetch failure.

import { errorCode, type AttemptFailure, type HeaderLookup } from './retry.js';

type ErrorClass = abstract new (...args: never[]) => Error;

export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIConnectionError: ErrorClass;
}

function innermostMessage(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  let current: unknown = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}

/**
 * The server's own error text: `error.message` of an OpenAI-style body (the SDK keeps
 * `body.error` in `err.error`), `error.error.message` of an Anthropic one (it keeps the whole
 * body), else the SDK's message without its leading status.
 */
function upstreamMessage(err: Error, status: number): string {
  const body = (err as { error?: unknown }).error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const nested = body?.error?.message ?? body?.message;
  if (typeof nested === 'string' && nested.trim()) return nested.trim();
  const detail = err.message.replace(new RegExp(`^${status}\\s*`), '');
  return detail === 'status code (no body)' ? '' : detail;
}

export function describeSdkFailure(err: unknown, sdk: SdkErrorClasses): AttemptFailure | undefined {
  if (err instanceof sdk.APIConnectionError) {
    return { kind: 'network', code: errorCode((err as Error).cause), detail: innermostMessage(err) };
  }
  if (err instanceof sdk.APIError) {
    const { status, headers } = err as Error & { status?: unknown; headers?: HeaderLookup };
    if (typeof status !== 'number') return undefined;
    return { kind: 'http', status, headers, detail: upstreamMessage(err, status) };
  }
  return undefined;
}
