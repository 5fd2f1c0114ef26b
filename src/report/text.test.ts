import { describe, expect, it } from 'vitest';
import { sampleInput } from './fixtures.test-helper.js';
import { summaryLine, toText } from './text.js';

describe('text report', () => {
  it('prints one line per finding with its code line and fix hint, then diagnostics and a summary', () => {
    const text = toText(sampleInput());
    const lines = text.split('\n');
    expect(lines[0]).toBe('tasks/app.py:6:13  medium  B608  CWE-89  Possible SQL injection. [bandit]');
    expect(lines[1]).toBe(`       6 |     query = "SELECT * FROM users WHERE name = '%s'" % name`);
    expect(lines[2]).toBe('tasks/app.py:7:12  high    py/sql-injection  CWE-89  SQL query built from request data [builtin]');
    expect(lines[4]).toBe('           fix: Use a parameterized query.');
    expect(text).toContain('tasks/broken.py  note  bandit  syntax error while parsing AST from file');
    expect(lines.at(-2)).toBe('4 findings in 2 files (2 suppressed)');
    expect(text).not.toContain('\x1b[');
  });

  it('colors only when asked', () => {
    const text = toText(sampleInput(), { color: true });
    expect(text).toContain('\x1b[31mhigh  \x1b[0m');
    expect(text).toContain('\x1b[1mtasks/app.py:7:12\x1b[0m');
  });

  it('can leave out code and hints', () => {
    const text = toText(sampleInput(), { showCode: false, showHints: false });
    expect(text).not.toContain(' | ');
    expect(text).not.toContain('fix:');
  });

  it('says so when there is nothing to report, with singular forms', () => {
    const input = sampleInput();
    for (const run of input.runs) run.result = { findings: [], diagnostics: [], suppressed: 0 };
    expect(toText(input)).toBe('0 findings in 0 files (0 suppressed)\n');
    const one = sampleInput();
    one.runs = [{ scanner: 'bandit', result: { ...one.runs[1].result, findings: one.runs[1].result.findings.slice(0, 1), suppressed: 1 } }];
    expect(summaryLine(one)).toBe('1 finding in 1 file (1 suppressed)');
  });

  it('reports failed scanners', () => {
    const input = sampleInput();
    input.failures = [{ scanner: 'codeql', message: 'no python extractor' }];
    expect(toText(input)).toContain('scanner codeql failed: no python extractor');
  });
});
