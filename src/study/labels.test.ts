import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import { listRq1Samples, listRq3Samples, readLabelCsv, type SkippedSample } from './labels.js';

const root = studyArtifactsDir();

describe('readLabelCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));

  it('reads ids and numeric labels, ignoring blank lines and CRLF', () => {
    const file = join(dir, 'ok.csv');
    writeFileSync(file, 'CWE-020/a.py,1\r\nCWE-079/b.py,0.5\r\n\r\nCWE-089/c.py,-1\r\n');
    expect([...readLabelCsv(file)]).toEqual([
      ['CWE-020/a.py', 1],
      ['CWE-079/b.py', 0.5],
      ['CWE-089/c.py', -1],
    ]);
  });

  it('names file and line for a bad label, a bad line, a duplicate', () => {
    const cases: [string, RegExp][] = [
      ['CWE-020/a.py,1\nCWE-020/b.py,yes\n', /bad\.csv:2: label "yes" is not a number/],
      ['CWE-020/a.py\n', /bad\.csv:1: expected "taskId,label"/],
      ['CWE-020/a.py,1\n\nCWE-020/a.py,0\n', /bad\.csv:3: duplicate task id CWE-020\/a\.py/],
    ];
    for (const [content, message] of cases) {
      const file = join(dir, 'bad.csv');
      writeFileSync(file, content);
      expect(() => readLabelCsv(file)).toThrow(UserError);
      expect(() => readLabelCsv(file)).toThrow(message);
    }
  });

  it('rejects a missing file', () => {
    expect(() => readLabelCsv(join(dir, 'none.csv'))).toThrow(/none\.csv: no such file/);
  });
});

describe('listing samples from a small artifacts tree', () => {
  it('pairs labels with files and reports what it skips', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rq3-'));
    mkdirSync(join(dir, 'RQ3'));
    for (const r of ['gpt3.5', 'gpt4']) {
      for (const g of ['gpt3.5', 'gpt4', 'llama', 'codegeex']) {
        const code = join(dir, 'RQ3', `fixedCodes_${r}_for_${g}`, 'CWE-089');
        mkdirSync(code, { recursive: true });
        writeFileSync(join(dir, 'RQ3', `verify_${r}_for_${g}.csv`), '');
      }
    }
    const code = join(dir, 'RQ3', 'fixedCodes_gpt4_for_llama', 'CWE-089');
    writeFileSync(join(code, 'a.py'), 'x = 1\n');
    writeFileSync(join(code, 'b.py'), 'x = 2\n');
    writeFileSync(join(code, 'c.py'), 'x = 3\n');
    writeFileSync(
      join(dir, 'RQ3', 'verify_gpt4_for_llama.csv'),
      'CWE-089/a.py,0\nCWE-089/b.py,-1\nCWE-089/d.py,1\n',
    );
    const skipped: SkippedSample[] = [];
    const samples = listRq3Samples(dir, { onSkip: (s) => skipped.push(s) });
    expect(samples).toEqual([
      {
        set: 'rq3',
        generator: 'codellama',
        repairer: 'gpt4',
        taskId: 'CWE-089/a.py',
        cwe: 89,
        path: join(code, 'a.py'),
        label: 0,
        vulnerable: false,
      },
    ]);
    expect(skipped.map((s) => `${s.taskId}:${s.reason}`).sort()).toEqual([
      'CWE-089/b.py:excluded',
      'CWE-089/c.py:no-label',
      'CWE-089/d.py:no-file',
    ]);
  });
});

describe('the published study artifacts', () => {
  it('has 484 RQ1 samples with the Table 2 vulnerable counts', () => {
    const samples = listRq1Samples(root);
    expect(samples).toHaveLength(484);
    const vulnerable = (g: string) => samples.filter((s) => s.generator === g && s.vulnerable).length;
    expect(vulnerable('gpt3.5')).toBe(92);
    expect(vulnerable('gpt4')).toBe(91);
    expect(vulnerable('codellama')).toBe(91);
    expect(vulnerable('codegeex2')).toBe(95);
    expect(new Set(samples.map((s) => s.cwe)).size).toBe(69);
    expect(samples.find((s) => s.generator === 'codellama' && s.taskId === 'CWE-020/author_1.py')?.path).toBe(
      join(root, 'RQ1', 'generatedCode_codellama', 'CWE-020', 'author_1.py'),
    );
  });

  it('has 732 RQ3 samples, 50 of 91 fixed for GPT-4 repairing GPT-4', () => {
    const skipped: SkippedSample[] = [];
    const samples = listRq3Samples(root, { onSkip: (s) => skipped.push(s) });
    expect(samples).toHaveLength(732);
    expect(skipped).toHaveLength(8);
    const own = samples.filter((s) => s.repairer === 'gpt4' && s.generator === 'gpt4');
    expect(own.filter((s) => !s.vulnerable)).toHaveLength(50);
    expect(samples.every((s) => s.label === 0 || s.label === 0.5 || s.label === 1)).toBe(true);
  });
});
