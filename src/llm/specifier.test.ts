import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { isLocalUrl, ollamaBaseUrl, resolveEndpoint } from './endpoints.js';
import { InvalidBaseUrlError, MissingApiKeyError, UnknownModelSpecifierError } from './errors.js';
import { formatModelSpecifier, parseModelSpecifier } from './specifier.js';

describe('parseModelSpecifier', () => {
  it.each([
    ['openai:gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['anthropic:claude-sonnet-4-20250514', 'anthropic', 'claude-sonnet-4-20250514'],
    ['ollama:llama3:8b', 'ollama', 'llama3:8b'],
    ['ollama:hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M', 'ollama', 'hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M'],
    ['nim:meta/llama-3.1-70b-instruct', 'nim', 'meta/llama-3.1-70b-instruct'],
    ['  OpenAI:gpt-4o ', 'openai', 'gpt-4o'],
  ])('%s → %s / %s', (spec, provider, model) => {
    expect(parseModelSpecifier(spec)).toEqual({ provider, model });
  });

  it.each(['gpt-4o', 'foo:bar', 'openai:', 'openai:  ', ':gpt-4o', '', 'azure:gpt-4o', 'openai:gpt 4o'])(
    'rejects %j with a message listing the providers',
    (spec) => {
      const attempt = () => parseModelSpecifier(spec);
      expect(attempt).toThrow(UnknownModelSpecifierError);
      expect(attempt).toThrow(UserError);
      expect(attempt).toThrow(`unknown model specifier '${spec}': use openai:<model>, nim:<model>, ollama:<model> or anthropic:<model>`);
    },
  );

  it('formats back to the same text', () => {
    expect(formatModelSpecifier(parseModelSpecifier('ollama:llama3:8b'))).toBe('ollama:llama3:8b');
  });
});

describe('resolveEndpoint', () => {
  it('openai needs OPENAI_API_KEY against the public API', () => {
    expect(() => resolveEndpoint('openai', {})).toThrow(MissingApiKeyError);
    expect(() => resolveEndpoint('openai', {})).toThrow(/^OPENAI_API_KEY is not set: export OPENAI_API_KEY=\.\.\./);
    expect(() => resolveEndpoint('openai', { OPENAI_API_KEY: '   ' })).toThrow(MissingApiKeyError);
    const e = resolveEndpoint('openai', { OPENAI_API_KEY: 'sk-test-123456' });
    expect(e).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test-123456', local: false });
  });

  it('openai against a local server needs no key and sends a placeholder', () => {
    for (const base of ['http://127.0.0.1:8000/v1', 'http://localhost:1234/v1/', 'http://[::1]:8080/v1']) {
      const e = resolveEndpoint('openai', { OPENAI_BASE_URL: base });
      expect(e.local).toBe(true);
      expect(e.apiKey.length).toBeGreaterThan(0);
      expect(e.baseUrl.endsWith('/')).toBe(false);
    }
  });

  it('a remote OPENAI_BASE_URL still needs a key', () => {
    expect(() => resolveEndpoint('openai', { OPENAI_BASE_URL: 'https://llm.example.com/v1' })).toThrow(MissingApiKeyError);
  });

  it('nim reads NVIDIA_API_KEY and NIM_BASE_URL', () => {
    expect(() => resolveEndpoint('nim', {})).toThrow(
      'NVIDIA_API_KEY is not set: export NVIDIA_API_KEY=... (get a key at build.nvidia.com)',
    );
    expect(resolveEndpoint('nim', { NVIDIA_API_KEY: 'nvapi-xyz' }).baseUrl).toBe('https://integrate.api.nvidia.com/v1');
    expect(resolveEndpoint('nim', { NIM_BASE_URL: 'http://127.0.0.1:9000/v1' }).local).toBe(true);
  });

  it('anthropic reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', () => {
    expect(() => resolveEndpoint('anthropic', {})).toThrow(/^ANTHROPIC_API_KEY is not set/);
    expect(resolveEndpoint('anthropic', { ANTHROPIC_API_KEY: 'sk-ant-x' }).baseUrl).toBe('https://api.anthropic.com');
  });

  it('ollama needs no key and builds its /v1 URL from OLLAMA_HOST', () => {
    expect(resolveEndpoint('ollama', {}).baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(ollamaBaseUrl('0.0.0.0:11434')).toBe('http://127.0.0.1:11434/v1');
    expect(ollamaBaseUrl('gpu-box')).toBe('http://gpu-box:11434/v1');
    expect(ollamaBaseUrl('http://gpu-box:8080/')).toBe('http://gpu-box:8080/v1');
    expect(ollamaBaseUrl('https://ollama.example.com/v1')).toBe('https://ollama.example.com/v1');
  });

  it('rejects a base URL that is not http(s), without echoing credentials', () => {
    expect(() => resolveEndpoint('openai', { OPENAI_BASE_URL: 'not a url' })).toThrow(InvalidBaseUrlError);
    expect(() => resolveEndpoint('openai', { OPENAI_BASE_URL: 'ftp://user:hunter22@host/v1' })).toThrow(/ftp:\/\/host\/v1/);
    expect(() => resolveEndpoint('openai', { OPENAI_BASE_URL: 'ftp://user:hunter22@host/v1' })).not.toThrow(/hunter22/);
  });

  it('isLocalUrl', () => {
    expect(isLocalUrl('http://127.0.0.2:1/')).toBe(true);
    expect(isLocalUrl('http://localhost/')).toBe(true);
    expect(isLocalUrl('https://api.openai.com/v1')).toBe(false);
    expect(isLocalUrl('http://127.0.0.1.example.com/')).toBe(false);
  });
});
