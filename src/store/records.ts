// The shapes the store reads and writes. Timestamps are ISO 8601 strings (UTC).
import type { Diagnostic } from '../scanners/types.js';
import type { Finding } from '../core/types.js';

export type RunKind = 'generate' | 'fix' | 'run' | 'study-rq1' | 'study-rq2' | 'study-rq3' | 'study-rq4' | (string & {});
export type RunStatus = 'running' | 'done' | 'interrupted' | 'failed';
export type StoredTaskStatus = 'pending' | 'secure' | 'vulnerable' | 'failed';
export type CallPurpose = 'generate' | 'repair' | 'detect' | (string & {});

/** JSON-serialisable run configuration: models, k, scanners, policy, temperature... */
export type RunConfig = Record<string, unknown>;

export interface StoredRun {
  id: string;
  kind: RunKind;
  status: RunStatus;
  config: RunConfig;
  /** Why a run failed or was interrupted, when known. */
  error?: string;
  createdAt: string;
  finishedAt?: string;
}

export interface NewRun {
  /** User-chosen id; generated (`20261125-143012-a1b2c3`) when absent. */
  id?: string;
  kind: RunKind;
  /** Stored with anything secret-named (apiKey, token...) or key-shaped masked. */
  config?: RunConfig;
}

export interface StoredTask {
  runId: string;
  taskId: string;
  prompt: string;
  cwe?: number;
  status: StoredTaskStatus;
  reason?: string;
  rounds: number;
  finalSampleId?: number;
  updatedAt: string;
}

export interface TaskInput {
  runId: string;
  taskId: string;
  prompt: string;
  cwe?: number;
}

export interface TaskUpdate {
  status?: StoredTaskStatus;
  reason?: string | null;
  rounds?: number;
  finalSampleId?: number | null;
}

export interface SampleInput {
  runId: string;
  taskId: string;
  round: number;
  model: string;
  code: string;
  parentId?: number;
  /** The LLM call whose answer this code was extracted from. */
  llmCallId?: number;
}

/** A stored sample; extends core's Sample (taskId, round, model, code, parentId). */
export interface StoredSample {
  id: number;
  runId: string;
  taskId: string;
  round: number;
  model: string;
  code: string;
  codeHash: string;
  parentId?: number;
  llmCallId?: number;
  createdAt: string;
}

export interface StoredFinding extends Finding {
  id: number;
  sampleId: number;
}

/** Identifies one scanner configuration; `version` is its version and/or a config hash. */
export interface ScanCacheKey {
  scanner: string;
  version: string;
  codeHash: string;
}

export interface CachedScan {
  findings: Finding[];
  diagnostics: Diagnostic[];
  suppressed: number;
  createdAt: string;
}

export interface VerdictInput {
  sampleId: number;
  /** A scanner name or a model id. */
  judge: string;
  cwe?: number;
  vulnerable: boolean;
  detail?: unknown;
}

export interface StoredVerdict {
  id: number;
  sampleId: number;
  judge: string;
  cwe?: number;
  vulnerable: boolean;
  detail?: unknown;
  createdAt: string;
}

/** Where a call was made: all optional, a call outside a run has none. */
export interface CallContext {
  runId?: string;
  taskId?: string;
  round?: number;
  purpose?: CallPurpose;
}

export interface CallRecord extends CallContext {
  requestHash: string;
  provider: string;
  model: string;
  /** The canonical request (see `canonicalRequest`); stored as JSON. */
  request: unknown;
  /** The answer text; absent when the call failed. */
  response?: string;
  /** The model that answered, as the provider named it. */
  responseModel?: string;
  inputTokens?: number;
  outputTokens?: number;
  latencyMs?: number;
  costUsd?: number;
  /** Set for a cache hit: the id of the call whose answer was reused. */
  cachedFrom?: number;
  /** Failure message (redacted before it is written); absent for a success. */
  error?: string;
}

export interface StoredCall extends CallContext {
  id: number;
  requestHash: string;
  provider: string;
  model: string;
  responseModel?: string;
  request: unknown;
  response?: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  costUsd?: number;
  cachedFrom?: number;
  error?: string;
  createdAt: string;
}

/** A successful call fit to answer a request again. */
export interface AnsweredCall extends StoredCall {
  response: string;
}

export interface CallTotals {
  /** Calls that reached a model and answered (paid). */
  calls: number;
  /** Requests answered from the cache (not paid again). */
  cachedCalls: number;
  failedCalls: number;
  /** Tokens of the paid calls. */
  inputTokens: number;
  outputTokens: number;
  /** Tokens the cache hits would have cost. */
  cachedInputTokens: number;
  cachedOutputTokens: number;
  /** Sum over the paid calls with a known cost. */
  costUsd: number;
  /** Paid calls whose cost is unknown (no price for the model). */
  unpricedCalls: number;
  /** Wall time spent waiting on models, failures included. */
  latencyMs: number;
}

export interface RunTotals extends CallTotals {
  byModel: Record<string, CallTotals>;
}
