import { UnknownModelSpecifierError } from './errors.js';

export const PROVIDERS = ['openai', 'nim', 'ollama', 'anthropic'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface ModelSpecifier {
  provider: Provider;
  /** Everything after the first colon; may itself hold `:` and `/` (`llama3:8b`, `meta/llama-3.1-70b-instruct`). */
  model: string;
}

function isProvider(text: string): text is Provider {
  return (PROVIDERS as readonly string[]).includes(text);
}

/** `provider:model` → its parts. The provider is case-insensitive; the model is kept as written. */
export function parseModelSpecifier(spec: string): ModelSpecifier {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) throw new UnknownModelSpecifierError(spec);
  const provider = trimmed.slice(0, colon).toLowerCase();
  const model = trimmed.slice(colon + 1).trim();
  if (!isProvider(provider) || model.length === 0 || /\s/.test(model)) {
    throw new UnknownModelSpecifierError(spec);
  }
  return { provider, model };
}

export function formatModelSpecifier({ provider, model }: ModelSpecifier): string {
  return `${provider}:${model}`;
}
