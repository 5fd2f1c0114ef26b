import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CODEQL_DEFAULT_SUITE, CODEQL_INSTALL_HINT, CodeqlScanner } from './codeql.js';
import { makeFakeTool, type FakeTool } from './fake-tool.test-helper.js';

const CANNED = fileURLToPath(new URL('./testdata/codeql-python.sarif', import.meta.url));
const APP = `from flask import request
import sqlite3
import logging

@app.route('/user')
def user():
    name = request.args['name']
    query = "SELECT * FROM users WHERE name = '%s'" % name
    logging.info("password %s", password)
    return db.execute(query)
`;

// Writes the canned SARIF where --output says, records what --source-root held.
const FAKE_CODEQL = `
case "$1 $2" in
  "database create")
    prev=""; for a in "$@"; do [ "$prev" = "--source-root" ] && ls "$a" >> "$LOG_SIDE"; prev="$a"; done
    mkdir -p "$3"; exit 0 ;;
  "database analyze")
    prev=""; for a in "$@"; do [ "$prev" = "--output" ] && cp '${CANNED}' "$a"; prev="$a"; done
    exit 0 ;;
  "version --format=terse") echo 2.20.1; exit 0 ;;
esac
echo "unexpected: $*" >&2
exit 3
`;

let tool: FakeTool | undefined;
afterEach(async () => {
  await tool?.remove();
  tool = undefined;
});

describe('CodeqlScanner', () => {
  it('is unavailable with an install hint when codeql is not on PATH', async () => {
    const original = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const scanner = new CodeqlScanner();
      expect(await scanner.unavailableReason()).toBe(CODEQL_INSTALL_HINT);
      await expect(scanner.scan([{ path: 'a.py', content: 'x = 1\n' }])).rejects.toThrow(/codeql is not installed/);
    } finally {
      process.env.PATH = original;
    }
  });

  it('creates a database, analyzes it with the suite and reads the SARIF back', async () => {
    tool = await makeFakeTool('codeql', FAKE_CODEQL);
    const scanner = new CodeqlScanner({ executable: tool.executable, threads: 2 });
    expect(await scanner.unavailableReason()).toBeNull();
    const result = await scanner.scan([
      { path: 'CWE-089/app.py', content: APP },
      { path: 'CWE-089/broken.py', content: 'def broken(:\n' },
    ]);

    const calls = await tool.invocations();
    expect(calls).toHaveLength(2);
    const [create, analyze] = calls;
    expect(create.slice(0, 2)).toEqual(['database', 'create']);
    expect(create).toContain('--language=python');
    expect(create).toContain('--threads=2');
    expect(create[create.indexOf('--source-root') + 1]).toMatch(/secagent-codeql-.*\/src$/);
    expect(analyze.slice(0, 3)).toEqual(['database', 'analyze', create[2]]);
    expect(analyze[3]).toBe(CODEQL_DEFAULT_SUITE);
    expect(analyze).toContain('--format=sarif-latest');
    expect(await tool.sideLog()).toBe('f0001.py\nf0002.py\n');

    expect(result.findings.map((f) => [f.ruleId, f.file, f.line, f.cwes])).toEqual([['py/sql-injection', 'CWE-089/app.py', 8, [89]]]);
    expect(result.suppressed).toBe(1);
    expect(result.diagnostics.map((d) => d.file)).toEqual(['CWE-089/broken.py']);
  });

  it('uses a configured suite and reports the version', async () => {
    tool = await makeFakeTool('codeql', FAKE_CODEQL);
    const scanner = new CodeqlScanner({ executable: tool.executable, suite: '/rules/custom.qls' });
    await scanner.scan([{ path: 'a.py', content: APP }]);
    const [, analyze] = await tool.invocations();
    expect(analyze[3]).toBe('/rules/custom.qls');
    expect((await scanner.describe()).tool).toEqual({ name: 'codeql', version: '2.20.1', informationUri: 'https://codeql.github.com/' });
  });

  it('fails with the tool stderr when a step fails', async () => {
    tool = await makeFakeTool('codeql', 'echo "A fatal error occurred: no python extractor" >&2\nexit 2\n');
    await expect(new CodeqlScanner({ executable: tool.executable }).scan([{ path: 'a.py', content: APP }])).rejects.toThrow(
      /codeql: database create exited with code 2: A fatal error occurred: no python extractor/,
    );
  });

  it('fails clearly when analyze writes no SARIF', async () => {
    tool = await makeFakeTool('codeql', 'exit 0\n');
    await expect(new CodeqlScanner({ executable: tool.executable }).scan([{ path: 'a.py', content: APP }])).rejects.toThrow(
      /wrote no SARIF file/,
    );
  });
});
