// The agent: Algorithm 1 of the study (generate, scan, repair with the findings, up to k
// rounds) for one task or a task set, resumable from the store.
export {
  DEFAULT_MAX_ASKS,
  DEFAULT_MAX_ITERATIONS,
  MAX_TEMPERATURE,
  type AgentEvent,
  type AgentSettings,
  type AgentTask,
  type FailedRound,
  type TaskOutcome,
} from './types.js';
export { runAgent, runFingerprint, type AgentRun, type AgentRunOptions } from './run.js';
export { runTask, temperatureFor, vulnerableByRoundFromStore, AGENT_JUDGE, INPUT_MODEL, type TaskContext } from './loop.js';
export { askForUsableCode, rejectionMessage, NoUsableReplyError, type AskOptions, type AskOutcome } from './ask.js';
export { apiBreak, apiShape, protectedNamesOf, isCompatibleSignature, formatParameters, type ApiShape, type Parameter, type TopLevelDef } from './api-shape.js';
export { SampleScanner, type SampleScan, type SampleScannerOptions } from './sample-scanner.js';
export { ScanBatcher, type ScanBatcherOptions } from './scan-batcher.js';
export { buildRunSummary, type RunSummary, type TaskSummary, type SummaryInput } from './summary.js';
export { outputFileName } from './files.js';
