import { describe, expect, it } from 'vitest';
import { sampleInput } from './fixtures.test-helper.js';
import { buildJsonReport, JSON_REPORT_FORMAT, toJson } from './json.js';

describe('JSON report', () => {
  it('summarises files, findings, suppressions and diagnostics', () => {
    const report = buildJsonReport(sampleInput());
    expect(report.format).toBe(JSON_REPORT_FORMAT);
    expect(report.summary).toEqual({
      files: 3,
      filesWithFindings: 2,
      findings: 4,
      suppressed: 2,
      diagnostics: 1,
      bySeverity: { high: 2, medium: 1, low: 1 },
      byCwe: { 'CWE-78': 2, 'CWE-89': 2 },
      byScanner: {
        builtin: { findings: 1, suppressed: 0, diagnostics: 0, durationMs: 12 },
        bandit: { findings: 3, suppressed: 2, diagnostics: 1 },
      },
    });
    expect(report.files).toEqual([
      { path: 'tasks/app.py', findings: 2, highestSeverity: 'high' },
      { path: 'tasks/run cmd.py', findings: 2, highestSeverity: 'high' },
      { path: 'tasks/clean.py', findings: 0 },
    ]);
  });

  it('lists findings sorted by file and line with CWE strings', () => {
    const report = buildJsonReport(sampleInput());
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.cwes.join(',')}`)).toEqual([
      'tasks/app.py:6 B608 CWE-89',
      'tasks/app.py:7 py/sql-injection CWE-89',
      'tasks/run cmd.py:1 B404 CWE-78',
      'tasks/run cmd.py:4 B602 CWE-78',
    ]);
    expect(report.findings[1].flow).toHaveLength(3);
    expect(report.findings[1].fixHint).toBe('Use a parameterized query.');
  });

  it('counts findings without CWE under none and records failures', () => {
    const input = sampleInput();
    input.runs[0].result.findings[0].cwes = [];
    input.failures = [{ scanner: 'semgrep', message: 'semgrep: exited with code 7' }];
    const report = buildJsonReport(input);
    expect(report.summary.byCwe).toEqual({ 'CWE-78': 2, 'CWE-89': 1, none: 1 });
    expect(report.summary.byScanner.semgrep).toEqual({ findings: 0, suppressed: 0, diagnostics: 0, failed: 'semgrep: exited with code 7' });
    expect(report.failures).toHaveLength(1);
  });

  it('serialises to parseable, stable JSON', () => {
    const text = toJson(sampleInput());
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(buildJsonReport(sampleInput()));
    expect(toJson(sampleInput())).toBe(text);
  });

  it('shows absolute paths relative to baseDir', () => {
    const input = sampleInput();
    input.files = input.files.map((f) => ({ ...f, path: `/p/${f.path}` }));
    for (const run of input.runs) for (const f of run.result.findings) f.file = `/p/${f.file}`;
    const report = buildJsonReport(input, { baseDir: '/p' });
    expect(report.files[0].path).toBe('tasks/app.py');
    expect(report.findings[0].file).toBe('tasks/app.py');
  });
});
