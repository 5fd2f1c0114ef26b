import { describe, expect, it } from 'vitest';
import { checkPythonSyntax } from './parser.js';

describe('checkPythonSyntax', () => {
  it('accepts valid Python', async () => {
    expect(await checkPythonSyntax('import os\n\ndef f(x):\n    return os.path.join(x, "a")\n')).toEqual([]);
  });
  it('reports the line of a syntax error', async () => {
    const problems = await checkPythonSyntax('x = 1\ndef f(:\n    pass\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBe(2);
  });
  it('parses concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => checkPythonSyntax(`x${i} = ${i}\n`)));
    expect(results.every((r) => r.length === 0)).toBe(true);
  });
});
