import type { Finding } from '../core/types.js';

/** A file handed to a scanner: its display path and its text. Scanners never execute it. */
export interface SourceFile {
  path: string;
  content: string;
}

/** A problem that is not a weakness: a file that does not parse, a tool warning. */
export interface Diagnostic {
  scanner: string;
  file?: string;
  line?: number;
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Findings hidden by suppression comments (`# nosec`, `# secagent: ignore[...]`). */
  suppressed: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
}

export interface Scanner {
  /** `builtin`, `bandit`, `codeql`, `semgrep`, `llm`. */
  readonly name: string;
  /** null when usable; otherwise why not (e.g. "bandit is not installed: apt-get install bandit"). */
  unavailableReason(): Promise<string | null>;
  /** Scan a batch of files in one go (one subprocess per batch for external tools). */
  scan(files: SourceFile[], options?: ScanOptions): Promise<ScanResult>;
}
