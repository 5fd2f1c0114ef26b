// One self-contained HTML page for a study report: inline CSS, inline SVG charts, no scripts
// and nothing fetched from the network. Code, messages and names are untrusted text and are
// escaped everywhere; only the charts' SVG (rendered by Vega from our numbers) goes in raw.
import { formatCwe } from '../core/types.js';
import { structuredPatch } from 'diff';
import type { DrillFinding, DrillGroup, DrillRound, DrillTask, ReportChart, ReportTable, StudyReportData } from './html-types.js';

export type * from './html-types.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg-soft: #f9fafb; --add: #dcfce7; --del: #fee2e2; --hunk: #e0e7ff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); }
h1 { font-size: 24px; margin: 0 0 8px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; } h4 { font-size: 14px; margin: 12px 0 4px; }
p.caption { color: var(--muted); margin: 4px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; overflow-x: auto; max-width: 100%; } figcaption { color: var(--muted); }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; background: #fff; }
details > summary { cursor: pointer; }
details.task[open] { background: var(--bg-soft); }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; background: var(--line); margin-left: 6px; }
.badge.vulnerable { background: var(--del); } .badge.secure, .badge.fixed { background: var(--add); }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow-x: auto; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.diff span { display: block; white-space: pre; } pre.diff .add { background: var(--add); } pre.diff .del { background: var(--del); } pre.diff .hunk { background: var(--hunk); color: #3730a3; }
ul.findings { margin: 4px 0; padding-left: 20px; } .muted { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

export function renderStudyHtml(data: StudyReportData): string {
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${escapeHtml(data.title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  parts.push(`<h1>${escapeHtml(data.title)}</h1>`);
  for (const p of data.intro ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);

  if (data.tables.length > 0) {
    parts.push('<section id="tables"><h2>Tables</h2>');
    for (const t of data.tables) parts.push(renderTable(t));
    parts.push('</section>');
  }
  if (data.notes.length > 0 || (data.dataIssues?.length ?? 0) > 0) {
    parts.push('<section id="notes"><h2>Notes</h2>');
    if (data.notes.length > 0) parts.push(renderList('Differences from the published figures (marked † in the tables)', data.notes));
    if (data.dataIssues?.length) parts.push(renderList('Irregularities in the source data', data.dataIssues));
    parts.push('</section>');
  }
  if (data.charts.length > 0) {
    parts.push('<section id="charts"><h2>Figures</h2><div class="charts">');
    for (const c of data.charts) parts.push(renderChart(c));
    parts.push('</div></section>');
  }
  if (data.drilldown.length > 0) {
    parts.push('<section id="drilldown"><h2>Per-task drill-down</h2>');
    data.drilldown.forEach((g, i) => parts.push(renderGroup(g, i)));
    parts.push('</section>');
  }
  parts.push(`<footer>secagent study report${data.generatedAt ? ` · ${escapeHtml(data.generatedAt)}` : ''}</footer>`);
  parts.push('</body>', '</html>');
  return parts.join('\n') + '\n';
}

function renderTable(t: ReportTable): string {
  const out = [`<h3>${escapeHtml(t.title)}</h3>`];
  if (t.caption) out.push(`<p class="caption">${escapeHtml(t.caption)}</p>`);
  out.push('<table>', `<thead><tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
  for (const row of t.rows) {
    out.push(`<tr>${row.map((c, i) => (i === 0 ? `<th>${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`);
  }
  out.push('</tbody>', '</table>');
  return out.join('\n');
}

function renderList(title: string, items: string[]): string {
  return `<h3>${escapeHtml(title)}</h3>\n<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

function renderChart(c: ReportChart): string {
  const caption = c.caption ? `<figcaption>${escapeHtml(c.caption)}</figcaption>` : '';
  return `<figure class="chart" aria-label="${escapeHtml(c.title)}">\n${stripXmlProlog(c.svg)}\n${caption}</figure>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*>\s*/, '');
}

function renderGroup(g: DrillGroup, index: number): string {
  const out = [`<h3>${escapeHtml(g.title)}</h3>`];
  if (g.summary) out.push(`<p class="caption">${escapeHtml(g.summary)}</p>`);
  g.tasks.forEach((t, i) => out.push(renderTask(t, `g${index}-t${i}`)));
  return out.join('\n');
}

function renderTask(t: DrillTask, id: string): string {
  const trail = t.rounds.map((r) => String(r.findings.length)).join(' → ');
  const statusClass = t.status ? ` ${escapeHtml(t.status.split(/\s+/)[0].toLowerCase())}` : '';
  const out = [
    `<details class="task" id="${id}">`,
    `<summary><code>${escapeHtml(t.taskId)}</code>` +
      (t.cwe !== undefined ? `<span class="badge">${formatCwe(t.cwe)}</span>` : '') +
      (t.status ? `<span class="badge${statusClass}">${escapeHtml(t.status)}</span>` : '') +
      `<span class="muted"> · findings per round: ${escapeHtml(trail)}</span></summary>`,
  ];
  let previous: DrillRound | undefined;
  for (const r of t.rounds) {
    out.push(renderRound(r, previous, t.taskId));
    if (r.code !== undefined) previous = r;
  }
  out.push('</details>');
  return out.join('\n');
}

function renderRound(r: DrillRound, previous: DrillRound | undefined, taskId: string): string {
  const out = [`<section class="round"><h4>Round ${r.round}${r.label ? ` <span class="muted">(${escapeHtml(r.label)})</span>` : ''}</h4>`];
  out.push(r.findings.length === 0 ? '<p class="muted">No findings.</p>' : `<ul class="findings">${r.findings.map(renderFinding).join('')}</ul>`);
  if (r.code !== undefined && previous?.code !== undefined) {
    out.push(
      `<details class="diff"><summary>Diff from round ${previous.round}</summary>${renderDiff(previous.code, r.code, `${taskId} (round ${previous.round})`, `${taskId} (round ${r.round})`)}</details>`,
    );
  }
  if (r.code !== undefined) {
    out.push(`<details class="code"><summary>Code</summary><pre><code>${escapeHtml(r.code)}</code></pre></details>`);
  } else {
    out.push('<p class="muted">Code of this round not kept.</p>');
  }
  out.push('</section>');
  return out.join('\n');
}

function renderFinding(f: DrillFinding): string {
  const where = f.line !== undefined ? ` <span class="muted">line ${f.line}</span>` : '';
  const cwes = f.cwes.length > 0 ? `<strong>${f.cwes.map(formatCwe).join(', ')}</strong> ` : '';
  const rule = f.ruleId ? ` <span class="muted">[${escapeHtml([f.scanner, f.ruleId].filter(Boolean).join(' '))}]</span>` : '';
  return `<li>${cwes}${escapeHtml(f.message)}${where}${rule}</li>`;
}

/** A unified diff of two code versions, one escaped span per line. */
export function renderDiff(before: string, after: string, beforeName: string, afterName: string): string {
  const patch = structuredPatch(beforeName, afterName, before, after, '', '', { context: 3 });
  if (patch.hunks.length === 0) return '<p class="muted">No change.</p>';
  const lines = [`<span class="hunk">--- ${escapeHtml(beforeName)}</span>`, `<span class="hunk">+++ ${escapeHtml(afterName)}</span>`];
  for (const h of patch.hunks) {
    lines.push(`<span class="hunk">@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@</span>`);
    for (const line of h.lines) {
      const cls = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('\\') ? 'hunk' : 'ctx';
      lines.push(`<span class="${cls}">${escapeHtml(line)}</span>`);
    }
  }
  return `<pre class="diff">${lines.join('')}</pre>`;
}
