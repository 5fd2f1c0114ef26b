// secagent as a library. The root re-exports the everyday API; each module is also its own
// entry point (`secagent/analyzer`, `secagent/llm`...), so a program that only analyses code
// need not load the LLM SDKs or SQLite.
export { type Finding, type FlowStep, type Level, type Task, type Sample, type Usage, UserError, parseCweId, formatCwe } from './core/types.js';
export { analyze, analyzeSource, analyzeSourceSync, prepareAnalyzer, allRules, type AnalyzeOptions, type AnalysisResult, type Rule, type RuleMeta } from './analyzer/index.js';
export { createScanners, parseScannerList, scanAll, isVulnerable, type Scanner, type ScanResult, type SourceFile } from './scanners/index.js';
export { createChatModel, type ChatModel, type ChatModelOptions, LlmConfigError, LlmError } from './llm/index.js';
export { runAgent, type AgentRun, type AgentRunOptions, type AgentTask, type TaskOutcome } from './agent/index.js';
export { loadTasks } from './tasks/index.js';
export { openStore, Store } from './store/index.js';
export { getCwe, cweName, describeCwe, cweMatches } from './cwe/index.js';
export { toSarif, toSarifText } from './report/sarif.js';
