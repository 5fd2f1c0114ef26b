import { AnthropicTransport } from './anthropic-provider.js';
import { resolveEndpoint } from './endpoints.js';
import { OpenAITransport } from './openai-provider.js';
import { ResilientChatModel, type Transport } from './resilient-model.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { formatModelSpecifier, parseModelSpecifier } from './specifier.js';

export interface ChatModelOptions {
  /** Per attempt, in ms (default 120 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2, so 3 attempts). */
  maxRetries?: number;
  /** Requests in flight at once for this model (default 8). */
  concurrency?: number;
  /** Where keys and base URLs are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A fetch implementation for the SDK (tests, proxies). */
  fetch?: typeof fetch;
  /** First backoff wait in ms (default 500), doubled per retry up to maxRetryDelayMs (default 8000). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A Retry-After longer than this fails the request instead of waiting (default 60 000). */
  maxRetryAfterMs?: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/**
 * A ChatModel for `openai:<model>`, `nim:<model>`, `ollama:<model>` or `anthropic:<model>`.
 * Checks the specifier, base URL and key now, so a bad configuration fails before any work.
 */
export function createChatModel(spec: string, options: ChatModelOptions = {}): ResilientChatModel {
  const parsed = parseModelSpecifier(spec);
  const env = options.env ?? process.env;
  const endpoint = resolveEndpoint(parsed.provider, env);
  const policy: RetryPolicy = {
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_RETRY_POLICY.timeoutMs),
    maxRetries: positiveInteger('maxRetries', options.maxRetries, DEFAULT_RETRY_POLICY.maxRetries, 0),
    baseDelayMs: positiveInteger('retryDelayMs', options.retryDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 0),
    maxDelayMs: positiveInteger('maxRetryDelayMs', options.maxRetryDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 0),
    maxRetryAfterMs: positiveInteger('maxRetryAfterMs', options.maxRetryAfterMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs, 0),
  };
  const concurrency = positiveInteger('concurrency', options.concurrency, 8);

  const transport: Transport =
    parsed.provider === 'anthropic'
      ? new AnthropicTransport({ endpoint, model: parsed.model, timeoutMs: policy.timeoutMs, fetch: options.fetch })
      : new OpenAITransport({
          endpoint,
          model: parsed.model,
          timeoutMs: policy.timeoutMs,
          fetch: options.fetch,
          ...(parsed.provider === 'openai'
            ? { organization: env.OPENAI_ORG_ID || undefined, project: env.OPENAI_PROJECT_ID || undefined }
            : {}),
        });

  return new ResilientChatModel(
    formatModelSpecifier(parsed),
    parsed.provider,
    parsed.model,
    transport,
    policy,
    {
      baseUrl: endpoint.baseUrl,
      baseUrlEnvVar: endpoint.baseUrlEnvVar,
      keyEnvVar: endpoint.keyEnvVar,
      model: parsed.model,
      secrets: endpoint.keyEnvVar ? [endpoint.apiKey] : [],
    },
    concurrency,
  );
}
