import { afterEach, describe, expect, it } from 'vitest';
import { LlmHttpError, NoCodeError, askForCode, createChatModel, generationMessages } from '../../src/llm/index.js';
import { startFakeOpenAI, type FakeServer } from '../helpers/fake-openai.js';

const GOOD = 'import os\n\ndef read(name):\n    return open(os.path.basename(name)).read()\n';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function localModel(s: FakeServer) {
  return createChatModel('openai:coder', { env: { OPENAI_BASE_URL: s.baseURL }, retryDelayMs: 10, maxRetries: 0 });
}

describe('askForCode', () => {
  it('no code, then a syntax error, then good code → 3 calls and the good code', async () => {
    server = await startFakeOpenAI([
      'I would be happy to help with that task.',
      '```python\ndef read(name:\n    return name\n```',
      `Here you go:\n\`\`\`python\n${GOOD}\`\`\`\nDone.`,
    ]);
    const messages = generationMessages('def read(name):\n    """Read a file."""\n');
    const answer = await askForCode(localModel(server), messages);

    expect(answer.code).toBe(GOOD);
    expect(answer.truncated).toBe(false);
    expect(answer.calls).toHaveLength(3);
    expect(answer.replies[0]).toBe('I would be happy to help with that task.');
    expect(answer.usage.inputTokens).toBe(30); // 10 per call from the fake server
    expect(answer.usage.outputTokens).toBe(answer.calls.reduce((n, c) => n + c.usage.outputTokens, 0));
    expect(server.requests).toHaveLength(3);

    // The second request carries the first reply and a note that it held no code.
    const second = server.requests[1]!.body.messages;
    expect(second).toHaveLength(3);
    expect(second[0]).toEqual(messages[0]);
    expect(second[1]).toEqual({ role: 'assistant', content: 'I would be happy to help with that task.' });
    expect(second[2].role).toBe('user');
    expect(second[2].content).toMatch(/no Python code/);

    // The third carries the syntax error with its line.
    const third = server.requests[2]!.body.messages;
    expect(third).toHaveLength(5);
    expect(third[4].content).toMatch(/not valid Python \(line 1: /);
  });

  it('always bad → NoCodeError after maxAttempts, carrying every call', async () => {
    server = await startFakeOpenAI(['Sorry, I cannot.', 'Still no.', 'No.', 'never asked']);
    const err = (await askForCode(localModel(server), [{ role: 'user', content: 'write code' }], { maxAttempts: 3 }).catch(
      (e: Error) => e,
    )) as NoCodeError;
    expect(err).toBeInstanceOf(NoCodeError);
    expect(err.calls).toHaveLength(3);
    expect(err.replies).toEqual(['Sorry, I cannot.', 'Still no.', 'No.']);
    expect(err.message).toBe('no usable Python code after 3 replies: the last reply held no Python code');
    expect(server.requests).toHaveLength(3);
  });

  it('maxAttempts: 1 asks once', async () => {
    server = await startFakeOpenAI(['```python\ndef broken(:\n```']);
    const err = (await askForCode(localModel(server), [{ role: 'user', content: 'x' }], { maxAttempts: 1 }).catch((e: Error) => e)) as NoCodeError;
    expect(err).toBeInstanceOf(NoCodeError);
    expect(err.message).toMatch(/after 1 reply: the last reply's code does not parse \(line 1: /);
    expect(server.requests).toHaveLength(1);
  });

  it('good code at once → one call', async () => {
    server = await startFakeOpenAI([`\`\`\`python\n${GOOD}\`\`\``]);
    const answer = await askForCode(localModel(server), [{ role: 'user', content: 'x' }], { temperature: 0, maxTokens: 256 });
    expect(answer.calls).toHaveLength(1);
    expect(server.requests[0]!.body).toMatchObject({ temperature: 0, max_tokens: 256 });
  });

  it('an empty reply is answered with a placeholder assistant turn', async () => {
    server = await startFakeOpenAI(['', `\`\`\`python\n${GOOD}\`\`\``]);
    await askForCode(localModel(server), [{ role: 'user', content: 'x' }]);
    expect(server.requests[1]!.body.messages[1]).toEqual({ role: 'assistant', content: '(empty reply)' });
  });

  it('a failing call propagates its own error', async () => {
    server = await startFakeOpenAI(() => ({ status: 503, body: { error: { message: 'down' } } }));
    await expect(askForCode(localModel(server), [{ role: 'user', content: 'x' }])).rejects.toBeInstanceOf(LlmHttpError);
  });
});
