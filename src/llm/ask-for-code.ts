import type { Usage } from '../core/types.js';
import { NoCodeError } from './errors.js';
import { extractValidPython, type ValidPythonResult } from './extract.js';
import type { ChatMessage, ChatModel, ChatResponse } from './types.js';

export interface AskForCodeOptions {
  /** Calls at most, the first included (default 3). */
  maxAttempts?: number;
  signal?: AbortSignal;
  temperature?: number;
  maxTokens?: number;
}

export interface CodeAnswer {
  code: string;
  /** The reply's code fence was never closed (the reply was probably cut off) yet the code parses. */
  truncated: boolean;
  /** Every call, in order; the last one gave the code. */
  calls: ChatResponse[];
  /** Raw reply texts, in order (the same as calls[i].text). */
  replies: string[];
  /** Sums over all calls. */
  usage: Usage;
  latencyMs: number;
}

type Failure = Extract<ValidPythonResult, { error: string }>;

export function followUpMessage(failure: Failure): string {
  switch (failure.error) {
    case 'no-code':
      return 'Your reply contained no Python code. Reply with the complete code in one ```python block.';
    case 'empty':
      return 'Your reply contained an empty code block. Reply with the complete code in one ```python block.';
    case 'syntax':
      return (
        `The code in your reply is not valid Python (${failure.detail}). ` +
        'Reply with the complete corrected code in one ```python block.'
      );
  }
}

function reason(failure: Failure): string {
  switch (failure.error) {
    case 'no-code':
      return 'the last reply held no Python code';
    case 'empty':
      return 'the last reply held an empty code block';
    case 'syntax':
      return `the last reply's code does not parse (${failure.detail})`;
  }
}

function totals(calls: ChatResponse[]): { usage: Usage; latencyMs: number } {
  return {
    usage: {
      inputTokens: calls.reduce((n, c) => n + c.usage.inputTokens, 0),
      outputTokens: calls.reduce((n, c) => n + c.usage.outputTokens, 0),
    },
    latencyMs: calls.reduce((n, c) => n + c.latencyMs, 0),
  };
}

/**
 * Asks `model` until a reply holds Python that parses: after a reply without code or with a
 * syntax error, the reply and a short note of what was wrong are appended and the model is
 * asked again, up to maxAttempts calls in all; then NoCodeError (which carries the calls).
 * Errors of the calls themselves (LlmError, configuration errors) propagate unchanged.
 */
export async function askForCode(
  model: ChatModel,
  messages: ChatMessage[],
  options: AskForCodeOptions = {},
): Promise<CodeAnswer> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be ≥ 1, got ${maxAttempts}`);
  const conversation = [...messages];
  const calls: ChatResponse[] = [];
  let failure: Failure | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const response = await model.chat({
      messages: conversation,
      signal: options.signal,
      temperature: options.temperature,
      maxTokens: options.maxTokens,
    });
    calls.push(response);
    const extracted = await extractValidPython(response.text);
    if (!('error' in extracted)) {
      return {
        code: extracted.code,
        truncated: extracted.truncated ?? false,
        calls,
        replies: calls.map((c) => c.text),
        ...totals(calls),
      };
    }
    failure = extracted;
    // Some APIs refuse an empty assistant turn.
    const said = response.text.trim() ? response.text : '(empty reply)';
    conversation.push({ role: 'assistant', content: said }, { role: 'user', content: followUpMessage(extracted) });
  }
  throw new NoCodeError(reason(failure!), calls);
}
