import type { Finding } from '../core/types.js';
import type { PyNode } from './ast.js';

/** A suppression comment on one line. `ids` empty means every rule. */
interface Suppression {
  ids: string[];
}

/**
 * Reads `# nosec`, `# nosec B602,B603`, `# secagent: ignore` and
 * `# secagent: ignore[py/sql-injection, py/command-injection]` from comment nodes.
 */
export function readSuppressions(comments: readonly PyNode[]): Map<number, Suppression[]> {
  const byLine = new Map<number, Suppression[]>();
  const add = (line: number, s: Suppression): void => {
    const list = byLine.get(line);
    if (list) list.push(s);
    else byLine.set(line, [s]);
  };
  for (const c of comments) {
    const text = c.text;
    const line = c.startRow + 1;
    const nosec = /#\s*nosec\b([^#]*)/i.exec(text);
    if (nosec) {
      const ids = [...nosec[1]!.matchAll(/\b(B\d{3}|py\/[\w-]+)\b/gi)].map((m) => m[1]!.toLowerCase());
      add(line, { ids });
    }
    const ours = /#\s*secagent\s*:\s*ignore\b(?:\s*\[([^\]]*)\])?/i.exec(text);
    if (ours) {
      const ids = (ours[1] ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      add(line, { ids });
    }
  }
  return byLine;
}

/** True when a comment on one of the finding's lines silences it. */
export function isSuppressed(finding: Finding, banditIds: readonly string[], byLine: Map<number, Suppression[]>): boolean {
  if (byLine.size === 0) return false;
  const names = [finding.ruleId.toLowerCase(), ...banditIds.map((b) => b.toLowerCase())];
  for (let line = finding.line; line <= finding.endLine; line++) {
    for (const s of byLine.get(line) ?? []) {
      if (s.ids.length === 0 || s.ids.some((id) => names.includes(id))) return true;
    }
  }
  return false;
}
