// Where each provider's server is and which key it needs, read from the environment.

import { InvalidBaseUrlError, MissingApiKeyError } from './errors.js';
import type { Provider } from './specifier.js';

export interface Endpoint {
  /** Base URL handed to the SDK (OpenAI-compatible ones end in /v1). */
  baseUrl: string;
  /** The variable that sets the base URL, named in "cannot reach" messages. */
  baseUrlEnvVar: string;
  /** The variable that holds the key, when the provider uses one. */
  keyEnvVar?: string;
  /** The key to send; a placeholder for servers that need none. Never printed. */
  apiKey: string;
  /** True when the server runs on this machine (no key needed). */
  local: boolean;
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_NIM_BASE_URL = 'https://integrate.api.nvidia.com/v1';
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** Sent to local servers that ignore the key; the SDKs refuse to start without one. */
const PLACEHOLDER_KEY = 'no-key-needed';

const KEY_HINTS: Record<string, string> = {
  OPENAI_API_KEY: 'get a key at platform.openai.com/api-keys, or point OPENAI_BASE_URL at a local server',
  NVIDIA_API_KEY: 'get a key at build.nvidia.com',
  ANTHROPIC_API_KEY: 'get a key at console.anthropic.com',
};

export function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host === '0.0.0.0' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parseBaseUrl(envVar: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidBaseUrlError(envVar, value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidBaseUrlError(envVar, value);
  return value.replace(/\/+$/, '');
}

/**
 * OLLAMA_HOST as Ollama itself accepts it: `host`, `host:port`, `0.0.0.0:11434` or a full URL.
 * 0.0.0.0 is where a server listens, not an address to call, so it becomes 127.0.0.1.
 */
export function ollamaBaseUrl(host: string | undefined): string {
  let value = (host ?? '').trim() || DEFAULT_OLLAMA_HOST;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `http://${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidBaseUrlError('OLLAMA_HOST', host ?? '');
  }
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  const authority = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!;
  if (url.protocol === 'http:' && !/:\d+$/.test(authority)) url.port = '11434';
  const base = url.toString().replace(/\/+$/, '');
  return base.endsWith('/v1') ? base : `${base}/v1`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function keyed(baseUrl: string, baseUrlEnvVar: string, keyEnvVar: string, env: NodeJS.ProcessEnv): Endpoint {
  const local = isLocalUrl(baseUrl);
  const key = nonEmpty(env[keyEnvVar]);
  if (!key && !local) throw new MissingApiKeyError(keyEnvVar, KEY_HINTS[keyEnvVar] ?? 'see the provider');
  return { baseUrl, baseUrlEnvVar, keyEnvVar, apiKey: key ?? PLACEHOLDER_KEY, local };
}

/**
 * The endpoint of a provider. A key is required unless the base URL is on this machine
 * (vLLM, llama.cpp, LM Studio, a local NIM container or a test server need none).
 */
export function resolveEndpoint(provider: Provider, env: NodeJS.ProcessEnv): Endpoint {
  switch (provider) {
    case 'openai': {
      const base = parseBaseUrl('OPENAI_BASE_URL', nonEmpty(env.OPENAI_BASE_URL) ?? DEFAULT_OPENAI_BASE_URL);
      return keyed(base, 'OPENAI_BASE_URL', 'OPENAI_API_KEY', env);
    }
    case 'nim': {
      const base = parseBaseUrl('NIM_BASE_URL', nonEmpty(env.NIM_BASE_URL) ?? DEFAULT_NIM_BASE_URL);
      return keyed(base, 'NIM_BASE_URL', 'NVIDIA_API_KEY', env);
    }
    case 'ollama': {
      const base = ollamaBaseUrl(env.OLLAMA_HOST);
      return { baseUrl: base, baseUrlEnvVar: 'OLLAMA_HOST', apiKey: 'ollama', local: isLocalUrl(base) };
    }
    case 'anthropic': {
      const base = parseBaseUrl('ANTHROPIC_BASE_URL', nonEmpty(env.ANTHROPIC_BASE_URL) ?? DEFAULT_ANTHROPIC_BASE_URL);
      return keyed(base, 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', env);
    }
  }
}
