import { describe, expect, it } from 'vitest';
import { BuiltinScanner } from './builtin.js';

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
});
