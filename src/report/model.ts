// What the report formats take: the files scanned and each scanner's result.
import path from 'node:path';
import type { Finding, Level } from '../core/types.js';
import type { ScanResult, SourceFile } from '../scanners/types.js';

export interface ReportRun {
  scanner: string;
  result: ScanResult;
  durationMs?: number;
}

export interface ReportFailure {
  scanner: string;
  message: string;
}

/** `scanAll(...)`'s result plus the files fits this shape: `{ files, ...combined }`. */
export interface ReportInput {
  /** Every file scanned (content is used for code lines and fingerprints). */
  files: SourceFile[];
  /** One entry per scanner that ran. */
  runs: ReportRun[];
  /** Scanners that failed to run. */
  failures?: ReportFailure[];
}

export const LEVELS: readonly Level[] = ['high', 'medium', 'low'];

/** A file path as shown in reports: relative to `baseDir` when given, with forward slashes. */
export function displayPath(file: string, baseDir?: string): string {
  const shown = baseDir && path.isAbsolute(file) ? path.relative(baseDir, file) : file;
  return shown.split(path.sep).join('/');
}

export function allFindings(input: ReportInput): Finding[] {
  return input.runs.flatMap((run) => run.result.findings);
}

export type LineLookup = (file: string, line: number) => string | undefined;

/** Looks up the text of a line (1-based) of a scanned file; each file is split once. */
export function lineLookup(files: readonly SourceFile[]): LineLookup {
  const contents = new Map(files.map((file) => [file.path, file.content]));
  const split = new Map<string, string[]>();
  return (file, line) => {
    let lines = split.get(file);
    if (!lines) {
      const content = contents.get(file);
      if (content === undefined) return undefined;
      // Splitting at one character is much faster than at a regular expression.
      lines = content.includes('\r') ? content.split(/\r\n|\r|\n/) : content.split('\n');
      split.set(file, lines);
    }
    return lines[line - 1];
  };
}
