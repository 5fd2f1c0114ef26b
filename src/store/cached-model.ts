import type { Usage } from '../core/types.js';
import { LlmCancelledError } from '../llm/errors.js';
import type { ChatModel, ChatRequest, ChatResponse } from '../llm/types.js';
import { canonicalRequest, requestHash, type CanonicalRequest } from './hash.js';
import type { AnsweredCall, CallContext } from './records.js';
import type { Store } from './store.js';

/**
 * Price of one answer in US dollars; undefined when the model's price is unknown. `modelId`
 * is the wrapped model's specifier (`openai:gpt-4o-mini`), so `costOf` from llm/pricing fits.
 */
export type CostFunction = (modelId: string, usage: Usage) => number | undefined;

export interface CachedModelOptions {
  costOf?: CostFunction;
  /** Context recorded with every call, under what each call passes. */
  context?: CallContext;
}

export interface CallOptions extends CallContext {
  /** Asks again deliberately: attempt n > 0 is a different cache entry than the first ask. */
  attempt?: number;
}

export interface CachedChatResponse extends ChatResponse {
  /** True when the answer came from the store and the model was not called (latencyMs is 0). */
  cached: boolean;
  /** The llm_calls row written for this request (for a hit: the row recording the hit). */
  callId: number;
  /** For a hit: the paid call whose answer was reused. */
  cachedFrom?: number;
  /** Cost of this call; 0 for a hit, undefined when unknown. */
  costUsd?: number;
}

/**
 * A ChatModel that answers identical requests from the store and records every call it
 * makes, successful or failed, before returning, so a crash never loses a paid answer.
 * Identical requests in flight at the same time share one model call.
 */
export class CachedChatModel implements ChatModel {
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  readonly endpoint?: string;

  constructor(
    private readonly inner: ChatModel,
    private readonly store: Store,
    private readonly options: CachedModelOptions = {},
    private readonly inFlight: Map<string, Promise<unknown>> = new Map(),
  ) {
    this.id = inner.id;
    this.provider = inner.provider;
    this.model = inner.model;
    if (inner.endpoint !== undefined) this.endpoint = inner.endpoint;
  }

  /** The same model and cache, recording calls with `context` (merged over the current one). */
  withContext(context: CallContext): CachedChatModel {
    return new CachedChatModel(this.inner, this.store, { ...this.options, context: { ...this.options.context, ...context } }, this.inFlight);
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<CachedChatResponse> {
    const { attempt, ...callContext } = options;
    const context: CallContext = { ...this.options.context, ...dropUndefined(callContext) };
    const canonical = canonicalRequest({
      provider: this.provider,
      model: this.model,
      endpoint: this.endpoint,
      messages: request.messages,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      attempt,
    });
    const hash = requestHash(canonical);

    for (;;) {
      request.signal?.throwIfAborted();
      const answered = this.store.findCachedCall(hash);
      if (answered) return this.answerFromCache(answered, context);
      const pending = this.inFlight.get(hash);
      if (!pending) break;
      // Someone is asking the same thing right now: wait, then look in the cache again
      // (if their call failed, the loop ends with this caller asking for itself).
      await waitUnlessAborted(pending, request.signal);
    }

    const call = this.callAndRecord(request, canonical, hash, context);
    this.inFlight.set(hash, call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(hash);
    }
  }

  private answerFromCache(answered: AnsweredCall, context: CallContext): CachedChatResponse {
    const callId = this.store.recordCall({
      ...context,
      requestHash: answered.requestHash,
      provider: answered.provider,
      model: answered.model,
      request: answered.request,
      response: answered.response,
      responseModel: answered.responseModel,
      inputTokens: answered.inputTokens,
      outputTokens: answered.outputTokens,
      latencyMs: 0,
      costUsd: 0,
      cachedFrom: answered.id,
    });
    return {
      text: answered.response,
      usage: { inputTokens: answered.inputTokens, outputTokens: answered.outputTokens },
      latencyMs: 0,
      model: answered.responseModel ?? answered.model,
      cached: true,
      callId,
      cachedFrom: answered.id,
      costUsd: 0,
    };
  }

  private async callAndRecord(
    request: ChatRequest,
    canonical: CanonicalRequest,
    hash: string,
    context: CallContext,
  ): Promise<CachedChatResponse> {
    const base = { ...context, requestHash: hash, provider: this.provider, model: this.model, request: canonical };
    const started = performance.now();
    let response: ChatResponse;
    try {
      response = await this.inner.chat(request);
    } catch (error) {
      // A call the user cancelled (Ctrl-C) did not fail: it has no answer to keep and is
      // asked again on resume, so it is not recorded at all.
      if (!(error instanceof LlmCancelledError)) this.store.recordCall({ ...base, latencyMs: performance.now() - started, error: describeError(error) });
      throw error;
    }
    const costUsd = this.priceOf(response.usage);
    const callId = this.store.recordCall({
      ...base,
      response: response.text,
      responseModel: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      latencyMs: response.latencyMs,
      costUsd,
    });
    return { ...response, cached: false, callId, costUsd };
  }

  private priceOf(usage: Usage): number | undefined {
    if (!this.options.costOf) return undefined;
    try {
      const cost = this.options.costOf(this.id, usage);
      return cost !== undefined && Number.isFinite(cost) ? cost : undefined;
    } catch {
      // A broken price table must not cost us the answer: the call is stored as unpriced.
      return undefined;
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function waitUnlessAborted(pending: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  const settled = pending.then(
    () => undefined,
    () => undefined,
  );
  if (!signal) return settled;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    settled.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
