import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/types.js';
import { dedupeFindings, isVulnerable, countedFindings, scanAll } from './combine.js';
import type { ScanResult, Scanner, SourceFile } from './types.js';

function finding(partial: Partial<Finding>): Finding {
  return {
    scanner: 's',
    ruleId: 'r',
    cwes: [],
    severity: 'medium',
    confidence: 'medium',
    message: 'm',
    file: 'a.py',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 2,
    ...partial,
  };
}

let inFlight = 0;
let maxInFlight = 0;

class StubScanner implements Scanner {
  calls = 0;
  constructor(
    readonly name: string,
    private readonly result: ScanResult | Error,
    private readonly delayMs = 0,
  ) {}
  async unavailableReason() {
    return null;
  }
  async scan(files: SourceFile[]): Promise<ScanResult> {
    this.calls += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    inFlight -= 1;
    if (this.result instanceof Error) throw this.result;
    expect(files.length).toBeGreaterThan(0);
    return this.result;
  }
}

const files: SourceFile[] = [{ path: 'a.py', content: 'x = 1\n' }, { path: 'b.py', content: 'y = 2\n' }];

describe('scanAll', () => {
  it('runs scanners in parallel and merges, sorts and de-duplicates their results', async () => {
    const a = new StubScanner(
      'a',
      {
        findings: [
          finding({ scanner: 'a', ruleId: 'A1', file: 'b.py', line: 3 }),
          finding({ scanner: 'a', ruleId: 'A1', file: 'b.py', line: 3, column: 9 }),
          finding({ scanner: 'a', ruleId: 'A2', file: 'a.py', line: 5 }),
        ],
        diagnostics: [{ scanner: 'a', file: 'a.py', message: 'parse error' }],
        suppressed: 2,
      },
      40,
    );
    const b = new StubScanner('b', { findings: [finding({ scanner: 'b', ruleId: 'A1', file: 'b.py', line: 3 })], diagnostics: [], suppressed: 1 }, 40);
    maxInFlight = 0;
    const combined = await scanAll([a, b], files);
    expect(maxInFlight).toBe(2);
    expect(combined.findings.map((f) => `${f.file}:${f.line} ${f.scanner}/${f.ruleId}`)).toEqual(['a.py:5 a/A2', 'b.py:3 a/A1', 'b.py:3 b/A1']);
    expect(combined.diagnostics).toEqual([{ scanner: 'a', file: 'a.py', message: 'parse error' }]);
    expect(combined.suppressed).toBe(3);
    expect(combined.runs.map((r) => [r.scanner, r.result.findings.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(combined.failures).toEqual([]);
  });

  it('fails when a scanner fails, unless asked to record the failure', async () => {
    const good = new StubScanner('good', { findings: [finding({ scanner: 'good' })], diagnostics: [], suppressed: 0 });
    const bad = new StubScanner('bad', new Error('bandit: exited with code 2'));
    await expect(scanAll([good, bad], files)).rejects.toThrow(/exited with code 2/);
    const combined = await scanAll([good, bad], files, { onScannerError: 'record' });
    expect(combined.findings).toHaveLength(1);
    expect(combined.failures).toEqual([{ scanner: 'bad', message: 'bandit: exited with code 2' }]);
    expect(combined.diagnostics).toEqual([{ scanner: 'bad', message: 'scanner failed: bandit: exited with code 2' }]);
  });
});

describe('dedupeFindings', () => {
  it('keeps different scanners, rules, files and lines apart', () => {
    const kept = dedupeFindings([
      finding({}),
      finding({ message: 'same place again' }),
      finding({ scanner: 't' }),
      finding({ ruleId: 'q' }),
      finding({ file: 'b.py' }),
      finding({ line: 2 }),
    ]);
    expect(kept).toHaveLength(5);
    expect(kept[0].message).toBe('m');
  });
});

describe('isVulnerable', () => {
  const sql = finding({ cwes: [89] });
  const cmd = finding({ cwes: [78] });
  const none = finding({ cwes: [] });

  it('any: any finding flags the sample (the study rule)', () => {
    expect(isVulnerable([], { policy: 'any' })).toBe(false);
    expect(isVulnerable([none], { policy: 'any', taskCwe: 89 })).toBe(true);
  });

  it('task-cwe: only findings matching the task CWE along the hierarchy count', () => {
    expect(isVulnerable([cmd, none], { policy: 'task-cwe', taskCwe: 89 })).toBe(false);
    expect(isVulnerable([cmd, sql], { policy: 'task-cwe', taskCwe: 89 })).toBe(true);
    // CWE-78 is a child of CWE-77 in CWE-1000: matches with the default hierarchy
    expect(isVulnerable([cmd], { policy: 'task-cwe', taskCwe: 77 })).toBe(true);
    expect(countedFindings([cmd, sql], { policy: 'task-cwe', taskCwe: 77 })).toEqual([cmd]);
  });

  it('task-cwe uses an injected matcher and falls back to any without a task CWE', () => {
    const exactOnly = (a: number, b: number) => a === b;
    expect(isVulnerable([cmd], { policy: 'task-cwe', taskCwe: 77, cweMatches: exactOnly })).toBe(false);
    expect(isVulnerable([cmd], { policy: 'task-cwe' })).toBe(true);
  });
});
