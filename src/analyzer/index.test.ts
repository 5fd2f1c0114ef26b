import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { analyze, analyzeSource, analyzeSourceSync, prepareAnalyzer } from './index.js';

const vulnerable = [
  'import os',
  'from flask import Flask, request',
  'app = Flask(__name__)',
  '@app.route("/ping")',
  'def ping():',
  '    host = request.args["host"]',
  '    os.system("ping " + host)',
  '    return "ok"',
].join('\n');

describe('analyze', () => {
  it('reports a finding with location, snippet, metadata and a flow', async () => {
    const [f, ...rest] = (await analyze(vulnerable, { file: 'app.py' })).filter((x) => x.ruleId === 'py/command-injection');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ scanner: 'builtin', file: 'app.py', line: 7, column: 5, endLine: 7, cwes: [78, 116], severity: 'high', confidence: 'high' });
    expect(f!.snippet).toBe('    os.system("ping " + host)');
    expect(f!.fixHint).toMatch(/subprocess/);
    expect(f!.flow!.map((s) => s.line)).toEqual([6, 7]);
    expect(f!.flow![0]!.message).toMatch(/flask.request.args/);
  });

  it('filters by CWE along the hierarchy and by rule id', async () => {
    expect((await analyze(vulnerable, { cwe: 78 })).length).toBeGreaterThan(0);
    expect((await analyze(vulnerable, { cwe: 77 })).length).toBeGreaterThan(0); // parent of 78
    expect(await analyze(vulnerable, { cwe: 89 })).toEqual([]);
    expect((await analyze(vulnerable, { rules: ['py/sql-injection'] })).length).toBe(0);
    await expect(analyze(vulnerable, { rules: ['py/nope'] })).rejects.toBeInstanceOf(UserError);
  });

  it('honours nosec and secagent ignore comments and counts what they hide', async () => {
    const withNosec = vulnerable.replace('os.system("ping " + host)', 'os.system("ping " + host)  # nosec');
    const r1 = await analyzeSource(withNosec);
    expect(r1.findings.filter((f) => f.ruleId === 'py/command-injection')).toEqual([]);
    expect(r1.suppressed).toBeGreaterThan(0);
    const otherId = await analyzeSource(vulnerable.replace('os.system("ping " + host)', 'os.system("ping " + host)  # nosec B608'));
    expect(otherId.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(true);
    const banditId = await analyzeSource(vulnerable.replace('os.system("ping " + host)', 'os.system("ping " + host)  # nosec B605'));
    expect(banditId.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(false);
    const ours = await analyzeSource(vulnerable.replace('os.system("ping " + host)', 'os.system("ping " + host)  # secagent: ignore[py/command-injection]'));
    expect(ours.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(false);
    const wrongRule = await analyzeSource(vulnerable.replace('os.system("ping " + host)', 'os.system("ping " + host)  # secagent: ignore[py/sql-injection]'));
    expect(wrongRule.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(true);
  });

  it('analyses code that does not parse and reports where it breaks', async () => {
    const broken = vulnerable + '\ndef broken(:\n    pass\n';
    const r = await analyzeSource(broken, { file: 'b.py' });
    expect(r.diagnostics.some((d) => d.line === 9 && d.file === 'b.py')).toBe(true);
    expect(r.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(true);
  });

  it('never throws on odd input and is safe to run concurrently', async () => {
    const inputs = ['', '\n\n', 'x = (', '"""unterminated', 'def f(:', '\u00e9 = 1\nprint(\u00e9)', 'a' + ' + a'.repeat(3000), vulnerable];
    const results = await Promise.all(inputs.flatMap((code) => [analyzeSource(code), analyzeSource(code)]));
    expect(results.length).toBe(inputs.length * 2);
    const last = results[results.length - 1]!;
    expect(last.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(true);
  });

  it('has a synchronous form after preparation', async () => {
    await prepareAnalyzer();
    const r = analyzeSourceSync(vulnerable);
    expect(r.findings.some((f) => f.ruleId === 'py/command-injection')).toBe(true);
  });
});
