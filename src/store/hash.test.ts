import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash, requestHash } from './hash.js';
import { redactSecrets, redactText } from './redact.js';

describe('canonicalJson and requestHash', () => {
  it('does not depend on key order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
  });

  it('hashes what decides the answer and nothing else', () => {
    const base = { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0 };
    const hash = requestHash(base);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash({ temperature: 0, messages: base.messages, model: 'gpt-4o', provider: 'openai' })).toBe(hash);
    expect(requestHash({ ...base, attempt: 0 })).toBe(hash);
    expect(requestHash({ ...base, attempt: 1 })).not.toBe(hash);
    expect(requestHash({ ...base, temperature: 0.2 })).not.toBe(hash);
    expect(requestHash({ ...base, maxTokens: 100 })).not.toBe(hash);
    expect(requestHash({ ...base, provider: 'openrouter' })).not.toBe(hash);
    expect(requestHash({ ...base, messages: [{ role: 'system', content: 'hi' }] })).not.toBe(hash);
  });
});

describe('redaction', () => {
  it('masks provider keys, bearer tokens and key=value pairs in text', () => {
    const text = redactText(
      'failed: sk-ant-api03-AbCdEf0123456789xyz; Authorization: Bearer abcdefgh12345678; url?api_key=QWERTY123456&x=1',
    );
    expect(text).toBe('failed: [redacted]; Authorization: Bearer [redacted]; url?api_key=[redacted]&x=1');
  });

  it('masks the value of a key-named environment variable wherever it appears', () => {
    process.env.SECAGENT_TEST_API_KEY = 'plainvalue-without-a-prefix';
    try {
      expect(redactText('got plainvalue-without-a-prefix back')).toBe('got [redacted] back');
    } finally {
      delete process.env.SECAGENT_TEST_API_KEY;
    }
  });

  it('masks secret-named members of a config but keeps token counts and ordinary text', () => {
    expect(
      redactSecrets({ apiKey: 'x', api_key: 'y', password: 'p', maxTokens: 10, model: 'gpt-4o', nested: [{ token: 't', authToken: 'a' }] }),
    ).toEqual({ apiKey: '[redacted]', api_key: '[redacted]', password: '[redacted]', maxTokens: 10, model: 'gpt-4o', nested: [{ token: 't', authToken: '[redacted]' }] });
  });
});
