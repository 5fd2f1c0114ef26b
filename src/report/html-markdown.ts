// The Markdown twin of the HTML study report: the same tables and notes, each chart replaced
// by its numbers, and the drill-down reduced to one line per task (no code).
import { formatCwe } from '../core/types.js';
import type { DrillGroup, ReportTable, StudyReportData } from './html-types.js';

/** Escapes what would break a table cell or start Markdown/HTML markup. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/([\\`*])/g, '\\$1');
}

export function markdownTable(table: ReportTable, level = 3): string {
  const lines = [`${'#'.repeat(level)} ${inline(table.title)}`, ''];
  if (table.caption) lines.push(inline(table.caption), '');
  lines.push(`| ${table.header.map(cell).join(' | ')} |`);
  lines.push(`| ${table.header.map(() => '---').join(' | ')} |`);
  for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

export function renderStudyMarkdown(data: StudyReportData): string {
  const parts = [`# ${inline(data.title)}`, ''];
  for (const p of data.intro ?? []) parts.push(inline(p), '');
  if (data.tables.length > 0) {
    parts.push('## Tables', '');
    for (const t of data.tables) parts.push(markdownTable(t));
  }
  if (data.notes.length > 0) {
    parts.push('## Differences from the published figures', '');
    for (const n of data.notes) parts.push(`- ${inline(n)}`);
    parts.push('');
  }
  if (data.dataIssues?.length) {
    parts.push('## Irregularities in the source data', '');
    for (const n of data.dataIssues) parts.push(`- ${inline(n)}`);
    parts.push('');
  }
  const charted = data.charts.filter((c) => c.data);
  if (charted.length > 0) {
    parts.push('## Figures (data)', '');
    for (const c of charted) parts.push(markdownTable({ ...c.data!, title: c.title, caption: c.caption ?? c.data!.caption }));
  }
  if (data.drilldown.length > 0) {
    parts.push('## Per-task summary', '');
    for (const g of data.drilldown) parts.push(drillSummary(g));
  }
  if (data.generatedAt) parts.push(`_Generated ${inline(data.generatedAt)}_`, '');
  return parts.join('\n').replace(/\n{3,}/g, '\n\n');
}

function drillSummary(g: DrillGroup): string {
  const table: ReportTable = {
    title: g.title,
    caption: g.summary,
    header: ['Task', 'CWE', 'Status', 'Findings per round'],
    rows: g.tasks.map((t) => [
      t.taskId,
      t.cwe !== undefined ? formatCwe(t.cwe) : '',
      t.status ?? '',
      t.rounds.map((r) => String(r.findings.length)).join(' → '),
    ]),
  };
  return markdownTable(table);
}
