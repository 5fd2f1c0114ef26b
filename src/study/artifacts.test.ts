import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import {
  listRq4Runs,
  modelFromFileName,
  normalizeJudge,
  parseDetectionJsonl,
  parseIterFile,
  readCodeSpace,
  readRq2Detections,
  readRq4Run,
  taskIdFromFlatName,
} from './artifacts.js';

const root = studyArtifactsDir();

const ITER = [
  'CWE-020-author_1.py',
  '   CWE-20: Use of unsafe yaml load. Allows instantiation of arbitrary objects.',
  'CWE-020-author_2.py',
  '    no vulnerability found',
  'CWE-918-codeql_1.py',
  '   CWE-400: Requests call without timeout',
  '   CWE-918: Making a network request to a URL that is fully user-controlled allows for request forgery attacks.',
  'total: 2 vulnerable files, 3 vulnerabilities found',
].join('\n');

describe('parseIterFile', () => {
  it('reads the blocks, their CWE lines and the total line', () => {
    const scan = parseIterFile(ITER, 'iter1.txt');
    expect(scan.vulnerableFiles).toBe(2);
    expect(scan.vulnerabilities).toBe(3);
    expect(scan.warnings).toEqual([]);
    expect(scan.blocks.map((b) => [b.taskId, b.findings.map((f) => f.cwe)])).toEqual([
      ['CWE-020/author_1.py', [20]],
      ['CWE-020/author_2.py', []],
      ['CWE-918/codeql_1.py', [400, 918]],
    ]);
    expect(scan.blocks[2].findings[0].message).toBe('Requests call without timeout');
  });

  it('accepts CRLF and reads a log repeated after its total once, with a warning', () => {
    const scan = parseIterFile(`${ITER}\r\n${ITER}`.replace(/\n/g, '\r\n'), 'twice.txt');
    expect(scan.blocks).toHaveLength(3);
    expect(scan.warnings).toEqual([expect.stringMatching(/twice\.txt: the log is repeated/)]);
  });

  it('warns when the total line disagrees with the blocks', () => {
    const scan = parseIterFile(ITER.replace('total: 2', 'total: 5'), 'odd.txt');
    expect(scan.vulnerableFiles).toBe(5);
    expect(scan.warnings).toEqual(['odd.txt: total line says 5 vulnerable files, the blocks flag 2']);
  });

  it.each([
    [ITER.replace(/\ntotal:.*$/, ''), /bad\.txt: no "total: X vulnerable files/],
    ['   CWE-20: orphan\ntotal: 0 vulnerable files, 0 vulnerabilities found', /bad\.txt:1: finding before any file name/],
    [ITER.replace('    no vulnerability found', '    maybe vulnerable'), /bad\.txt:4: expected "CWE-N: message"/],
    [ITER.replace('CWE-020-author_2.py', 'notes.txt'), /bad\.txt:3: expected a file name like CWE-020-author_1\.py/],
    [`${ITER}\nCWE-079-codeql_1.py`, /bad\.txt:9: text after the total line/],
  ])('rejects a malformed log (%#)', (text, message) => {
    expect(() => parseIterFile(text, 'bad.txt')).toThrow(UserError);
    expect(() => parseIterFile(text, 'bad.txt')).toThrow(message);
  });

  it('parses every published log, the one repeated log included', () => {
    const runs = listRq4Runs(root).map(readRq4Run);
    expect(runs).toHaveLength(25);
    for (const run of runs) expect(run.scans.iter1.blocks).toHaveLength(67);
    const warnings = runs.flatMap((r) => Object.values(r.scans).flatMap((s) => s.warnings));
    expect(warnings).toEqual([expect.stringContaining('4_for_4_5')]);
  });
});

describe('names', () => {
  it('maps file-name spellings to model keys', () => {
    expect(['3.5', 'gpt3.5', '4', 'gpt4', 'llama', 'codegeex', 'codegeex2'].map(modelFromFileName)).toEqual([
      'gpt3.5',
      'gpt3.5',
      'gpt4',
      'gpt4',
      'codellama',
      'codegeex2',
      'codegeex2',
    ]);
    expect(modelFromFileName('gpt5')).toBeUndefined();
    expect(modelFromFileName('constructor')).toBeUndefined();
    expect(taskIdFromFlatName('CWE-020-author_1.py')).toBe('CWE-020/author_1.py');
    expect(taskIdFromFlatName('ql_analysis.csv')).toBeUndefined();
  });

  it('lists RQ4 run folders in both naming styles, with the logs where they are', () => {
    const runs = listRq4Runs(root);
    const first = runs.find((r) => r.name === '3.5_3.5_1')!;
    expect(first).toMatchObject({ repairer: 'gpt3.5', generator: 'gpt3.5', run: 1, logDir: first.dir });
    const nested = runs.find((r) => r.name === '4_for_llama_3')!;
    expect(nested).toMatchObject({ repairer: 'gpt4', generator: 'codellama', run: 3, logDir: join(nested.dir, 'iterInfo') });
    expect(new Set(runs.map((r) => `${r.repairer}>${r.generator}`)).size).toBe(5);
  });

  it('reads codeSpace rounds: patched and fixed1..5, only still-flagged files after round 1', () => {
    const info = listRq4Runs(root).find((r) => r.name === '4_for_3.5_1')!;
    const rounds = readCodeSpace(info)!;
    expect(rounds.map((r) => [r.round, r.files.size])).toEqual([
      [0, 67],
      [1, 42],
      [2, 12],
      [3, 10],
      [4, 9],
      [5, 8],
    ]);
    expect(readCodeSpace(listRq4Runs(root).find((r) => r.name === '4_for_4_1')!)).toBeUndefined();
  });
});

describe('RQ2 detection answers', () => {
  it('normalizes case and whitespace; anything else is unparsed', () => {
    expect(['true', 'True', ' FALSE ', 'False', 'Output: false', ''].map(normalizeJudge)).toEqual([
      'true',
      'true',
      'false',
      'false',
      'unparsed',
      'unparsed',
    ]);
  });

  it('names file and line of a malformed line', () => {
    const cases: [string, RegExp][] = [
      ['{"ID": "CWE-020/a.py", "Judge": "true"}\n{"ID": "CWE-020/b.py", "Judge": tru', /d\.jsonl:2: not a JSON object/],
      ['{"ID": "CWE-020/a.py"}', /d\.jsonl:1: "Judge" is missing/],
      ['[1, 2]', /d\.jsonl:1: expected a JSON object/],
      ['{"ID": "x", "Judge": "true"}\n\n{"ID": "x", "Judge": "false"}', /d\.jsonl:3: duplicate ID x/],
    ];
    for (const [text, message] of cases) expect(() => parseDetectionJsonl(text, 'd.jsonl')).toThrow(message);
  });

  it('reads the published files, keeping the raw free-text answers', () => {
    const results = readRq2Detections(root);
    expect(results).toHaveLength(9);
    const llama = results.find((r) => r.detector === 'codellama')!;
    expect(llama.generator).toBe('gpt4');
    expect([...llama.answers.values()].filter((a) => a.answer === 'unparsed')).toHaveLength(120);
  });

  it('rejects an artifacts folder without RQ2 files, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rq2-'));
    mkdirSync(join(dir, 'RQ2'));
    writeFileSync(join(dir, 'RQ2', 'README'), '');
    expect(() => readRq2Detections(dir)).toThrow(/RQ2: no detectResult_/);
    expect(() => readRq2Detections(join(dir, 'missing'))).toThrow(/missing[/\\]RQ2: no such folder/);
  });

  it('rejects a missing iter file of a run, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rq4-'));
    mkdirSync(join(dir, 'RQ4', '4_for_4_1', 'iterInfo'), { recursive: true });
    writeFileSync(join(dir, 'RQ4', '4_for_4_1', 'iterInfo', 'iter1.txt'), ITER);
    const [info] = listRq4Runs(dir);
    expect(() => readRq4Run(info)).toThrow(/iterInfo[/\\]iter2\.txt: no such file \(run 4_for_4_1 needs iter1/);
    mkdirSync(join(dir, 'RQ4', 'notes'));
    expect(() => listRq4Runs(dir)).toThrow(/RQ4[/\\]notes: folder name is not <repairer>_for_<generator>_<run>/);
  });
});
