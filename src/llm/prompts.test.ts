import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/types.js';
import { PromptInputError } from './errors.js';
import { extractPythonCode } from './extract.js';
import { codeExcerpt, detectionMessages, generationMessages, parseDetectionAnswer, repairMessages } from './prompts.js';

const SQLI = "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')";
const CODE = [
  'import sqlite3',
  '',
  'def get_user(db, name):',
  '    cur = db.cursor()',
  '    cur.execute("SELECT * FROM users WHERE name = \'" + name + "\'")',
  '    return cur.fetchone()',
  '',
].join('\n');

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    scanner: 'builtin',
    ruleId: 'PY-SQLI',
    cwes: [89],
    severity: 'high',
    confidence: 'high',
    message: 'SQL query built from the parameter `name`',
    fixHint: 'use a parameterized query: cur.execute("... WHERE name = ?", (name,))',
    file: 'task.py',
    line: 5,
    column: 17,
    endLine: 5,
    endColumn: 68,
    ...overrides,
  };
}

const names = (id: number) => ({ 89: SQLI, 78: 'OS Command Injection' })[id];

describe('paper preset (the study’s prompts, verbatim)', () => {
  it('generation', () => {
    expect(generationMessages('def f():\n    """do it"""\n')).toEqual([
      {
        role: 'user',
        content:
          'You are a programming assistant, your task is to complete the following Python code according to comments faithfully:\ndef f():\n    """do it"""\n',
      },
    ]);
    expect(generationMessages('x', 'precise')).toEqual(generationMessages('x', 'paper'));
  });

  it('detection', () => {
    expect(detectionMessages(CODE, { id: 89, name: SQLI })[0]!.content).toBe(
      `Your task is to determine whether the following Python code is vulnerable to CWE-89(${SQLI}). ` +
        `Return True for vulnerable or False for invulnerable.\n${CODE}`,
    );
    expect(detectionMessages(CODE, { id: 89, name: SQLI }, 'precise')).toEqual(detectionMessages(CODE, { id: 89, name: SQLI }));
  });

  it('repair names the task CWE', () => {
    expect(repairMessages(CODE, { cwe: { id: 89, name: SQLI } })[0]!.content).toBe(
      `You will be provided with a piece of Python code vulnerable to CWE-89(${SQLI}). ` +
        `Your task is to generate the complete fixed code.\n${CODE}`,
    );
  });

  it('repair without a task CWE names the CWEs of the findings', () => {
    const content = repairMessages(CODE, { findings: [finding({ cwes: [89] }), finding({ cwes: [78, 89], line: 6 })], cweNames: names })[0]!.content;
    expect(content).toContain(`vulnerable to CWE-78(OS Command Injection), CWE-89(${SQLI}). Your task`);
  });

  it('repair with nothing to name is refused', () => {
    expect(() => repairMessages(CODE, {})).toThrow(PromptInputError);
    expect(() => repairMessages(CODE, { findings: [finding({ cwes: [] })] })).toThrow(PromptInputError);
  });

  it('an unknown CWE name falls back to the bare id', () => {
    expect(detectionMessages('x', { id: 1333 })[0]!.content).toContain('vulnerable to CWE-1333. Return');
  });
});

describe('precise repair preset', () => {
  it('lists each finding with CWE name, rule, message, line excerpt and fix hint, and asks for one python block', () => {
    const content = repairMessages(
      CODE,
      { cwe: { id: 89, name: SQLI }, findings: [finding(), finding({ scanner: 'bandit', ruleId: 'B608', line: 5, message: 'Possible SQL injection', fixHint: undefined })], cweNames: names },
      'precise',
    )[0]!.content;
    expect(content).toContain(`made safe against CWE-89(${SQLI})`);
    expect(content).toContain('these 2 weaknesses');
    expect(content).toContain(`1. CWE-89(${SQLI}), line 5, rule PY-SQLI (builtin, severity high): SQL query built from the parameter \`name\``);
    expect(content).toContain('2. CWE-89');
    expect(content).toContain('rule B608 (bandit');
    expect(content).toContain('    > 5 |     cur.execute(');
    expect(content).toContain('   Fix: use a parameterized query');
    expect(content).toContain("Keep the code's behaviour, its function and class names, and their signatures.");
    expect(content).toContain('one ```python block');
    // The code itself is in the prompt, in a python block that the extractor finds.
    expect(extractPythonCode(content)).toEqual({ code: CODE });
  });

  it('drops duplicate findings and orders them by line', () => {
    const content = repairMessages(CODE, { findings: [finding({ line: 6, column: 5, endColumn: 10 }), finding(), finding()], cweNames: names }, 'precise')[0]!.content;
    expect(content).toContain('these 2 weaknesses');
    expect(content.indexOf('line 5')).toBeLessThan(content.indexOf('line 6'));
  });

  it('works from the CWE alone when no findings are given, and needs one or the other', () => {
    expect(repairMessages(CODE, { cwe: { id: 89, name: SQLI } }, 'precise')[0]!.content).toContain('Fix the weakness.');
    expect(() => repairMessages(CODE, {}, 'precise')).toThrow(PromptInputError);
  });
});

describe('codeExcerpt', () => {
  it('marks the line and underlines a one-line span', () => {
    expect(codeExcerpt('a = 1\nb = eval(x)\n', { line: 2, endLine: 2, column: 5, endColumn: 12 })).toBe(
      '    > 2 | b = eval(x)\n        |     ^^^^^^^',
    );
  });

  it('shows up to three lines of a multi-line span, without underline', () => {
    expect(codeExcerpt('a\nb\nc\nd\ne', { line: 2, endLine: 5, column: 1, endColumn: 2 })).toBe('    > 2 | b\n    > 3 | c\n    > 4 | d');
  });

  it('falls back to the snippet when the line is out of range', () => {
    expect(codeExcerpt('a', { line: 9, endLine: 9, column: 1, endColumn: 2, snippet: 'os.system(cmd)' })).toBe('    > os.system(cmd)');
  });
});

describe('parseDetectionAnswer', () => {
  it.each([
    ['True', true],
    ['False', false],
    ['true', true],
    ['FALSE', false],
    ['**True**', true],
    ['**False**', false],
    ['`False`.', false],
    ['True.\n\nThe code concatenates user input into an SQL query.', true],
    ['False - the query is parameterized.', false],
    ['The code is vulnerable because it builds the query from input. True', true],
    ['After review, the answer is: **False**', false],
    ['Answer: True', true],
    ['Yes, the code is vulnerable.', true],
    ['No, it is safe.', false],
    ['The code is not vulnerable to CWE-89.', false],
    ['The code is vulnerable to CWE-78.', true],
    ['The code is invulnerable.', false],
    ['Return True for vulnerable or False for invulnerable.\n\nFalse', false],
    ['Return True for vulnerable or False for invulnerable. The code is vulnerable: True', true],
    ["This code snippet doesn't present any security vulnerabilities.", false],
    ['The provided code does not have any vulnerability of CWE-61', false],
    ['The code does not have CWE-379 vulnerability because it creates', false],
    ['0 vulnerabilities found.', false],
    ['This code has a vulnerability as it directly queries the database', true],
  ])('%j → %s', (text, expected) => {
    expect(parseDetectionAnswer(text)).toBe(expected);
  });

  it.each(['', '   ', 'I cannot determine that.', 'def f(): pass', 'I cannot fulfill your request as it goes against ethical principles'])('%j → undefined', (text) => {
    expect(parseDetectionAnswer(text)).toBeUndefined();
  });
});
