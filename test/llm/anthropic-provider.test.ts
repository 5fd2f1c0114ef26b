import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/types.js';
import { toAnthropicMessages } from '../../src/llm/anthropic-provider.js';
import { LlmAuthError, LlmHttpError, createChatModel } from '../../src/llm/index.js';
import { anthropicMessageBody, startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';

const FAKE_KEY = 'sk-ant-FAKE-0123456789abcdef';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function claude(s: FakeServer, options: { maxRetries?: number } = {}) {
  return createChatModel('anthropic:claude-test', {
    env: { ANTHROPIC_BASE_URL: s.url, ANTHROPIC_API_KEY: FAKE_KEY },
    retryDelayMs: 20,
    ...options,
  });
}

describe('anthropic provider against a fake Messages API', () => {
  it('sends system text in `system`, the key, max_tokens 4096 by default', async () => {
    server = await startFakeOpenAI(() => ({ status: 200, body: anthropicMessageBody('def f():\n    pass', { model: 'claude-served', inputTokens: 21, outputTokens: 9 }) }));
    const model = claude(server);
    expect(model.id).toBe('anthropic:claude-test');
    const res = await model.chat({
      messages: [
        { role: 'system', content: 'You write Python.' },
        { role: 'user', content: 'write f' },
      ],
      temperature: 0,
    });
    expect(res).toMatchObject({ text: 'def f():\n    pass', usage: { inputTokens: 21, outputTokens: 9 }, model: 'claude-served' });
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/messages');
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
    const sentKey = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    expect(sentKey).toBe(FAKE_KEY);
    expect(req.headers['anthropic-version']).toBeTruthy();
    expect(req.body).toEqual({
      model: 'claude-test',
      max_tokens: 4096,
      system: 'You write Python.',
      messages: [{ role: 'user', content: 'write f' }],
      temperature: 0,
    });
  });

  it('passes maxTokens through and joins several text blocks', async () => {
    server = await startFakeOpenAI(() => ({
      status: 200,
      body: { ...anthropicMessageBody(''), content: [{ type: 'text', text: 'part one, ' }, { type: 'text', text: 'part two' }] },
    }));
    const res = await claude(server).chat({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 });
    expect(res.text).toBe('part one, part two');
    expect(server.requests[0]!.body.max_tokens).toBe(50);
  });

  it('retries 529 (overloaded) and then answers', async () => {
    server = await startFakeOpenAI([
      { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
      'fine now',
    ]);
    expect((await claude(server).chat({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('fine now');
    expect(server.requests).toHaveLength(2);
  });

  it('retries exhausted → LlmHttpError with the attempts', async () => {
    server = await startFakeOpenAI(() => ({ status: 500, body: { type: 'error', error: { type: 'api_error', message: 'kaput' } } }));
    const err = await claude(server, { maxRetries: 1 }).chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(LlmHttpError);
    expect((err as Error).message).toBe(`${server.url} answered 500 after 2 attempts: kaput`);
    expect(server.requests).toHaveLength(2);
  });

  it('401 → LlmAuthError naming ANTHROPIC_API_KEY, the key redacted', async () => {
    server = await startFakeOpenAI(() => ({
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${FAKE_KEY}` } },
    }));
    const err = (await claude(server).chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(LlmAuthError);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain('check ANTHROPIC_API_KEY');
    expect(err.message).not.toContain(FAKE_KEY);
    expect(err.stack).not.toContain(FAKE_KEY);
  });

  it('the fake server queue answers in the Anthropic shape on /v1/messages', async () => {
    server = await startFakeOpenAI(['queued']);
    expect((await claude(server).chat({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('queued');
    expect(textReply(server.requests[0]!, 'x').body).toMatchObject({ type: 'message' });
  });
});

describe('toAnthropicMessages', () => {
  it('moves system messages out and merges consecutive turns of one role', () => {
    expect(
      toAnthropicMessages([
        { role: 'system', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'system', content: 'c' },
        { role: 'user', content: 'd' },
        { role: 'assistant', content: 'e' },
        { role: 'user', content: 'f' },
      ]),
    ).toEqual({
      system: 'a\n\nc',
      messages: [
        { role: 'user', content: 'b\n\nd' },
        { role: 'assistant', content: 'e' },
        { role: 'user', content: 'f' },
      ],
    });
  });

  it('omits system when there is none', () => {
    expect(toAnthropicMessages([{ role: 'user', content: 'x' }])).toEqual({ messages: [{ role: 'user', content: 'x' }] });
  });
});
