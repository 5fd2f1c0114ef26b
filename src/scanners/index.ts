// The scanners module: adapters, creating them by name, combining their results.
export type { Diagnostic, ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';
export type { Describable, RuleInfo, ScannerInfo, ToolInfo } from './metadata.js';
export { describeScanners, isDescribable } from './metadata.js';
export { ScannerError, type ProcessRunner, type RunOutcome, type RunRequest } from './process.js';
export { BanditScanner, BANDIT_INSTALL_HINT, parseBanditReport, type BanditOptions } from './bandit.js';
export { BANDIT_TESTS, banditTest, type BanditTest } from './bandit-tests.js';
export { CodeqlScanner, CODEQL_DEFAULT_SUITE, CODEQL_INSTALL_HINT, type CodeqlOptions } from './codeql.js';
export { SemgrepScanner, SEMGREP_DEFAULT_CONFIG, SEMGREP_INSTALL_HINT, type SemgrepOptions } from './semgrep.js';
export { LlmJudgeScanner, LLM_JUDGE_RULE_ID, type JudgedCwe, type LlmJudgeCall, type LlmJudgeOptions } from './llm-judge.js';
export { cwesFromTags, readSarif, type SarifReadOptions } from './sarif-input.js';
export {
  AUTO_SCANNERS,
  createScanners,
  loadBuiltinScanner,
  parseScannerList,
  SCANNER_NAMES,
  type BuiltinScannerClass,
  type CreatedScanners,
  type CreateScannersOptions,
  type ScannerName,
  type SkippedScanner,
} from './registry.js';
export {
  countedFindings,
  dedupeFindings,
  isVulnerable,
  scanAll,
  sortFindings,
  VERDICT_POLICIES,
  type CombinedScanResult,
  type ScanAllOptions,
  type ScannerFailure,
  type ScannerRun,
  type VerdictOptions,
  type VerdictPolicy,
} from './combine.js';
