// Semgrep-style rule tests: every rule runs on its fixture, and the lines it reports must be
// exactly the lines annotated `# ruleid: <id>` (on the line before, or at the end of the
// line). Lines annotated `# ok: <id>` must stay quiet. Fixtures are data, never executed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../index.js';
import { allRules } from './index.js';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Expectations {
  ruleid: Set<number>;
  ok: Set<number>;
}

/** Reads `# ruleid:` / `# ok:` annotations for one rule id. */
function readAnnotations(text: string, ruleId: string): Expectations {
  const lines = text.split('\n');
  const result: Expectations = { ruleid: new Set(), ok: new Set() };
  lines.forEach((line, i) => {
    const m = /#\s*(ruleid|ok)\s*:\s*([\w/,\s-]+)$/.exec(line);
    if (!m) return;
    const ids = m[2]!.split(',').map((s) => s.trim());
    if (!ids.includes(ruleId)) return;
    const kind = m[1] as 'ruleid' | 'ok';
    const standalone = line.trim().startsWith('#');
    let target = i + 1; // 1-based line of this line
    if (standalone) {
      // The next line that is not itself an annotation or blank.
      let j = i + 1;
      while (j < lines.length && (lines[j]!.trim() === '' || /^\s*#\s*(ruleid|ok)\s*:/.test(lines[j]!))) j++;
      target = j + 1;
    }
    result[kind].add(target);
  });
  return result;
}

const fixtureFor = (id: string): string => join(fixturesDir, `${id.replace(/^py\//, '')}.py`);

describe('rule fixtures', () => {
  it('every rule has a fixture with at least one ruleid and one ok line', () => {
    for (const rule of allRules) {
      let text: string;
      try {
        text = readFileSync(fixtureFor(rule.meta.id), 'utf8');
      } catch {
        throw new Error(`rule ${rule.meta.id} has no fixture ${fixtureFor(rule.meta.id)}`);
      }
      const a = readAnnotations(text, rule.meta.id);
      expect(a.ruleid.size, `${rule.meta.id}: ruleid lines`).toBeGreaterThan(0);
      expect(a.ok.size, `${rule.meta.id}: ok lines`).toBeGreaterThan(0);
    }
  });

  it('every fixture belongs to a rule', () => {
    const ids = new Set(allRules.map((r) => r.meta.id.replace(/^py\//, '')));
    for (const f of readdirSync(fixturesDir).filter((f) => f.endsWith('.py'))) expect(ids.has(f.replace(/\.py$/, '')), f).toBe(true);
  });

  it('rule metadata is complete', () => {
    const seen = new Set<string>();
    for (const { meta } of allRules) {
      expect(meta.id).toMatch(/^py\/[a-z0-9-]+$/);
      expect(seen.has(meta.id), meta.id).toBe(false);
      seen.add(meta.id);
      expect(meta.cwes.length, meta.id).toBeGreaterThan(0);
      expect(meta.message.length, meta.id).toBeGreaterThan(10);
      expect(meta.fixHint.length, meta.id).toBeGreaterThan(20);
      expect(meta.doc.split(/[.!?](\s|$)/).filter((s) => s.trim()).length, meta.id).toBeGreaterThanOrEqual(2);
    }
  });

  for (const rule of allRules) {
    it(`${rule.meta.id} reports exactly the annotated lines`, async () => {
      const file = fixtureFor(rule.meta.id);
      const text = readFileSync(file, 'utf8');
      const expected = readAnnotations(text, rule.meta.id);
      const result = await analyzeSource(text, { file, rules: [rule.meta.id] });
      const reported = new Set(result.findings.map((f) => f.line));
      const missing = [...expected.ruleid].filter((l) => !reported.has(l)).sort((a, b) => a - b);
      const unexpected = [...reported].filter((l) => !expected.ruleid.has(l)).sort((a, b) => a - b);
      expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
      for (const l of expected.ok) expect(reported.has(l), `line ${l} is marked ok`).toBe(false);
      for (const f of result.findings) {
        expect(f.ruleId).toBe(rule.meta.id);
        expect(f.snippet).toBe(text.split('\n')[f.line - 1]!.trimEnd());
      }
    });
  }
});
