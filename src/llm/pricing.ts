// List prices in USD per million tokens (standard tier, no batch or cache discounts), as the
// providers published them; checked against their pricing pages as known in 2025. Prices
// change: treat the figures as estimates and update the table when they do.

import type { Usage } from '../core/types.js';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Keys are model-name prefixes; the longest one that matches at a `-` boundary wins. */
export const PRICES: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-2024-05-13': { inputPerMTok: 5, outputPerMTok: 15 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4': { inputPerMTok: 30, outputPerMTok: 60 },
  'gpt-4-32k': { inputPerMTok: 60, outputPerMTok: 120 },
  'gpt-4-turbo': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-4-1106-preview': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-4-0125-preview': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
  'gpt-3.5-turbo-1106': { inputPerMTok: 1, outputPerMTok: 2 },
  'gpt-3.5-turbo-0613': { inputPerMTok: 1.5, outputPerMTok: 2 },
  'gpt-3.5-turbo-16k': { inputPerMTok: 3, outputPerMTok: 4 },
  // Anthropic
  'claude-3-5-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-haiku': { inputPerMTok: 0.25, outputPerMTok: 1.25 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-haiku-4': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-opus': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
};

const FREE: Price = { inputPerMTok: 0, outputPerMTok: 0 };

/**
 * The price of a model, from a specifier (`openai:gpt-4o-mini`) or a bare or dated name
 * (`gpt-4o-mini-2024-07-18`). Models on Ollama run locally and cost nothing.
 */
export function priceOf(modelId: string): Price | undefined {
  const colon = modelId.indexOf(':');
  const provider = colon > 0 ? modelId.slice(0, colon).toLowerCase() : '';
  if (provider === 'ollama') return FREE;
  const name = (['openai', 'nim', 'anthropic'].includes(provider) ? modelId.slice(colon + 1) : modelId)
    .trim()
    .toLowerCase();
  let best: string | undefined;
  for (const key of Object.keys(PRICES)) {
    const fits = name === key || (name.startsWith(key) && name[key.length] === '-');
    if (fits && (!best || key.length > best.length)) best = key;
  }
  return best ? PRICES[best] : undefined;
}

/** USD for `usage` on `modelId`; undefined when the model's price is unknown. */
export function costOf(modelId: string, usage: Usage): number | undefined {
  const price = priceOf(modelId);
  if (!price) return undefined;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
