import { createHash } from 'node:crypto';
import type { ChatMessage } from '../llm/types.js';

/**
 * JSON with object keys in sorted order and `undefined` members dropped, so that two equal
 * values always serialise (and hash) the same way whatever order their keys were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash samples and the scan cache use to recognise identical code (byte for byte). */
export function codeHash(code: string): string {
  return sha256Hex(code);
}

/** A short stable hash of a configuration object, e.g. a scanner's options, for cache keys. */
export function configHash(config: unknown): string {
  return sha256Hex(canonicalJson(config)).slice(0, 16);
}

/** Everything that decides what a chat model answers; what the LLM call cache is keyed by. */
export interface CanonicalRequest {
  provider: string;
  model: string;
  /** The model's base URL when known (ChatModel.endpoint); absent for models without one. */
  endpoint?: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /**
   * Discriminates deliberate re-asks of the same request (e.g. the 2nd of k samples at
   * temperature 0.8), so they are not answered from the cache. 0 or absent is the first ask.
   */
  attempt?: number;
}

/** The request in the canonical form that is hashed and stored (no signal, no empty attempt). */
export function canonicalRequest(request: CanonicalRequest): CanonicalRequest {
  return {
    provider: request.provider,
    model: request.model,
    endpoint: request.endpoint,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    attempt: request.attempt ? request.attempt : undefined,
  };
}

/** sha256 (hex) of the canonical request. */
export function requestHash(request: CanonicalRequest): string {
  return sha256Hex(canonicalJson(canonicalRequest(request)));
}
