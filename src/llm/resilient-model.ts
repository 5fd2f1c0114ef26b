// The ChatModel every provider is wrapped in: bounded concurrency, per-attempt timeout,
// retries, cancellation and latency. Providers only say how to send one request.

import pLimit, { type LimitFunction } from 'p-limit';
import type { Usage } from '../core/types.js';
import { displayUrl, LlmCancelledError } from './errors.js';
import { withRetries, type AttemptFailure, type EndpointContext, type RetryPolicy } from './retry.js';
import type { ChatModel, ChatRequest, ChatResponse } from './types.js';

export interface ProviderReply {
  text: string;
  usage: Usage;
  model: string;
}

/** How one provider sends one request through its SDK. */
export interface Transport {
  send(request: ChatRequest, signal: AbortSignal): Promise<ProviderReply>;
  /** An SDK transport error as an AttemptFailure; undefined for anything else. */
  describeFailure(err: unknown): AttemptFailure | undefined;
}

export class ResilientChatModel implements ChatModel {
  readonly #transport: Transport;
  readonly #policy: RetryPolicy;
  readonly #context: EndpointContext;
  readonly #limit: LimitFunction;
  readonly endpoint: string;

  constructor(
    readonly id: string,
    readonly provider: string,
    readonly model: string,
    transport: Transport,
    policy: RetryPolicy,
    context: EndpointContext,
    concurrency: number,
  ) {
    this.#transport = transport;
    this.#policy = policy;
    this.#context = context;
    this.#limit = pLimit(concurrency);
    this.endpoint = displayUrl(context.baseUrl);
  }

  /** Requests running now and waiting for a slot (for progress displays and tests). */
  get load(): { active: number; pending: number } {
    return { active: this.#limit.activeCount, pending: this.#limit.pendingCount };
  }

  chat(request: ChatRequest): Promise<ChatResponse> {
    if (request.messages.length === 0) return Promise.reject(new TypeError('chat() needs at least one message'));
    return this.#limit(async () => {
      if (request.signal?.aborted) throw new LlmCancelledError();
      const outcome = await withRetries(
        (signal) => this.#transport.send(request, signal),
        (err) => this.#transport.describeFailure(err),
        this.#policy,
        this.#context,
        request.signal,
      );
      const reply = outcome.value;
      return { text: reply.text, usage: reply.usage, latencyMs: outcome.latencyMs, model: reply.model };
    });
  }

  toJSON(): { id: string; provider: string; model: string } {
    return { id: this.id, provider: this.provider, model: this.model };
  }
}
