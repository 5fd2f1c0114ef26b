// anthropic:<model> through the Messages API.

import Anthropic, { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { LlmResponseError, displayUrl } from './errors.js';
import type { Endpoint } from './endpoints.js';
import type { ProviderReply, Transport } from './resilient-model.js';
import type { AttemptFailure } from './retry.js';
import { describeSdkFailure } from './sdk-errors.js';
import type { ChatMessage, ChatRequest } from './types.js';

export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export interface AnthropicTransportOptions {
  endpoint: Endpoint;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * The Messages API takes system text in its own field and wants user and assistant turns
 * to alternate starting with a user turn: consecutive turns of one role are merged.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system?: string; messages: MessageParam[] } {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const turns: MessageParam[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const last = turns[turns.length - 1];
    if (last && last.role === m.role) last.content = `${last.content as string}\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  return { ...(system ? { system } : {}), messages: turns };
}

export class AnthropicTransport implements Transport {
  readonly #client: Anthropic;
  readonly #model: string;
  readonly #baseUrl: string;

  constructor(options: AnthropicTransportOptions) {
    this.#model = options.model;
    this.#baseUrl = options.endpoint.baseUrl;
    this.#client = new Anthropic({
      apiKey: options.endpoint.apiKey,
      authToken: null,
      baseURL: options.endpoint.baseUrl,
      maxRetries: 0,
      timeout: options.timeoutMs + 5_000,
      logLevel: 'off',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async send(request: ChatRequest, signal: AbortSignal): Promise<ProviderReply> {
    const { system, messages } = toAnthropicMessages(request.messages);
    if (messages.length === 0 || messages[0]!.role !== 'user') {
      throw new TypeError('an Anthropic request needs a user message before any assistant message');
    }
    const body: MessageCreateParamsNonStreaming = {
      model: this.#model,
      max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages,
      ...(system ? { system } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
    const message = await this.#client.messages.create(body, { signal, maxRetries: 0 });
    if (!Array.isArray(message.content)) {
      throw new LlmResponseError(`${displayUrl(this.#baseUrl)} answered without content for model '${this.#model}'`);
    }
    const text = message.content
      .filter((block): block is Extract<typeof block, { type: 'text' }> => block.type === 'text')
      .map((block) => block.text)
      .join('');
    return {
      text,
      usage: { inputTokens: message.usage?.input_tokens ?? 0, outputTokens: message.usage?.output_tokens ?? 0 },
      model: message.model || this.#model,
    };
  }

  describeFailure(err: unknown): AttemptFailure | undefined {
    return describeSdkFailure(err, { APIError, APIConnectionError });
  }
}
