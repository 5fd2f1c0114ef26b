import { describe, expect, it } from 'vitest';
import { apiBreak, apiShape, formatParameters, isCompatibleSignature, protectedNamesOf } from '../../src/agent/api-shape.js';

const before = `import os

@app.route('/read')
def read_file(path, mode='r', *args, key, **options):
    return open(path, mode).read()

class Store(Base):
    def get(self): pass

if True:
    def nested(): pass
`;

describe('apiShape', () => {
  it('lists top-level functions (decorated or not) and classes with their parameters', async () => {
    const shape = await apiShape(before);
    expect([...shape.defs.keys()]).toEqual(['read_file', 'Store']);
    expect(formatParameters(shape.defs.get('read_file')!.parameters)).toBe('(path, mode=…, *args, key, **options)');
    expect(shape.defs.get('read_file')!.parameters.find((p) => p.name === 'key')!.kind).toBe('keyword-only');
    expect(shape.defs.get('Store')!.kind).toBe('class');
    expect(shape.syntaxError).toBeUndefined();
  });

  it('reads typed, defaulted, positional-only and keyword-only parameters', async () => {
    const shape = await apiShape('def f(a: int, /, b: str = "x", *, c, d=1, **kw: dict) -> None:\n    pass\n');
    expect(formatParameters(shape.defs.get('f')!.parameters)).toBe('(a, /, b=…, *, c, d=…, **kw)');
  });

  it('reports a syntax error', async () => {
    expect((await apiShape('def f(:\n  pass\n')).syntaxError).toMatch(/^line 1/);
  });
});

describe('isCompatibleSignature', () => {
  const params = async (sig: string) => (await apiShape(`def f${sig}:\n    pass\n`)).defs.get('f')!.parameters;

  it('accepts the same parameters, an added default, and new optional parameters at the end', async () => {
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a, b)'))).toBe(true);
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a, b=None)'))).toBe(true);
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a, b, timeout=10)'))).toBe(true);
    expect(isCompatibleSignature(await params('(a)'), await params('(a, **kw)'))).toBe(true);
  });

  it('rejects renamed, removed, reordered or newly required parameters, and a lost default', async () => {
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a, c)'))).toBe(false);
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a)'))).toBe(false);
    expect(isCompatibleSignature(await params('(a, b)'), await params('(b, a)'))).toBe(false);
    expect(isCompatibleSignature(await params('(a, b)'), await params('(a, b, c)'))).toBe(false);
    expect(isCompatibleSignature(await params('(a, b=1)'), await params('(a, b)'))).toBe(false);
  });
});

describe('apiBreak', () => {
  const task = new Set(['read_file', 'Store']);

  it('accepts a repair that changes bodies and adds or drops helpers', async () => {
    const previous = `${before}\ndef helper():\n    pass\n`;
    const repaired = before.replace('return open(path, mode).read()', 'return safe_open(path)') + '\ndef safe_open(p):\n    return p\n';
    expect(await apiBreak(previous, repaired, task)).toBeNull();
  });

  it('names a removed task function', async () => {
    const repaired = before.replace(/@app.route[\s\S]*?\.read\(\)\n/, '');
    expect(await apiBreak(before, repaired, task)).toBe('it removes the function `read_file` the task asks for');
  });

  it('names a changed signature', async () => {
    const repaired = before.replace('def read_file(path, mode=\'r\', *args, key, **options)', 'def read_file(filename)');
    expect(await apiBreak(before, repaired, task)).toBe(
      'it changes the signature of `read_file` from (path, mode=…, *args, key, **options) to (filename)',
    );
  });

  it('names code that does not parse', async () => {
    expect(await apiBreak(before, 'def read_file(path:\n', task)).toMatch(/^the code is not valid Python \(line 1/);
  });

  it('does not ask for a task function the previous code did not have', async () => {
    expect(await apiBreak('import os\n', 'import sys\n', task)).toBeNull();
  });

  it('takes the protected names from a prompt', async () => {
    expect([...(await protectedNamesOf("import yaml\n\ndef yaml_load(filename):\n    '''Load a file'''\n"))]).toEqual(['yaml_load']);
  });
});
