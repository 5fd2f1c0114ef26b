import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cwesFromTags, levelOfSarif, readSarif } from './sarif-input.js';
import type { SourceFile } from './types.js';

const testdata = (name: string) => readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8');

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
const files: Record<string, SourceFile> = {
  'f0001.py': { path: 'CWE-089/app.py', content: APP },
  'f0002.py': { path: 'CWE-089/broken.py', content: 'def broken(:\n' },
};
const lookup = (uri: string) => files[uri];

describe('cwesFromTags', () => {
  it('reads CodeQL, Semgrep and plain CWE tags and ignores others', () => {
    expect(cwesFromTags(['security', 'external/cwe/cwe-089', 'external/cwe/cwe-564'])).toEqual([89, 564]);
    expect(cwesFromTags(["CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')"])).toEqual([78]);
    expect(cwesFromTags(['CWE-22', 'cwe-22', 'OWASP-A01:2017', 'CWE-abc', 42])).toEqual([22]);
  });
});

describe('levelOfSarif', () => {
  it('prefers security-severity bands over the SARIF level', () => {
    expect(levelOfSarif('8.8', 'note')).toBe('high');
    expect(levelOfSarif('5.0', 'error')).toBe('medium');
    expect(levelOfSarif('2.1', 'error')).toBe('low');
    expect(levelOfSarif(undefined, 'error')).toBe('high');
    expect(levelOfSarif(undefined, 'warning')).toBe('medium');
    expect(levelOfSarif(undefined, 'note')).toBe('low');
  });
});

describe('readSarif on CodeQL output', () => {
  const result = readSarif(testdata('codeql-python.sarif'), { scanner: 'codeql', lookup });

  it('finds the rule through the extension reference and reads its CWE, severity and precision', () => {
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding).toMatchObject({
      scanner: 'codeql',
      ruleId: 'py/sql-injection',
      cwes: [89],
      severity: 'high',
      confidence: 'high',
      file: 'CWE-089/app.py',
      line: 8,
      column: 20,
      endLine: 8,
      endColumn: 25,
      snippet: `    query = "SELECT * FROM users WHERE name = '%s'" % name`,
    });
  });

  it('strips markdown links from the message and takes the fix hint from the Recommendation section', () => {
    const [finding] = result.findings;
    expect(finding.message).toBe('This SQL query depends on a user-provided value.');
    expect(finding.fixHint).toBe(
      'Most database connector libraries offer a way of safely embedding untrusted data into a query using query parameters.',
    );
  });

  it('turns the code flow into flow steps', () => {
    expect(result.findings[0].flow).toEqual([
      { line: 6, column: 12, endColumn: 19, message: 'ControlFlowNode for request' },
      { line: 8, column: 20, endColumn: 25, message: 'ControlFlowNode for query' },
    ]);
  });

  it('counts suppressed results and keeps warnings (not notes) as diagnostics', () => {
    expect(result.suppressed).toBe(1);
    expect(result.diagnostics).toEqual([
      { scanner: 'codeql', file: 'CWE-089/broken.py', line: 1, message: 'A parse error occurred: Syntax Error.' },
    ]);
  });
});

describe('readSarif on Semgrep output', () => {
  it('reads CWE from Semgrep tags and fills placeholders', () => {
    const result = readSarif(testdata('semgrep-python.sarif'), {
      scanner: 'semgrep',
      lookup: (uri) => (uri === 'f0001.py' ? { path: 'a.py', content: 'import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n' } : undefined),
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      ruleId: 'python.lang.security.audit.subprocess-shell-true.subprocess-shell-true',
      cwes: [78],
      severity: 'high',
      confidence: 'high',
      file: 'a.py',
      line: 4,
      column: 38,
      fixHint: "Found 'subprocess' function 'call' with 'shell=True'. Use 'shell=False' instead.",
    });
    // the notification's file is not in the batch: still a diagnostic, without a file
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0].file).toBeUndefined();
    expect(result.diagnostics[0].message).toMatch(/Syntax error/);
  });

  it('resolves message placeholders from arguments', () => {
    const log = {
      version: '2.1.0' as const,
      runs: [
        {
          tool: { driver: { name: 't', rules: [{ id: 'r1', properties: { tags: ['CWE-79'] } }] } },
          results: [
            {
              ruleIndex: 0,
              level: 'note' as const,
              message: { text: 'value {0} reaches {1}', arguments: ['x'] },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'a%20b.py' }, region: { startLine: 1 } } }],
            },
          ],
        },
      ],
    };
    const result = readSarif(log, { scanner: 't', lookup: (uri) => (uri === 'a b.py' ? { path: 'p.py', content: '  x = 1\n' } : undefined) });
    expect(result.findings[0]).toMatchObject({ ruleId: 'r1', cwes: [79], severity: 'low', message: 'value x reaches {1}', column: 3, endColumn: 8 });
  });

  it('rejects output that is not SARIF', () => {
    expect(() => readSarif('not json', { scanner: 'semgrep', lookup })).toThrow(/semgrep: SARIF output is not JSON/);
    expect(() => readSarif('{"version":"2.1.0"}', { scanner: 'semgrep', lookup })).toThrow(/no runs/);
  });
});
