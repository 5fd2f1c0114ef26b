// secagent as a library: every entry point in package.json's `exports` is built from a module
// index that exists, and the root API analyses code in-process.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as secagent from '../src/index.js';

const REPO = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; import: string }> };

describe('the library entry points', () => {
  it('map each export to a source module and its declarations', () => {
    const entries = Object.entries(pkg.exports).filter(([key]) => key !== './package.json');
    expect(entries.map(([key]) => key)).toEqual(['.', './analyzer', './agent', './llm', './scanners', './store', './tasks', './cwe']);
    for (const [key, target] of entries) {
      if (typeof target === 'string') throw new Error(`${key}: expected types and import conditions`);
      expect(target.import, key).toMatch(/^\.\/dist\/(.+\/)?index\.js$/);
      expect(target.types, key).toBe(target.import.replace(/\.js$/, '.d.ts'));
      const source = join(REPO, target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      expect(existsSync(source), `${key} → ${source}`).toBe(true);
    }
  });

  it('analyses code and matches CWEs through the root API', async () => {
    const findings = await secagent.analyze('import subprocess\nsubprocess.call(input(), shell=True)\n', { file: 'app.py' });
    expect(findings.some((f) => f.ruleId === 'py/command-injection' && f.cwes.includes(78) && f.file === 'app.py')).toBe(true);
    expect(secagent.cweMatches(78, 77)).toBe(true);
    expect(secagent.describeCwe(89)).toMatch(/^CWE-89 \(Improper Neutralization/);
    expect(typeof secagent.runAgent).toBe('function');
    expect(typeof secagent.createChatModel).toBe('function');
    expect(typeof secagent.toSarif).toBe('function');
  });
});
