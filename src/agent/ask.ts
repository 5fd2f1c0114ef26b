// Asking a model for code until a reply is usable: it holds Python that parses, and passes
// the caller's check (for a repair: the task's functions kept). A bad reply is answered
// with what was wrong and the model is asked again, a bounded number of times.
import { followUpMessage } from '../llm/ask-for-code.js';
import { extractValidPython } from '../llm/extract.js';
import type { ChatMessage } from '../llm/types.js';
import type { CachedChatModel } from '../store/cached-model.js';
import type { CallContext } from '../store/records.js';

export interface AskOptions {
  /** Calls at most, the first included. */
  maxAsks: number;
  temperature?: number;
  signal?: AbortSignal;
  /**
   * Cache discriminator: two deliberate asks with identical messages (the same code repaired
   * in two rounds) must be distinct cache entries, and the same ones again on a resume.
   */
  attempt?: number;
  context: CallContext;
  /** Why the code cannot be accepted, or null when it can. */
  accept?: (code: string) => Promise<string | null>;
}

export interface AskOutcome {
  code: string;
  /** The llm_calls row whose answer gave the code. */
  callId: number;
  asks: number;
}

/** No reply was usable; `reason` says what was wrong with the last one. */
export class NoUsableReplyError extends Error {
  constructor(
    readonly reason: string,
    readonly asks: number,
  ) {
    super(`no usable code after ${asks} ${asks === 1 ? 'reply' : 'replies'}: ${reason}`);
    this.name = 'NoUsableReplyError';
  }
}

export function rejectionMessage(reason: string): string {
  return (
    `The code in your reply cannot be accepted: ${reason}. ` +
    'Keep every function and class of the task with its name and parameters, fix the weaknesses inside them, ' +
    'and reply with the complete code in one ```python block.'
  );
}

export async function askForUsableCode(model: CachedChatModel, messages: ChatMessage[], options: AskOptions): Promise<AskOutcome> {
  if (!Number.isInteger(options.maxAsks) || options.maxAsks < 1) throw new RangeError(`maxAsks must be ≥ 1, got ${options.maxAsks}`);
  const conversation = [...messages];
  let reason = '';
  for (let ask = 1; ask <= options.maxAsks; ask++) {
    const response = await model.chat(
      { messages: conversation, temperature: options.temperature, signal: options.signal },
      { ...options.context, attempt: options.attempt },
    );
    const extracted = await extractValidPython(response.text);
    let followUp: string;
    if ('error' in extracted) {
      reason = extracted.error === 'syntax' ? `the code does not parse (${extracted.detail})` : extracted.detail;
      followUp = followUpMessage(extracted);
    } else {
      const rejected = options.accept ? await options.accept(extracted.code) : null;
      if (rejected === null) return { code: extracted.code, callId: response.callId, asks: ask };
      reason = rejected;
      followUp = rejectionMessage(rejected);
    }
    // Some APIs refuse an empty assistant turn.
    conversation.push({ role: 'assistant', content: response.text.trim() ? response.text : '(empty reply)' }, { role: 'user', content: followUp });
  }
  throw new NoUsableReplyError(reason, options.maxAsks);
}
