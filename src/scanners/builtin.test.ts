import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeInWorkers } from '../analyzer/index.js';
import { BuiltinScanner } from './builtin.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import type { SourceFile } from './types.js';

/** Generated study samples (some vulnerable, some not) plus a few odd inputs, in a fixed order. */
function sampleBatch(count: number): SourceFile[] {
  const root = join(studyArtifactsDir(), 'RQ1/generatedCode_gpt3.5');
  const files: SourceFile[] = [];
  for (const dir of readdirSync(root).sort())
    for (const name of readdirSync(join(root, dir)).sort())
      if (name.endsWith('.py') && files.length < count) files.push({ path: `${dir}/${name}`, content: readFileSync(join(root, dir, name), 'utf8') });
  files.push({ path: 'broken.py', content: 'def f(:\n    os.system(input())\n' });
  files.push({ path: 'empty.py', content: '' });
  // Big enough that largest-first scheduling hands it out before the files listed earlier.
  files.push({ path: 'large.py', content: 'import os\n' + 'def f(x):\n    os.system("ls " + x)\n'.repeat(300) });
  return files;
}

describe('BuiltinScanner', () => {
  it('is always available and scans a batch, keeping each file apart', async () => {
    const scanner = new BuiltinScanner();
    expect(scanner.name).toBe('builtin');
    expect(await scanner.unavailableReason()).toBeNull();
    const result = await scanner.scan([
      { path: 'a.py', content: 'import pickle\ndef load(data):\n    return pickle.loads(data)\n' },
      { path: 'b.py', content: 'x = 1\n' },
      { path: 'c.py', content: 'def f(:\n' },
    ]);
    expect(result.findings.map((f) => [f.file, f.ruleId, f.line])).toEqual([['a.py', 'py/unsafe-deserialization', 3]]);
    expect(result.diagnostics.some((d) => d.file === 'c.py')).toBe(true);
  });

  it('runs only the rules it was given and stops when aborted', async () => {
    const code = 'import pickle, os\ndef f(d, c):\n    pickle.loads(d)\n    os.system(c)\n';
    const only = await new BuiltinScanner({ rules: ['py/command-injection'] }).scan([{ path: 'x.py', content: code }]);
    expect(only.findings.map((f) => f.ruleId)).toEqual(['py/command-injection']);
    const controller = new AbortController();
    controller.abort();
    await expect(new BuiltinScanner().scan([{ path: 'x.py', content: code }], { signal: controller.signal })).rejects.toThrow();
  });

  it('keeps the agent loop\'s small batches in-process', async () => {
    const scanner = new BuiltinScanner({ workers: 2 });
    await scanner.scan(Array.from({ length: 16 }, (_, i) => ({ path: `s${i}.py`, content: 'x = 1\n' })));
    expect(scanner.lastScanMode).toBe('in-process');
  });

  it('rejects unknown rule ids before scanning, in-process or on workers', async () => {
    const files = [{ path: 'x.py', content: 'x = 1\n' }];
    await expect(new BuiltinScanner({ rules: ['py/nope'] }).scan(files)).rejects.toThrow(/unknown rule id "py\/nope"/);
    await expect(new BuiltinScanner({ rules: ['py/nope'], workers: 2, parallelAbove: { files: 0 } }).scan([...files, ...files])).rejects.toThrow(/unknown rule id/);
  });
});

describe('BuiltinScanner in worker processes', () => {
  it('gives the same findings, diagnostics and counts, in the same order, as in-process analysis', async () => {
    const files = sampleBatch(70);
    const serial = new BuiltinScanner({ workers: 0 });
    const parallel = new BuiltinScanner({ workers: 2 });
    const inProcess = await serial.scan(files);
    const onWorkers = await parallel.scan(files); // 73 files: above the 50-file threshold
    expect([serial.lastScanMode, parallel.lastScanMode]).toEqual(['in-process', 'workers']);
    expect(inProcess.findings.length).toBeGreaterThan(20);
    expect(new Set(inProcess.findings.map((f) => f.file)).size).toBeGreaterThan(10);
    expect(onWorkers).toEqual(inProcess);
    // Findings follow the input file order, which workers finishing out of order must not change.
    const order = new Map(files.map((f, i) => [f.path, i]));
    const positions = onWorkers.findings.map((f) => order.get(f.file)!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  }, 60_000);

  it('turns a file that throws inside a worker into a diagnostic and keeps the other files', async () => {
    const files: SourceFile[] = [
      { path: 'a.py', content: 'import os\nos.system(input())\n' },
      { path: 'bad.py', content: 42 as unknown as string }, // not text: the parser throws
      { path: 'c.py', content: 'import pickle\npickle.loads(input())\n' },
    ];
    const scanner = new BuiltinScanner({ workers: 2, parallelAbove: { files: 0 } });
    const onWorkers = await scanner.scan(files);
    expect(scanner.lastScanMode).toBe('workers');
    expect(onWorkers.findings.map((f) => [f.file, f.ruleId])).toEqual([
      ['a.py', 'py/command-injection'],
      ['c.py', 'py/unsafe-deserialization'],
    ]);
    expect(onWorkers.diagnostics).toEqual([{ scanner: 'builtin', file: 'bad.py', message: expect.stringMatching(/^analyzer failed: /) }]);
    expect(await new BuiltinScanner({ workers: 0 }).scan(files)).toEqual(onWorkers);
  }, 60_000);

  it('returns outcomes in input order whatever order the workers finish in, and stops on abort', async () => {
    const files = sampleBatch(12);
    const outcomes = await analyzeInWorkers(files, { workers: 3 });
    expect(outcomes).toHaveLength(files.length);
    outcomes.forEach((o, i) => {
      expect('result' in o).toBe(true);
      if ('result' in o) for (const f of o.result.findings) expect(f.file).toBe(files[i]!.path);
    });
    const controller = new AbortController();
    const run = analyzeInWorkers(sampleBatch(40), { workers: 2, signal: controller.signal });
    controller.abort(new Error('stop now'));
    await expect(run).rejects.toThrow('stop now');
  }, 60_000);
});
