import { describe, expect, it } from 'vitest';
import { costOf, priceOf } from './pricing.js';

describe('priceOf', () => {
  it.each([
    ['gpt-4o', 2.5, 10],
    ['openai:gpt-4o-2024-08-06', 2.5, 10],
    ['gpt-4o-2024-05-13', 5, 15],
    ['openai:gpt-4o-mini', 0.15, 0.6],
    ['gpt-4o-mini-2024-07-18', 0.15, 0.6],
    ['gpt-4', 30, 60],
    ['gpt-4-0613', 30, 60],
    ['gpt-4-turbo-2024-04-09', 10, 30],
    ['gpt-3.5-turbo', 0.5, 1.5],
    ['gpt-3.5-turbo-0125', 0.5, 1.5],
    ['gpt-4.1', 2, 8],
    ['gpt-4.1-mini-2025-04-14', 0.4, 1.6],
    ['gpt-4.1-nano', 0.1, 0.4],
    ['anthropic:claude-3-5-sonnet-20241022', 3, 15],
    ['claude-sonnet-4-20250514', 3, 15],
    ['claude-sonnet-4-5', 3, 15],
    ['claude-3-5-haiku-latest', 0.8, 4],
    ['claude-haiku-4-5', 1, 5],
  ])('%s → %s / %s', (id, input, output) => {
    expect(priceOf(id)).toEqual({ inputPerMTok: input, outputPerMTok: output });
  });

  it('does not match across a name boundary', () => {
    expect(priceOf('gpt-4.5-preview')).toBeUndefined();
    expect(priceOf('gpt-4omni')).toBeUndefined();
  });

  it('unknown models → undefined; ollama models are free', () => {
    expect(priceOf('nim:meta/llama-3.1-70b-instruct')).toBeUndefined();
    expect(priceOf('openai:my-local-model')).toBeUndefined();
    expect(priceOf('ollama:llama3:8b')).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
  });
});

describe('costOf', () => {
  it('prices input and output tokens per million', () => {
    expect(costOf('openai:gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 500_000 })).toBeCloseTo(0.15 + 0.3, 10);
    expect(costOf('gpt-4', { inputTokens: 1000, outputTokens: 2000 })).toBeCloseTo(0.03 + 0.12, 10);
  });

  it('undefined when the price is unknown', () => {
    expect(costOf('nim:mistralai/mixtral-8x7b-instruct', { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });
});
