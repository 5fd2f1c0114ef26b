// The domain types every module shares. No I/O here.

export type Level = 'low' | 'medium' | 'high';

/** One step of a source-to-sink path (SARIF codeFlow location). */
export interface FlowStep {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

/** A weakness a scanner reports. Lines and columns are 1-based; endColumn is exclusive. */
export interface Finding {
  scanner: string;
  ruleId: string;
  /** CWE numbers (89, not "CWE-89"); may be empty when a scanner names none. */
  cwes: number[];
  severity: Level;
  confidence: Level;
  message: string;
  /** What a repairer should change, where known. */
  fixHint?: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The source line(s) the finding points at. */
  snippet?: string;
  flow?: FlowStep[];
}

/** A coding task: a prompt (usually unfinished Python code) and the CWE it is exposed to. */
export interface Task {
  /** Stable id, e.g. `CWE-020/author_1.py` or a file name. */
  id: string;
  prompt: string;
  /** The CWE the task is judged against, when known. */
  cwe?: number;
  /** Existing code to start from (for `fix`), instead of generating from the prompt. */
  code?: string;
}

/** One version of the code for a task: generated (round 0) or repaired (round ≥ 1). */
export interface Sample {
  taskId: string;
  round: number;
  model: string;
  code: string;
  parentId?: number;
}

export type TaskStatus = 'secure' | 'vulnerable' | 'failed';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Thrown for bad input or configuration: the CLI prints the message alone and exits 2. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** `CWE-089`, `CWE-89`, `cwe-89`, `89` → 89; anything else → undefined. */
export function parseCweId(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text > 0 ? text : undefined;
  const m = /^\s*(?:cwe[-_ ]?)?0*(\d+)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n : undefined;
}

/** The CWE named in a task id such as `CWE-020/author_1.py` or `CWE-020_author_1.py`. */
export function cweOfTaskId(id: string): number | undefined {
  const m = /cwe[-_]?0*(\d+)/i.exec(id);
  return m ? Number(m[1]) : undefined;
}

export function formatCwe(n: number): string {
  return `CWE-${n}`;
}
