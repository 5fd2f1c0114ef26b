import type { Usage } from '../core/types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Aborts the request (and any retry wait). */
  signal?: AbortSignal;
}

export interface ChatResponse {
  text: string;
  usage: Usage;
  latencyMs: number;
  /** The model that answered, as the provider named it. */
  model: string;
}

/** One chat model behind one provider. Implementations retry, time out and bound concurrency. */
export interface ChatModel {
  /** The specifier it was made from, e.g. `openai:gpt-4o-mini`. Never contains a key. */
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  /**
   * Where requests go (the base URL, never a key), when it is fixed: part of the cache key, so
   * answers from one server (a local test endpoint) are never replayed as another's.
   */
  readonly endpoint?: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
}
