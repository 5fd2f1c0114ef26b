// Shared report-test input: two scanners, three files, a flow, a diagnostic, a suppression.
import type { Finding } from '../core/types.js';
import type { ReportInput } from './model.js';

export const APP = `import sqlite3
from flask import request

def user():
    name = request.args["name"]
    query = "SELECT * FROM users WHERE name = '%s'" % name
    return sqlite3.connect("db").execute(query)
`;
export const SHELL = `import subprocess

def run(cmd):
    return subprocess.call(cmd, shell=True)
`;

export function finding(partial: Partial<Finding> & Pick<Finding, 'scanner' | 'ruleId' | 'file' | 'line'>): Finding {
  return {
    cwes: [],
    severity: 'medium',
    confidence: 'medium',
    message: 'a finding',
    column: 1,
    endLine: partial.line,
    endColumn: 2,
    ...partial,
  };
}

export function sampleInput(): ReportInput {
  return {
    files: [
      { path: 'tasks/app.py', content: APP },
      { path: 'tasks/run cmd.py', content: SHELL },
      { path: 'tasks/clean.py', content: 'x = 1\n' },
    ],
    runs: [
      {
        scanner: 'builtin',
        durationMs: 12.4,
        result: {
          findings: [
            finding({
              scanner: 'builtin',
              ruleId: 'py/sql-injection',
              cwes: [89],
              severity: 'high',
              confidence: 'high',
              message: 'SQL query built from request data',
              fixHint: 'Use a parameterized query.',
              file: 'tasks/app.py',
              line: 7,
              column: 12,
              endLine: 7,
              endColumn: 48,
              flow: [
                { line: 5, column: 12, endColumn: 24, message: 'request.args is user input' },
                { line: 6, column: 5, endColumn: 10, message: 'query is built from name' },
                { line: 7, column: 42, endColumn: 47, message: 'query reaches execute' },
              ],
            }),
          ],
          diagnostics: [],
          suppressed: 0,
        },
      },
      {
        scanner: 'bandit',
        result: {
          findings: [
            finding({
              scanner: 'bandit',
              ruleId: 'B602',
              cwes: [78],
              severity: 'high',
              confidence: 'high',
              message: 'subprocess call with shell=True identified, security issue.',
              fixHint: 'Pass a list with shell=False.',
              file: 'tasks/run cmd.py',
              line: 4,
              column: 12,
              endLine: 4,
              endColumn: 44,
            }),
            finding({ scanner: 'bandit', ruleId: 'B404', cwes: [78], severity: 'low', confidence: 'high', message: 'Consider subprocess.', file: 'tasks/run cmd.py', line: 1 }),
            finding({ scanner: 'bandit', ruleId: 'B608', cwes: [89], message: 'Possible SQL injection.', file: 'tasks/app.py', line: 6, column: 13, endColumn: 52 }),
          ],
          diagnostics: [{ scanner: 'bandit', file: 'tasks/broken.py', message: 'syntax error while parsing AST from file' }],
          suppressed: 2,
        },
      },
    ],
  };
}
