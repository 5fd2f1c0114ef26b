import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFakeTool, type FakeTool } from './fake-tool.test-helper.js';
import { SEMGREP_INSTALL_HINT, SemgrepScanner } from './semgrep.js';

const CANNED = fileURLToPath(new URL('./testdata/semgrep-python.sarif', import.meta.url));
const SHELL = 'import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n';
// Prints the canned SARIF on stdout and records the files present in its working folder.
const FAKE_SEMGREP = `
if [ "$1" = "--version" ]; then echo 1.90.0; exit 0; fi
ls >> "$LOG_SIDE"
cat '${CANNED}'
`;

let tool: FakeTool | undefined;
afterEach(async () => {
  await tool?.remove();
  tool = undefined;
});

describe('SemgrepScanner', () => {
  it('is unavailable with an install hint when semgrep is not on PATH', async () => {
    const original = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await new SemgrepScanner().unavailableReason()).toBe(SEMGREP_INSTALL_HINT);
    } finally {
      process.env.PATH = original;
    }
  });

  it('runs semgrep once per batch with the default config and reads its SARIF', async () => {
    tool = await makeFakeTool('semgrep', FAKE_SEMGREP);
    const scanner = new SemgrepScanner({ executable: tool.executable });
    const result = await scanner.scan([
      { path: 'cmd/a.py', content: SHELL },
      { path: 'cmd/b.py', content: 'x = 1\n' },
      { path: 'cmd/c.py', content: 'def broken(:\n' },
    ]);
    const calls = await tool.invocations();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(['--config', 'p/python', '--sarif', '--quiet', '--metrics=off', '--disable-version-check', 'f0001.py', 'f0002.py', 'f0003.py']);
    expect(await tool.sideLog()).toBe('f0001.py\nf0002.py\nf0003.py\n');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ scanner: 'semgrep', file: 'cmd/a.py', cwes: [78], line: 4 });
    expect(result.diagnostics).toEqual([{ scanner: 'semgrep', file: 'cmd/c.py', line: 1, message: expect.stringMatching(/Syntax error/) }]);
    expect(await scanner.version()).toBe('1.90.0');
  });

  it('splits large batches and makes local rule paths absolute', async () => {
    tool = await makeFakeTool('semgrep', FAKE_SEMGREP);
    const rulesDir = await mkdtemp(path.join(os.tmpdir(), 'semgrep-rules-'));
    const cwd = process.cwd();
    try {
      await writeFile(path.join(rulesDir, 'rules.yml'), 'rules: []\n');
      process.chdir(rulesDir);
      const scanner = new SemgrepScanner({ executable: tool.executable, configs: ['rules.yml', 'p/security-audit'], chunkSize: 2 });
      process.chdir(cwd);
      await scanner.scan(Array.from({ length: 5 }, (_, i) => ({ path: `s${i}.py`, content: SHELL })));
      const calls = await tool.invocations();
      expect(calls).toHaveLength(3);
      expect(calls[0].slice(0, 4)).toEqual(['--config', path.join(rulesDir, 'rules.yml'), '--config', 'p/security-audit']);
      expect(calls.map((args) => args.filter((a) => /^f\d+\.py$/.test(a)))).toEqual([
        ['f0001.py', 'f0002.py'],
        ['f0003.py', 'f0004.py'],
        ['f0005.py'],
      ]);
    } finally {
      process.chdir(cwd);
      await rm(rulesDir, { recursive: true, force: true });
    }
  });

  it('fails with stderr on exit codes above 1 and on output that is not SARIF', async () => {
    tool = await makeFakeTool('semgrep', 'echo "invalid configuration file" >&2\nexit 7\n');
    await expect(new SemgrepScanner({ executable: tool.executable }).scan([{ path: 'a.py', content: SHELL }])).rejects.toThrow(
      /semgrep: exited with code 7: invalid configuration file/,
    );
    await tool.remove();
    tool = await makeFakeTool('semgrep', 'echo "hello"\n');
    await expect(new SemgrepScanner({ executable: tool.executable }).scan([{ path: 'a.py', content: SHELL }])).rejects.toThrow(
      /not JSON/,
    );
  });
});
