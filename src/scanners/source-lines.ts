// Line-based views of source text, for snippets and whole-line regions.

export function sourceLines(content: string): string[] {
  return content.split(/\r\n|\r|\n/);
}

/** Lines `start`..`end` (1-based, inclusive), or undefined when out of range. */
export function snippetOf(content: string, start: number, end = start): string | undefined {
  const lines = sourceLines(content);
  if (start < 1 || start > lines.length) return undefined;
  return lines.slice(start - 1, Math.min(end, lines.length)).join('\n');
}

/** A region covering line `line` from its first non-blank character to its end (1-based, end exclusive). */
export function wholeLineRegion(content: string, line: number): { column: number; endColumn: number } {
  const text = sourceLines(content)[line - 1] ?? '';
  const firstNonBlank = text.search(/\S/);
  return { column: firstNonBlank < 0 ? 1 : firstNonBlank + 1, endColumn: text.length + 1 };
}

export interface FindingSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  snippet: string | undefined;
}

/**
 * Where a finding sits in `content`: lines `line`..`endLine`, from `column` (default: the first
 * non-blank character of `line`) to `endColumn` (default: the end of `endLine`), at least one
 * character wide on one line; with those lines as the snippet.
 */
export function findingSpan(content: string, line: number, endLine: number, column?: number, endColumn?: number): FindingSpan {
  const start = column ?? wholeLineRegion(content, line).column;
  const end = endColumn ?? wholeLineRegion(content, endLine).endColumn;
  return {
    line,
    column: start,
    endLine,
    endColumn: endLine === line ? Math.max(end, start + 1) : end,
    snippet: snippetOf(content, line, endLine),
  };
}
