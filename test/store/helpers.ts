// Shared by the store's tests: temporary folders and a counting fake chat model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChatModel, ChatRequest, ChatResponse } from '../../src/llm/types.js';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'secagent-store-'));
}

/** Answers each request with its last message reversed and counts how often it was asked. */
export class CountingModel implements ChatModel {
  readonly id: string;
  calls = 0;
  failNext: Error | undefined;
  delayMs = 0;

  constructor(
    readonly provider = 'fake',
    readonly model = 'counting',
  ) {
    this.id = `${provider}:${model}`;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.calls++;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const last = request.messages[request.messages.length - 1]?.content ?? '';
    return {
      text: `${[...last].reverse().join('')} #${this.calls}`,
      usage: { inputTokens: last.length, outputTokens: last.length + 3 },
      latencyMs: 40,
      model: 'counting-snapshot',
    };
  }
}
