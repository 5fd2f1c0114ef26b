import { describe, expect, it } from 'vitest';
import { createChatModel } from './create.js';

describe('ChatModel.endpoint', () => {
  it('is the base URL without credentials, query or trailing slash', () => {
    const model = createChatModel('openai:gpt-4o-mini', {
      env: { OPENAI_BASE_URL: 'https://user:sk-secret@llm.example.com/v1/?token=abc', OPENAI_API_KEY: 'sk-test-key' },
    });
    expect(model.endpoint).toBe('https://llm.example.com/v1');
    expect(JSON.stringify(model)).not.toContain('sk-');
  });

  it('differs between a local server and the provider, for the same specifier', () => {
    const local = createChatModel('openai:gpt-4o-mini', { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1' } });
    const remote = createChatModel('openai:gpt-4o-mini', { env: { OPENAI_API_KEY: 'sk-test-key' } });
    expect(local.endpoint).not.toBe(remote.endpoint);
    expect(local.id).toBe(remote.id);
  });
});
