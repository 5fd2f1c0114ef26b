import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSarif } from '../../src/report/sarif-check.js';
import { runCli } from './helpers/cli.js';

const VULNERABLE = `import sqlite3
from flask import Flask, request

app = Flask(__name__)

@app.route("/user")
def user():
    name = request.args.get("name")
    cur = sqlite3.connect("db").cursor()
    cur.execute("SELECT * FROM users WHERE name = '" + name + "'")
    return str(cur.fetchone())
`;
const SAFE = VULNERABLE.replace(`"SELECT * FROM users WHERE name = '" + name + "'"`, `"SELECT * FROM users WHERE name = ?", (name,)`);

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secagent-scan-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('secagent scan', () => {
  it('reports SQL injection as SARIF 2.1.0 with the CWE as tag and property, and exits 1', async () => {
    const dir = workspace({ 'app.py': VULNERABLE });
    const out = join(dir, 'report.sarif');
    const result = await runCli(['scan', dir, '--scanners', 'builtin', '--format', 'sarif', '--output', out]);
    expect(result.stderr).toContain('scanning 1 file with builtin');
    expect(result.code).toBe(1);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(checkSarif(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    const sql = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'py/sql-injection');
    expect(sql).toBeDefined();
    expect(sql.properties.cwe).toContain('CWE-89');
    expect(sql.properties.tags).toContain('CWE-89');
    expect(sql.locations[0].physicalLocation.region.startLine).toBe(10);
    const rule = log.runs[0].tool.driver.rules[sql.ruleIndex];
    expect(rule.properties.tags).toEqual(expect.arrayContaining(['CWE-89', 'external/cwe/cwe-089']));
    expect(sql.codeFlows?.[0]?.threadFlows?.[0]?.locations?.length).toBeGreaterThan(1);
  });

  it('exits 0 on code without findings and prints a JSON report', async () => {
    const dir = workspace({ 'app.py': SAFE });
    const result = await runCli(['scan', join(dir, 'app.py'), '--scanners', 'builtin', '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.findings).toEqual([]);
  });

  it('keeps only findings of the asked CWE along the hierarchy', async () => {
    const dir = workspace({ 'app.py': VULNERABLE + '\napp.run(debug=True)\n' });
    const all = JSON.parse((await runCli(['scan', dir, '--scanners', 'builtin', '--format', 'json'])).stdout);
    const only = JSON.parse((await runCli(['scan', dir, '--scanners', 'builtin', '--format', 'json', '--cwe', '943'])).stdout);
    expect(only.findings.length).toBeGreaterThan(0);
    expect(only.findings.length).toBeLessThanOrEqual(all.findings.length);
    expect(only.findings.every((f: { cwes: string[] }) => f.cwes.includes('CWE-89') || f.cwes.includes('CWE-943'))).toBe(true);
    expect(all.findings.some((f: { cwes: string[] }) => !f.cwes.includes('CWE-89'))).toBe(true);
  });

  it('counts suppressed findings', async () => {
    const dir = workspace({ 'app.py': VULNERABLE.replace(`+ "'")`, `+ "'")  # secagent: ignore[py/sql-injection]`) });
    const result = await runCli(['scan', dir, '--scanners', 'builtin', '--format', 'json', '--cwe', '89']);
    const report = JSON.parse(result.stdout);
    expect(report.findings).toEqual([]);
    expect(result.stderr).toMatch(/1 suppressed/);
  });

  it('names a missing file in one line and exits 2', async () => {
    const result = await runCli(['scan', '/no/such/file.py']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('secagent: /no/such/file.py: no such file or folder');
  });

  it('refuses a binary or non-UTF-8 file named on the command line', async () => {
    const dir = workspace({ 'bin.py': Buffer.from([0x69, 0x00, 0x01]), 'latin.py': Buffer.from('x = "caf\xe9"\n', 'latin1') });
    const binary = await runCli(['scan', join(dir, 'bin.py')]);
    expect(binary.code).toBe(2);
    expect(binary.stderr).toContain('bin.py: binary file');
    const latin = await runCli(['scan', join(dir, 'latin.py')]);
    expect(latin.code).toBe(2);
    expect(latin.stderr).toContain('latin.py: not valid UTF-8 text');
    expect(latin.stderr).not.toMatch(/\n\s+at /);
  });

  it('skips an undecodable file found inside a folder and scans the rest', async () => {
    const dir = workspace({ 'app.py': VULNERABLE, 'latin.py': Buffer.from('x = "caf\xe9"\n', 'latin1') });
    const result = await runCli(['scan', dir, '--scanners', 'builtin', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('latin.py: not valid UTF-8 text');
    expect(JSON.parse(result.stdout).findings.length).toBeGreaterThan(0);
  });

  it('rejects an unknown scanner', async () => {
    const result = await runCli(['scan', 'examples', '--scanners', 'nosuch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown scanner "nosuch"');
  });

  it('prints --help and --version', async () => {
    const help = await runCli(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--format <format>');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
