import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/types.js';
import {
  EndpointUnreachableError,
  LlmAuthError,
  LlmCancelledError,
  LlmError,
  LlmHttpError,
  LlmNotFoundError,
  LlmTimeoutError,
  MissingApiKeyError,
  createChatModel,
  type ChatModelOptions,
} from '../../src/llm/index.js';
import { chatCompletionBody, startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';

const FAKE_KEY = 'sk-FAKE-secret-0123456789abcdef';
const hello = [{ role: 'user' as const, content: 'hello' }];

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(...args: Parameters<typeof startFakeOpenAI>): Promise<FakeServer> {
  const server = await startFakeOpenAI(...args);
  servers.push(server);
  return server;
}

function openaiModel(server: FakeServer, options: ChatModelOptions = {}, model = 'test-model') {
  return createChatModel(`openai:${model}`, {
    env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: FAKE_KEY },
    retryDelayMs: 20,
    ...options,
  });
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

function expectNoKey(err: Error): void {
  expect(err.message).not.toContain(FAKE_KEY);
  expect(String(err)).not.toContain(FAKE_KEY);
  expect(err.stack ?? '').not.toContain(FAKE_KEY);
  expect(JSON.stringify(err)).not.toContain(FAKE_KEY);
  expect(String((err as { cause?: unknown }).cause ?? '')).not.toContain(FAKE_KEY);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('openai provider: a plain call', () => {
  it('sends the chat request with the key and returns text, usage, latency and model', async () => {
    const server = await serve((req) => ({ status: 200, body: chatCompletionBody('hi there', { model: 'served-model', inputTokens: 7, outputTokens: 3 }), delayMs: 50 }));
    const model = openaiModel(server);
    expect(model.id).toBe('openai:test-model');
    expect(model.provider).toBe('openai');
    const res = await model.chat({ messages: [{ role: 'system', content: 'be brief' }, ...hello], temperature: 0.2, maxTokens: 64 });
    expect(res).toMatchObject({ text: 'hi there', usage: { inputTokens: 7, outputTokens: 3 }, model: 'served-model' });
    expect(res.latencyMs).toBeGreaterThanOrEqual(45);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
    expect(req.body).toMatchObject({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      temperature: 0.2,
      max_tokens: 64,
    });
  });

  it('a model object never serializes its key', async () => {
    const server = await serve(['x']);
    const model = openaiModel(server);
    expect(JSON.stringify(model)).not.toContain(FAKE_KEY);
    expect(JSON.stringify(model)).toContain('openai:test-model');
  });

  it('works against a local server without any key (placeholder sent)', async () => {
    const server = await serve(['ok']);
    const model = createChatModel('openai:local', { env: { OPENAI_BASE_URL: server.baseURL } });
    expect((await model.chat({ messages: hello })).text).toBe('ok');
    expect(server.requests[0]!.headers.authorization).toMatch(/^Bearer \S+/);
  });

  it('nim: uses NIM_BASE_URL and NVIDIA_API_KEY, model names with slashes', async () => {
    const server = await serve(['from nim']);
    const model = createChatModel('nim:meta/llama-3.1-70b-instruct', {
      env: { NIM_BASE_URL: server.baseURL, NVIDIA_API_KEY: FAKE_KEY },
    });
    expect((await model.chat({ messages: hello })).text).toBe('from nim');
    expect(server.requests[0]!.body.model).toBe('meta/llama-3.1-70b-instruct');
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
  });

  it('ollama: uses OLLAMA_HOST + /v1, model names with colons', async () => {
    const server = await serve(['from ollama']);
    const model = createChatModel('ollama:llama3:8b', { env: { OLLAMA_HOST: server.url.replace('http://', '') } });
    expect((await model.chat({ messages: hello })).text).toBe('from ollama');
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(server.requests[0]!.body.model).toBe('llama3:8b');
  });

  it('openai.com gets max_completion_tokens, through an injected fetch', async () => {
    const seen: { url: string; body: any }[] = [];
    const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      return new Response(JSON.stringify(chatCompletionBody('remote')), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const model = createChatModel('openai:gpt-4o-mini', { env: { OPENAI_API_KEY: FAKE_KEY }, fetch: fakeFetch });
    expect((await model.chat({ messages: hello, maxTokens: 100 })).text).toBe('remote');
    expect(seen[0]!.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(seen[0]!.body.max_completion_tokens).toBe(100);
    expect(seen[0]!.body.max_tokens).toBeUndefined();
  });
});

describe('openai provider: missing keys fail when the model is created', () => {
  it.each([
    ['openai:gpt-4o', 'OPENAI_API_KEY'],
    ['nim:meta/llama-3.1-8b-instruct', 'NVIDIA_API_KEY'],
    ['anthropic:claude-sonnet-4-20250514', 'ANTHROPIC_API_KEY'],
  ])('%s without %s → MissingApiKeyError naming it', (spec, envVar) => {
    const create = () => createChatModel(spec, { env: {} });
    expect(create).toThrow(MissingApiKeyError);
    expect(create).toThrow(UserError);
    expect(create).toThrow(new RegExp(`^${envVar} is not set: export ${envVar}=\\.\\.\\.`));
  });
});

describe('openai provider: retries', () => {
  it('429 with Retry-After: 1 waits about a second, then succeeds', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } }, 'finally']);
    const res = await openaiModel(server).chat({ messages: hello });
    expect(res.text).toBe('finally');
    expect(server.requests).toHaveLength(2);
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(2500);
  });

  it('retry-after-ms is honoured too', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after-ms': '400' }, body: {} }, 'ok']);
    await openaiModel(server).chat({ messages: hello });
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(380);
    expect(gap).toBeLessThan(1500);
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const server = await serve((req, i) =>
      i === 0 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() }, body: {} } : textReply(req, 'ok'),
    );
    await openaiModel(server).chat({ messages: hello });
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    // HTTP dates have whole seconds: the wait is between 1 and 2 s.
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(3000);
  });

  it('500 then success: one retry after the default backoff', async () => {
    const server = await serve([{ status: 500, body: { error: { message: 'boom' } } }, 'recovered']);
    const model = createChatModel('openai:m', { env: { OPENAI_BASE_URL: server.baseURL } });
    expect((await model.chat({ messages: hello })).text).toBe('recovered');
    expect(server.requests).toHaveLength(2);
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(350); // 500 ms less up to 25 % jitter
  });

  it('408 and 409 are retried', async () => {
    const server = await serve([{ status: 408, body: {} }, { status: 409, body: {} }, 'third time']);
    expect((await openaiModel(server).chat({ messages: hello })).text).toBe('third time');
    expect(server.requests).toHaveLength(3);
  });

  it('a connection reset (socket destroyed) then success', async () => {
    const server = await serve([{ destroy: true }, 'after reset']);
    expect((await openaiModel(server).chat({ messages: hello })).text).toBe('after reset');
    expect(server.requests).toHaveLength(2);
  });

  it('retries exhausted → LlmHttpError naming the URL, the status and the attempts', async () => {
    const server = await serve(() => ({ status: 500, body: { error: { message: 'internal trouble' } } }));
    const err = await failure(openaiModel(server, { maxRetries: 2 }).chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmHttpError);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).not.toBeInstanceOf(UserError);
    expect(err.message).toBe(`${server.baseURL} answered 500 after 3 attempts: internal trouble`);
    expect((err as LlmHttpError).status).toBe(500);
    expect(server.requests).toHaveLength(3);
  });

  it('maxRetries: 0 makes exactly one attempt', async () => {
    const server = await serve(() => ({ status: 502, body: 'bad gateway' }));
    const err = await failure(openaiModel(server, { maxRetries: 0 }).chat({ messages: hello }));
    expect(err.message).toContain('answered 502 after 1 attempt');
    expect(server.requests).toHaveLength(1);
  });

  it('400 is not retried', async () => {
    const server = await serve(() => ({ status: 400, body: { error: { message: 'context length exceeded' } } }));
    const err = await failure(openaiModel(server).chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmHttpError);
    expect(err.message).toContain('answered 400 after 1 attempt: context length exceeded');
    expect(server.requests).toHaveLength(1);
  });

  it('404 → LlmNotFoundError (a configuration problem) naming the model', async () => {
    const server = await serve(() => ({ status: 404, body: { error: { message: "model 'nope' not found" } } }));
    const err = await failure(openaiModel(server, {}, 'nope').chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmNotFoundError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain("for model 'nope'");
    expect(server.requests).toHaveLength(1);
  });

  it('a Retry-After longer than maxRetryAfterMs fails at once', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'daily quota' } } }));
    const started = Date.now();
    const err = await failure(openaiModel(server).chat({ messages: hello }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(LlmHttpError);
    expect((err as LlmHttpError).retryAfterMs).toBe(3_600_000);
    expect(err.message).toContain('asked to wait 3600 s');
    expect(server.requests).toHaveLength(1);
  });
});

