// openai:, nim: and ollama: all speak the OpenAI chat-completions API; one transport serves them.

import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { LlmResponseError, displayUrl } from './errors.js';
import type { Endpoint } from './endpoints.js';
import type { ProviderReply, Transport } from './resilient-model.js';
import type { AttemptFailure } from './retry.js';
import { describeSdkFailure } from './sdk-errors.js';
import type { ChatRequest } from './types.js';

export interface OpenAITransportOptions {
  endpoint: Endpoint;
  model: string;
  /** Per attempt; the SDK's own timer is set a little later so ours decides. */
  timeoutMs: number;
  fetch?: typeof fetch;
  organization?: string;
  project?: string;
}

export class OpenAITransport implements Transport {
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #baseUrl: string;
  /** OpenAI's own API wants max_completion_tokens (its reasoning models refuse max_tokens); other servers know max_tokens. */
  readonly #maxTokensField: 'max_tokens' | 'max_completion_tokens';

  constructor(options: OpenAITransportOptions) {
    this.#model = options.model;
    this.#baseUrl = options.endpoint.baseUrl;
    this.#maxTokensField = new URL(this.#baseUrl).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
    this.#client = new OpenAI({
      apiKey: options.endpoint.apiKey,
      baseURL: options.endpoint.baseUrl,
      organization: options.organization ?? null,
      project: options.project ?? null,
      maxRetries: 0,
      timeout: options.timeoutMs + 5_000,
      logLevel: 'off',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async send(request: ChatRequest, signal: AbortSignal): Promise<ProviderReply> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.#model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body[this.#maxTokensField] = request.maxTokens;
    const completion = await this.#client.chat.completions.create(body, { signal, maxRetries: 0 });
    const choice = completion.choices?.[0];
    if (!choice) throw new LlmResponseError(`${displayUrl(this.#baseUrl)} answered without any choice for model '${this.#model}'`);
    return {
      text: choice.message?.content ?? '',
      usage: {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      },
      model: completion.model || this.#model,
    };
  }

  describeFailure(err: unknown): AttemptFailure | undefined {
    return describeSdkFailure(err, { APIError, APIConnectionError });
  }
}
