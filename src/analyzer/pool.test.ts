import { describe, expect, it } from 'vitest';
import { analyzeInWorkers, analyzeSourceSync, prepareAnalyzer, prestartWorkers } from './index.js';

const files = [
  { path: 'a.py', content: 'import os\ndef f(x):\n    os.system("ls " + x)\n' },
  { path: 'b.py', content: 'import pickle\npickle.loads(input())\n' },
  { path: 'c.py', content: 'def f(:\n' },
  { path: 'd.py', content: 'x = 1\n' },
];

describe('analyzer worker processes', () => {
  it('take workers started ahead of time and give what in-process analysis gives', async () => {
    prestartWorkers(2);
    const outcomes = await analyzeInWorkers(files, { workers: 2 });
    await prepareAnalyzer();
    expect(outcomes).toEqual(files.map((f) => ({ result: analyzeSourceSync(f.content, { file: f.path }) })));
    // A second batch starts its own workers (the spares were taken).
    expect(await analyzeInWorkers(files.slice(0, 2), { workers: 1 })).toEqual(outcomes.slice(0, 2));
  }, 60_000);

  it('pass the rule selection on to the workers', async () => {
    const outcomes = await analyzeInWorkers(files.slice(0, 2), { workers: 2, rules: ['py/unsafe-deserialization'] });
    expect(outcomes.map((o) => ('result' in o ? o.result.findings.map((f) => f.ruleId) : o.error.message))).toEqual([[], ['py/unsafe-deserialization']]);
  }, 60_000);
});
