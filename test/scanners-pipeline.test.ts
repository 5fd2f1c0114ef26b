// End to end: scanners created by name, run together on a batch, reported as SARIF, JSON and text.
import { describe, expect, it } from 'vitest';
import { buildJsonReport } from '../src/report/json.js';
import { checkSarif } from '../src/report/sarif-check.js';
import { toSarif } from '../src/report/sarif.js';
import { toText } from '../src/report/text.js';
import { createScanners, describeScanners, isVulnerable, scanAll } from '../src/scanners/index.js';

const SQL = `import sqlite3
from flask import Flask, request

app = Flask(__name__)

@app.route("/user")
def user():
    name = request.args.get("name")
    conn = sqlite3.connect("users.db")
    return str(conn.execute("SELECT * FROM users WHERE name = '" + name + "'").fetchall())
`;
const CMD = `import os
from flask import Flask, request

app = Flask(__name__)

@app.route("/ls")
def listing():
    os.system("ls " + request.args["dir"])
    return "ok"
`;
const SAFE = `def add(a, b):
    return a + b
`;

describe('builtin + bandit pipeline', () => {
  it('flags the vulnerable file, not the safe one, and reports valid SARIF', async () => {
    const { scanners, skipped } = await createScanners(['builtin', 'bandit']);
    expect(skipped).toEqual([]);
    const files = [
      { path: 'CWE-089/sql.py', content: SQL },
      { path: 'CWE-078/cmd.py', content: CMD },
      { path: 'CWE-089/safe.py', content: SAFE },
    ];
    const combined = await scanAll(scanners, files);
    const of = (file: string) => combined.findings.filter((f) => f.file === file);

    expect(isVulnerable(of('CWE-089/sql.py'), { policy: 'any' })).toBe(true);
    expect(isVulnerable(of('CWE-089/sql.py'), { policy: 'task-cwe', taskCwe: 89 })).toBe(true);
    expect(isVulnerable(of('CWE-089/safe.py'), { policy: 'any' })).toBe(false);
    expect(isVulnerable(of('CWE-078/cmd.py'), { policy: 'task-cwe', taskCwe: 78 })).toBe(true);
    expect(new Set(of('CWE-078/cmd.py').map((f) => f.scanner))).toEqual(new Set(['builtin', 'bandit']));

    const input = { files, ...combined };
    const log = toSarif(input, { tools: await describeScanners(scanners) });
    expect(checkSarif(log)).toEqual([]);
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['builtin', 'bandit']);
    expect(buildJsonReport(input).summary.filesWithFindings).toBe(2);
    expect(toText(input)).toMatch(/CWE-089\/sql\.py:10:\d+ {2}\w+ +\S+ {2}CWE-89/);
  });
});
