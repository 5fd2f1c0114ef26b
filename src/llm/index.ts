// The LLM layer: one ChatModel interface over OpenAI-compatible servers and Anthropic,
// prompt presets, and code extraction from replies. Knows nothing of scanners.

export type { ChatMessage, ChatModel, ChatRequest, ChatResponse } from './types.js';
export { createChatModel, type ChatModelOptions } from './create.js';
export { ResilientChatModel } from './resilient-model.js';
export { parseModelSpecifier, formatModelSpecifier, PROVIDERS, type Provider, type ModelSpecifier } from './specifier.js';
export { resolveEndpoint, ollamaBaseUrl, isLocalUrl, type Endpoint } from './endpoints.js';
export { parseRetryAfter, backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export {
  redact,
  displayUrl,
  LlmConfigError,
  UnknownModelSpecifierError,
  MissingApiKeyError,
  InvalidBaseUrlError,
  EndpointUnreachableError,
  LlmAuthError,
  LlmNotFoundError,
  LlmError,
  LlmHttpError,
  LlmTimeoutError,
  LlmNetworkError,
  LlmResponseError,
  LlmCancelledError,
  NoCodeError,
  PromptInputError,
} from './errors.js';
export {
  PROMPT_PRESETS,
  isPromptPreset,
  generationMessages,
  detectionMessages,
  repairMessages,
  parseDetectionAnswer,
  formatCweWithName,
  codeExcerpt,
  type PromptPreset,
  type CweRef,
  type RepairContext,
} from './prompts.js';
export { extractPythonCode, extractValidPython, type ExtractResult, type ValidPythonResult } from './extract.js';
export { askForCode, followUpMessage, type AskForCodeOptions, type CodeAnswer } from './ask-for-code.js';
export { costOf, priceOf, PRICES, type Price } from './pricing.js';
