// A tiny OpenAI-compatible (and Anthropic-compatible) HTTP server for tests, on 127.0.0.1
// with a free port. A handler decides each answer; `fromQueue` answers from a list.
//
//   const server = await startFakeOpenAI(['```python\nprint(1)\n```']);
//   const model = createChatModel('openai:test', { env: { OPENAI_BASE_URL: server.baseURL } });
//   ... server.requests[0].body.messages ...
//   await server.close();

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  destroy?: boolean;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;

/** A queue entry: the text of a successful reply, or a full FakeReply. */
export type QueueItem = string | FakeReply;

export interface FakeServer {
  /** `http://127.0.0.1:PORT` (Anthropic's base URL form). */
  url: string;
  /** `http://127.0.0.1:PORT/v1` (OpenAI's base URL form). */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const approxTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** A chat.completions response holding `text`. */
export function chatCompletionBody(text: string, options: { model?: string; inputTokens?: number; outputTokens?: number } = {}) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model ?? 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
    usage: {
      prompt_tokens: options.inputTokens ?? 10,
      completion_tokens: options.outputTokens ?? approxTokens(text),
      total_tokens: (options.inputTokens ?? 10) + (options.outputTokens ?? approxTokens(text)),
    },
  };
}

/** An Anthropic Messages API response holding `text`. */
export function anthropicMessageBody(text: string, options: { model?: string; inputTokens?: number; outputTokens?: number } = {}) {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'fake-claude',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: options.inputTokens ?? 10, output_tokens: options.outputTokens ?? approxTokens(text) },
  };
}

/** A successful reply in the API shape the request's path asks for. */
export function textReply(request: RecordedRequest, text: string): FakeReply {
  const model = typeof request.body?.model === 'string' ? request.body.model : undefined;
  const body = request.path.includes('/messages') ? anthropicMessageBody(text, { model }) : chatCompletionBody(text, { model });
  return { status: 200, body };
}

/** Answers from `items` in order; when they run out, 500. `delayMs` delays every answer. */
export function fromQueue(items: QueueItem[], options: { delayMs?: number } = {}): FakeHandler {
  const queue = [...items];
  return (request) => {
    const next = queue.shift();
    if (next === undefined) return { status: 500, body: { error: { message: 'fake server: no more replies queued' } } };
    const reply = typeof next === 'string' ? textReply(request, next) : next;
    return { delayMs: options.delayMs, ...reply };
  };
}

function send(res: ServerResponse, reply: FakeReply): void {
  const status = reply.status ?? 200;
  const isText = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(status, {
    'content-type': isText ? 'text/plain' : 'application/json',
    ...reply.headers,
  });
  res.end(payload);
}

/** Starts the server. Give a handler, or a list of replies (see fromQueue). */
export async function startFakeOpenAI(handlerOrQueue: FakeHandler | QueueItem[], options: { delayMs?: number } = {}): Promise<FakeServer> {
  const handler = Array.isArray(handlerOrQueue) ? fromQueue(handlerOrQueue, options) : handlerOrQueue;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        rawBody,
        body,
        receivedAt: Date.now(),
      };
      const index = requests.push(recorded) - 1;
      let reply: FakeReply;
      try {
        reply = await handler(recorded, index);
      } catch (err) {
        reply = { status: 500, body: { error: { message: `fake server handler failed: ${String(err)}` } } };
      }
      if (reply.hang) return;
      const answer = () => {
        if (reply.destroy) req.socket.destroy();
        else send(res, reply);
      };
      if (reply.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) answer();
        }, reply.delayMs);
        timers.add(t);
      } else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