describe('openai provider: timeouts, unreachable servers, cancellation', () => {
  it('a server that never answers → LlmTimeoutError after each attempt times out', async () => {
    const server = await serve(() => ({ hang: true }));
    const started = Date.now();
    const err = await failure(openaiModel(server, { timeoutMs: 300, maxRetries: 1 }).chat({ messages: hello }));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(LlmTimeoutError);
    expect(err.message).toBe(`${server.baseURL} did not answer within 300 ms (2 attempts); raise the timeout (--timeout <seconds>) if the model is slow`);
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(3000);
  });

  it('a slow answer within the timeout succeeds', async () => {
    const server = await serve(['slow but fine'], { delayMs: 200 });
    expect((await openaiModel(server, { timeoutMs: 2000 }).chat({ messages: hello })).text).toBe('slow but fine');
  });

  it('connection refused → EndpointUnreachableError telling what to set', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/v1`;
    const model = createChatModel('openai:m', { env: { OPENAI_BASE_URL: base }, maxRetries: 1, retryDelayMs: 10 });
    const err = await failure(model.chat({ messages: hello }));
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`cannot reach ${base}: connection refused (2 attempts); is the server running? set OPENAI_BASE_URL`);
  });

  it('a port fetch refuses (9) → EndpointUnreachableError at once, no retries', async () => {
    // fetch rejects ports on the WHATWG bad-ports list before connecting: nothing is sent.
    const base = 'http://127.0.0.1:9/v1';
    const model = createChatModel('openai:m', { env: { OPENAI_BASE_URL: base }, maxRetries: 3, retryDelayMs: 10 });
    const err = await failure(model.chat({ messages: hello }));
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9\/v1: fetch refuses to connect to this port .* \(1 attempt\); is the server running\? set OPENAI_BASE_URL$/);
  });

  it('an abort while the server is silent cancels at once', async () => {
    const server = await serve(() => ({ hang: true }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const err = await failure(openaiModel(server, { timeoutMs: 10_000 }).chat({ messages: hello, signal: controller.signal }));
    expect(err).toBeInstanceOf(LlmCancelledError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during the wait before a retry cancels at once', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '5' }, body: {} }, 'too late']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const err = await failure(openaiModel(server).chat({ messages: hello, signal: controller.signal }));
    expect(err).toBeInstanceOf(LlmCancelledError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const server = await serve(['never']);
    const err = await failure(openaiModel(server).chat({ messages: hello, signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(LlmCancelledError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('openai provider: concurrency bound', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve(async (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 100));
      inFlight--;
      return textReply(req, 'done');
    });
    const model = openaiModel(server, { concurrency: 2 });
    const replies = await Promise.all(Array.from({ length: 6 }, () => model.chat({ messages: hello })));
    expect(replies.map((r) => r.text)).toEqual(Array(6).fill('done'));
    expect(server.requests).toHaveLength(6);
    expect(peak).toBe(2);
  });
});

describe('openai provider: the key never appears in an error', () => {
  const echo = { error: { message: `Incorrect API key provided: ${FAKE_KEY}. Authorization: Bearer ${FAKE_KEY}` } };

  it('401 echoing the key → LlmAuthError naming OPENAI_API_KEY, key redacted', async () => {
    const server = await serve(() => ({ status: 401, body: echo }));
    const err = await failure(openaiModel(server).chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmAuthError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain('check OPENAI_API_KEY');
    expect(err.message).toContain('[REDACTED]');
    expectNoKey(err);
    expect(server.requests).toHaveLength(1);
  });

  it('500 echoing the key, retries exhausted, key redacted', async () => {
    const server = await serve(() => ({ status: 500, body: echo }));
    const err = await failure(openaiModel(server, { maxRetries: 1 }).chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmHttpError);
    expectNoKey(err);
  });

  it('a non-JSON error body echoing the key, key redacted', async () => {
    const server = await serve(() => ({ status: 400, body: `bad request for key ${FAKE_KEY}` }));
    const err = await failure(openaiModel(server).chat({ messages: hello }));
    expect(err.message).toContain('bad request for key [REDACTED]');
    expectNoKey(err);
  });

  it('a 200 answer that is not JSON, echoing the key, key redacted', async () => {
    const server = await serve(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `{not json ${FAKE_KEY}` }));
    const err = await failure(openaiModel(server).chat({ messages: hello }));
    expect(err).toBeInstanceOf(LlmError);
    expectNoKey(err);
  });
});
