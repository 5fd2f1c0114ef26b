import { describe, expect, it } from 'vitest';
import { renderStudyMarkdown } from './html-markdown.js';
import { escapeHtml, renderDiff, renderStudyHtml, type StudyReportData } from './html.js';

const EVIL = '<script>alert("x")</script>';

function report(overrides: Partial<StudyReportData> = {}): StudyReportData {
  return {
    title: `Report ${EVIL}`,
    intro: [`Intro & ${EVIL}`],
    tables: [{ title: 'T <1>', caption: 'cap | pipe', header: ['', 'a|b'], rows: [['row', `cell ${EVIL}`]] }],
    notes: [`note ${EVIL}`],
    dataIssues: ['issue <b>'],
    charts: [{ title: 'Chart "1"', svg: '<svg xmlns="http://www.w3.org/2000/svg" class="marks"><path d="M0,0L1,1"/></svg>', data: { title: 'd', header: ['x'], rows: [['1']] } }],
    drilldown: [
      {
        title: `Group ${EVIL}`,
        tasks: [
          {
            taskId: `CWE-079/${EVIL}.py`,
            cwe: 79,
            status: 'fixed in round 1',
            rounds: [
              { round: 0, label: 'patched', code: `print("${EVIL}")\nx = 1\n`, findings: [{ cwes: [79], message: `XSS via ${EVIL}`, line: 1, ruleId: 'r<1>', scanner: 's' }] },
              { round: 1, code: 'print("safe")\nx = 1\n', findings: [] },
            ],
          },
        ],
      },
    ],
    ...overrides,
  };
}

describe('renderStudyHtml', () => {
  const html = renderStudyHtml(report());

  it('escapes every piece of untrusted text and runs no script', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html.match(/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/g)!.length).toBeGreaterThanOrEqual(7);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('lays out tables, notes, inline charts and a details element per task with rounds', () => {
    expect(html).toContain('<th>a|b</th>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="marks"><path d="M0,0L1,1"/></svg>');
    expect(html.match(/<details class="task"/g)).toHaveLength(1);
    expect(html.match(/<section class="round">/g)).toHaveLength(2);
    expect(html).toContain('line 1');
    expect(html).toContain('No findings.');
    expect(html).toContain('Diff from round 0');
  });

  it('omits empty sections', () => {
    const bare = renderStudyHtml(report({ tables: [], notes: [], dataIssues: [], charts: [], drilldown: [] }));
    expect(bare).not.toContain('id="tables"');
    expect(bare).not.toContain('id="drilldown"');
    expect(bare).not.toContain('id="notes"');
  });
});

describe('renderDiff', () => {
  it('marks added and removed lines, escaped', () => {
    const diff = renderDiff('a = 1\nb = "<x>"\n', 'a = 1\nb = "<y>"\n', 'old', 'new');
    expect(diff).toContain('<span class="del">-b = &quot;&lt;x&gt;&quot;</span>');
    expect(diff).toContain('<span class="add">+b = &quot;&lt;y&gt;&quot;</span>');
    expect(diff).toMatch(/@@ -1,2 \+1,2 @@/);
    expect(renderDiff('same\n', 'same\n', 'a', 'b')).toContain('No change.');
  });

  it('escapes all five special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('renderStudyMarkdown', () => {
  const md = renderStudyMarkdown(report());

  it('keeps tables well formed and markup inert', () => {
    expect(md).toContain('| row | cell &lt;script&gt;alert("x")&lt;/script&gt; |');
    expect(md).toContain('|  | a\\|b |');
    expect(md).not.toContain('<script');
    expect(md).toContain('## Figures (data)');
    expect(md).toContain('| CWE-079/&lt;script&gt;alert("x")&lt;/script&gt;.py | CWE-79 | fixed in round 1 | 1 → 0 |');
    expect(md).not.toContain('print(');
  });
});
