export { openStore, Store, generateRunId } from './store.js';
export { defaultStorePath, DEFAULT_STORE_FILE, BUSY_TIMEOUT_MS } from './open.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersionOf, type Migration } from './schema.js';
export { StoreError, SchemaTooNewError } from './errors.js';
export { canonicalJson, canonicalRequest, codeHash, configHash, requestHash, sha256Hex, type CanonicalRequest } from './hash.js';
export { redactSecrets, redactText } from './redact.js';
export {
  CachedChatModel,
  type CachedChatResponse,
  type CachedModelOptions,
  type CallOptions,
  type CostFunction,
} from './cached-model.js';
export type * from './records.js';
