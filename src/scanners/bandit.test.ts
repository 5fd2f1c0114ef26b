import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANDIT_TESTS, banditTest } from './bandit-tests.js';
import { BANDIT_INSTALL_HINT, BanditScanner, parseBanditReport } from './bandit.js';
import { spawnRunner, type ProcessRunner, type RunRequest } from './process.js';
import type { SourceFile } from './types.js';

const SHELL = `import subprocess

def run(cmd):
    return subprocess.call(cmd, shell=True)
`;
const PICKLE_NOSEC = `import pickle  # nosec

def load(data):
    return pickle.loads(data)  # nosec
`;
const MD5 = `import hashlib

def digest(data):
    return hashlib.md5(data).hexdigest()
`;
const YAML = `import yaml

def parse(text):
    return yaml.load(text)
`;
const BROKEN = `def broken(:\n    pass\n`;
const CLEAN = `def add(a, b):\n    return a + b\n`;

function countingRunner(): { runner: ProcessRunner; calls: RunRequest[] } {
  const calls: RunRequest[] = [];
  return {
    calls,
    runner: (request) => {
      calls.push(request);
      return spawnRunner(request);
    },
  };
}

/** The temporary workspaces a scan handed to bandit (other test files scan at the same time, so look only at ours). */
function workspacesOf(calls: RunRequest[]): string[] {
  const roots = calls.flatMap((call) => [...call.args, call.cwd ?? '']).flatMap((arg) => {
    const m = /^(.*\/secagent-bandit-[^/]+)/.exec(arg);
    return m ? [m[1]!] : [];
  });
  return [...new Set(roots)];
}

function expectRemoved(calls: RunRequest[]): void {
  const roots = workspacesOf(calls);
  expect(roots.length).toBeGreaterThan(0);
  for (const root of roots) expect(existsSync(root)).toBe(false);
}

describe('BanditScanner with the installed bandit', () => {
  it('is available here', async () => {
    expect(await new BanditScanner().unavailableReason()).toBeNull();
    expect(await new BanditScanner().version()).toMatch(/^\d+\.\d+/);
  });

  it('scans a batch in one process and maps findings back to the caller paths and CWEs', async () => {
    const { runner, calls } = countingRunner();
    const files: SourceFile[] = [
      { path: 'tasks/CWE-078/a.py', content: SHELL },
      { path: 'tasks/CWE-327/b.py', content: MD5 },
      { path: 'tasks/CWE-020/c.py', content: YAML },
      { path: 'tasks/clean.py', content: CLEAN },
    ];
    const result = await new BanditScanner({ runner }).scan(files);

    expect(calls.filter((call) => !call.args.includes('--version'))).toHaveLength(1);
    const byRule = new Map(result.findings.map((finding) => [finding.ruleId, finding]));
    const shell = byRule.get('B602');
    expect(shell).toMatchObject({
      scanner: 'bandit',
      file: 'tasks/CWE-078/a.py',
      cwes: [78],
      severity: 'high',
      line: 4,
      column: 5,
      endLine: 4,
    });
    expect(shell?.snippet).toBe('    return subprocess.call(cmd, shell=True)');
    expect(shell?.fixHint).toMatch(/shell=False/);
    expect(byRule.get('B404')?.cwes).toEqual([78]);
    expect(byRule.get('B303') ?? byRule.get('B324')).toMatchObject({ file: 'tasks/CWE-327/b.py', cwes: [327], line: 4 });
    expect(byRule.get('B506')).toMatchObject({ file: 'tasks/CWE-020/c.py', cwes: [20] });
    expect(result.findings.some((finding) => finding.file === 'tasks/clean.py')).toBe(false);
    expect(result.diagnostics).toEqual([]);
    expectRemoved(calls);
  });

  it('splits a large batch into chunks, one process per chunk', async () => {
    const { runner, calls } = countingRunner();
    const files: SourceFile[] = Array.from({ length: 7 }, (_, i) => ({
      path: `sample-${i}.py`,
      content: i % 2 === 0 ? SHELL : CLEAN,
    }));
    const result = await new BanditScanner({ runner, chunkSize: 3 }).scan(files);
    expect(calls).toHaveLength(3);
    expect(calls.map((call) => call.args.filter((arg) => arg.endsWith('.py') && !arg.includes('/')).length)).toEqual([3, 3, 1]);
    const flagged = new Set(result.findings.filter((f) => f.ruleId === 'B602').map((f) => f.file));
    expect([...flagged].sort()).toEqual(['sample-0.py', 'sample-2.py', 'sample-4.py', 'sample-6.py']);
  });

  it('reports files Bandit cannot parse as diagnostics and counts # nosec suppressions', async () => {
    const result = await new BanditScanner().scan([
      { path: 'broken.py', content: BROKEN },
      { path: 'pickled.py', content: PICKLE_NOSEC },
    ]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ scanner: 'bandit', file: 'broken.py' });
    expect(result.diagnostics[0].message).toMatch(/syntax error/i);
    expect(result.findings.filter((f) => f.file === 'pickled.py')).toEqual([]);
    expect(result.suppressed).toBe(2);
  });

  it('returns an empty result for an empty batch without starting bandit', async () => {
    const { runner, calls } = countingRunner();
    expect(await new BanditScanner({ runner }).scan([])).toEqual({ findings: [], diagnostics: [], suppressed: 0 });
    expect(calls).toHaveLength(0);
  });

  it('passes skipped test ids to bandit', async () => {
    const result = await new BanditScanner({ skip: ['B404'] }).scan([{ path: 'a.py', content: SHELL }]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['B602']);
  });
});

