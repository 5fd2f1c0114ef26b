import { describe, expect, it } from 'vitest';
import type * as Sarif from 'sarif';
import { BanditScanner } from '../scanners/bandit.js';
import { scanAll } from '../scanners/combine.js';
import { readSarif } from '../scanners/sarif-input.js';
import { APP, SHELL, sampleInput } from './fixtures.test-helper.js';
import { checkSarif } from './sarif-check.js';
import { cweTags, FINGERPRINT_KEY, SRCROOT, toSarif, toSarifText } from './sarif.js';

describe('toSarif', () => {
  const log = toSarif(sampleInput(), {
    tools: {
      bandit: {
        tool: { name: 'bandit', version: '1.6.2', informationUri: 'https://bandit.readthedocs.io/' },
        rules: [{ id: 'B602', name: 'subprocess_popen_with_shell_equals_true', shortDescription: 'Bandit B602', help: 'Use shell=False.', cwes: [78] }],
      },
    },
  });

  it('passes the structural check', () => {
    expect(checkSarif(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  });

  it('writes one run per scanner with tool info', () => {
    expect(log.runs.map((run) => run.tool.driver.name)).toEqual(['builtin', 'bandit']);
    expect(log.runs[1].tool.driver).toMatchObject({ version: '1.6.2', informationUri: 'https://bandit.readthedocs.io/' });
    expect(log.runs[0].properties).toEqual({ suppressedCount: 0, durationMs: 12 });
    expect(log.runs[1].properties).toEqual({ suppressedCount: 2 });
  });

  it('describes the used rules with CWE tags and security-severity, from metadata or from findings', () => {
    const bandit = log.runs[1];
    const rules = bandit.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(['B404', 'B602', 'B608']);
    const b602 = rules[1];
    expect(b602).toMatchObject({
      name: 'subprocess_popen_with_shell_equals_true',
      shortDescription: { text: 'Bandit B602' },
      help: { text: 'Use shell=False.' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'external/cwe/cwe-078', 'CWE-78'], 'security-severity': '8.0' },
    });
    // B608 had no metadata: described from its finding
    expect(rules[2]).toMatchObject({
      shortDescription: { text: 'Possible SQL injection.' },
      defaultConfiguration: { level: 'warning' },
      properties: { tags: ['security', 'external/cwe/cwe-089', 'CWE-89'], 'security-severity': '5.5' },
    });
  });

  it('points every result at its rule and maps severity to level', () => {
    for (const run of log.runs) {
      for (const result of run.results ?? []) {
        expect(run.tool.driver.rules?.[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
      }
    }
    const bandit = log.runs[1].results ?? [];
    expect(bandit.map((r) => [r.ruleId, r.level])).toEqual([
      ['B608', 'warning'],
      ['B404', 'note'],
      ['B602', 'error'],
    ]);
  });

  it('writes locations with 1-based regions, snippets, encoded URIs, CWE properties and fingerprints', () => {
    const result = (log.runs[1].results ?? []).find((r) => r.ruleId === 'B602') as Sarif.Result;
    expect(result.locations?.[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'tasks/run%20cmd.py' },
      region: { startLine: 4, startColumn: 12, endLine: 4, endColumn: 44, snippet: { text: '    return subprocess.call(cmd, shell=True)' } },
    });
    expect(result.properties).toMatchObject({ cwe: ['CWE-78'], tags: ['security', 'CWE-78'], confidence: 'high', fixHint: 'Pass a list with shell=False.' });
    expect(result.partialFingerprints?.[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}:1$/);
  });

  it('keeps fingerprints stable when the line moves and distinct for different lines', () => {
    const input = sampleInput();
    const moved = sampleInput();
    moved.files[1] = { path: 'tasks/run cmd.py', content: `# a comment\n${SHELL}` };
    const b602 = moved.runs[1].result.findings.find((f) => f.ruleId === 'B602');
    if (b602) b602.line = b602.endLine = 5;
    const fp = (l: Sarif.Log, rule: string) => l.runs[1].results?.find((r) => r.ruleId === rule)?.partialFingerprints?.[FINGERPRINT_KEY];
    expect(fp(toSarif(moved), 'B602')).toBe(fp(toSarif(input), 'B602'));
    expect(fp(toSarif(input), 'B602')).not.toBe(fp(toSarif(input), 'B404'));
  });

  it('turns the flow into a code flow', () => {
    const result = log.runs[0].results?.[0] as Sarif.Result;
    const steps = result.codeFlows?.[0].threadFlows[0].locations ?? [];
    expect(steps.map((s) => [s.location?.physicalLocation?.region?.startLine, s.location?.message?.text])).toEqual([
      [5, 'request.args is user input'],
      [6, 'query is built from name'],
      [7, 'query reaches execute'],
    ]);
    expect(steps[0].location?.physicalLocation?.region?.snippet?.text).toBe(APP.split('\n')[4]);
  });

  it('reports diagnostics as tool execution notifications and failed scanners as unsuccessful runs', () => {
    const input = sampleInput();
    input.failures = [{ scanner: 'codeql', message: 'codeql: database create exited with code 2' }];
    const withFailure = toSarif(input);
    expect(checkSarif(withFailure)).toEqual([]);
    expect(withFailure.runs[1].invocations?.[0]).toEqual({
      executionSuccessful: true,
      toolExecutionNotifications: [
        { level: 'warning', message: { text: 'syntax error while parsing AST from file' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'tasks/broken.py' } } }] },
      ],
    });
    expect(withFailure.runs[2]).toMatchObject({
      tool: { driver: { name: 'codeql' } },
      invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error' }] }],
      results: [],
    });
  });

  it('makes absolute paths relative to baseDir under SRCROOT', () => {
    const input = sampleInput();
    for (const run of input.runs) for (const f of run.result.findings) f.file = `/work/proj/${f.file}`;
    for (const f of input.files) f.path = `/work/proj/${f.path}`;
    const based = toSarif(input, { baseDir: '/work/proj' });
    expect(checkSarif(based)).toEqual([]);
    expect(based.runs[0].originalUriBaseIds).toEqual({ [SRCROOT]: { uri: 'file:///work/proj/' } });
    expect(based.runs[0].results?.[0].locations?.[0].physicalLocation?.artifactLocation).toEqual({ uri: 'tasks/app.py', uriBaseId: SRCROOT });
  });

  it('round-trips through the SARIF reader', () => {
    const files = new Map(sampleInput().files.map((f) => [encodeURI(f.path), f]));
    const back = readSarif(toSarifText(sampleInput()), { scanner: 'x', lookup: (uri) => files.get(encodeURI(uri)) });
    const original = sampleInput().runs.flatMap((r) => r.result.findings);
    expect(back.findings.map((f) => [f.ruleId, f.file, f.line, f.column, f.endColumn, f.cwes, f.severity]).sort()).toEqual(
      original.map((f) => [f.ruleId, f.file, f.line, f.column, f.endColumn, f.cwes, f.severity]).sort(),
    );
    expect(back.findings.find((f) => f.ruleId === 'py/sql-injection')?.flow).toHaveLength(3);
  });
});

describe('cweTags', () => {
  it('pads to three digits for the CodeQL form', () => {
    expect(cweTags([22, 1333])).toEqual(['external/cwe/cwe-022', 'external/cwe/cwe-1333', 'CWE-22', 'CWE-1333']);
  });
});

describe('SARIF from a real Bandit run', () => {
  it('is structurally valid', async () => {
    const scanner = new BanditScanner();
    const files = [
      { path: 'a.py', content: SHELL },
      { path: 'b.py', content: 'def broken(:\n' },
    ];
    const combined = await scanAll([scanner], files);
    const log = toSarif({ files, ...combined }, { tools: { bandit: await scanner.describe() } });
    expect(checkSarif(log)).toEqual([]);
    expect(log.runs[0].tool.driver.version).toMatch(/^\d+\.\d+/);
    expect(log.runs[0].results?.some((r) => r.ruleId === 'B602')).toBe(true);
    expect(log.runs[0].invocations?.[0].toolExecutionNotifications?.[0].locations?.[0].physicalLocation?.artifactLocation?.uri).toBe('b.py');
  });
});