describe('BanditScanner failures', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bandit-fake-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says how to install bandit when it is absent', async () => {
    const scanner = new BanditScanner();
    const original = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(await scanner.unavailableReason()).toBe(BANDIT_INSTALL_HINT);
      await expect(scanner.scan([{ path: 'a.py', content: CLEAN }])).rejects.toThrow(/apt-get install bandit/);
    } finally {
      process.env.PATH = original;
    }
    expect(await new BanditScanner({ executable: path.join(dir, 'nope') }).unavailableReason()).toMatch(/not found/);
  });

  it('treats exit codes other than 0 and 1 as failure and still removes its temp folder', async () => {
    const fake = path.join(dir, 'bandit-crash');
    await writeFile(fake, '#!/bin/sh\necho "Traceback: boom" >&2\nexit 2\n');
    await chmod(fake, 0o755);
    const { runner, calls } = countingRunner();
    await expect(new BanditScanner({ executable: fake, runner }).scan([{ path: 'a.py', content: CLEAN }])).rejects.toThrow(
      /exited with code 2: Traceback: boom/,
    );
    expectRemoved(calls);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new BanditScanner().scan([{ path: 'a.py', content: SHELL }], { signal: controller.signal })).rejects.toThrow();
  });
});

describe('parseBanditReport', () => {
  const source = { path: 'x/app.py', content: 'import os\nos.system(cmd)\n' };
  const workspace = { lookup: (p: string) => (p.endsWith('f0001.py') ? { source, relPath: 'f0001.py', absPath: '/t/f0001.py' } : undefined) };

  it('prefers the CWE Bandit 1.7.3+ prints and uses its columns', () => {
    const report = {
      errors: [],
      metrics: { _totals: { nosec: 3 } },
      results: [
        {
          filename: '/t/f0001.py',
          test_id: 'B605',
          test_name: 'start_process_with_a_shell',
          issue_text: 'Starting a process with a shell.',
          issue_severity: 'HIGH',
          issue_confidence: 'MEDIUM',
          issue_cwe: { id: 77, link: 'https://cwe.mitre.org/data/definitions/77.html' },
          line_number: 2,
          line_range: [2],
          col_offset: 0,
          end_col_offset: 14,
        },
      ],
    };
    const result = parseBanditReport(JSON.stringify(report), workspace);
    expect(result.suppressed).toBe(3);
    expect(result.findings[0]).toMatchObject({
      file: 'x/app.py',
      cwes: [77],
      severity: 'high',
      confidence: 'medium',
      line: 2,
      column: 1,
      endColumn: 15,
      snippet: 'os.system(cmd)',
    });
  });

  it('rejects output that is not JSON with a ScannerError', () => {
    expect(() => parseBanditReport('Traceback (most recent call last)', workspace)).toThrow(/bandit: report is not JSON/);
  });
});

describe('Bandit test id table', () => {
  it('covers every test the installed bandit lists, each with a CWE and a hint', async () => {
    const outcome = await spawnRunner({ command: 'bandit', args: ['-h'] });
    const installed = [...outcome.stdout.matchAll(/^\s+(B\d{3})\s+\w+/gm)].map((m) => m[1]);
    expect(installed.length).toBeGreaterThan(50);
    for (const id of installed) {
      const test = banditTest(id);
      expect(test, id).toBeDefined();
    }
    for (const test of BANDIT_TESTS) {
      expect(test.cwe).toBeGreaterThan(0);
      expect(test.hint.length).toBeGreaterThan(20);
    }
    expect(new Set(BANDIT_TESTS.map((t) => t.id)).size).toBe(BANDIT_TESTS.length);
  });
});

describe('BanditScanner.limitations', () => {
  it('detects whether the installed bandit sees string literals, by probing it', async () => {
    const scanner = new BanditScanner();
    const limitations = await scanner.limitations();
    // Decide independently: does this bandit flag a hard-coded SQL string?
    const direct = await new BanditScanner().scan([{ path: 'q.py', content: 'q = "SELECT * FROM t WHERE a = \'" + a + "\'"\n' }]);
    const seesStrings = direct.findings.some((f) => f.ruleId === 'B608');
    expect(limitations.length).toBe(seesStrings ? 0 : 1);
    if (!seesStrings) expect(limitations[0]).toMatch(/does not check string literals.*B608/);
    expect(await scanner.limitations()).toBe(limitations);
  });

  it('reports none for a bandit that flags the probe', async () => {
    const runner: ProcessRunner = async (request) => {
      const out = request.args[request.args.indexOf('-o') + 1];
      const report = { errors: [], metrics: { _totals: { nosec: 0 } }, results: [{ filename: 'f0001.py', test_id: 'B105', issue_text: 'pw', issue_severity: 'LOW', issue_confidence: 'MEDIUM', line_number: 1, line_range: [1] }] };
      await writeFile(out, JSON.stringify(report));
      return { exitCode: 1, stdout: '', stderr: '' };
    };
    expect(await new BanditScanner({ runner }).limitations()).toEqual([]);
  });
});
