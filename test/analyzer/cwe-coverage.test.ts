import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/analyzer/rules/index.js';
import { cweName } from '../../src/cwe/index.js';
import { securityEvalPath } from '../../src/tasks/datasets.js';
import { loadTasks } from '../../src/tasks/index.js';

describe('the built-in analyzer covers SecurityEval', () => {
  it('has, for each of its 69 CWEs, a rule that reports that CWE', async () => {
    const path = securityEvalPath();
    expect(existsSync(path), `${path} (../shared/datasets beside the repository)`).toBe(true);
    const tasks = await loadTasks(path);
    const cwes = [...new Set(tasks.map((t) => t.cwe!))];
    expect(cwes).toHaveLength(69);
    const uncovered = cwes.filter((cwe) => !allRules.some((rule) => rule.meta.cwes.includes(cwe)));
    expect(uncovered.map((cwe) => `CWE-${cwe} ${cweName(cwe)}`)).toEqual([]);
  });

  it('gives every rule an id, CWEs, a message, a fix hint and a doc', () => {
    const ids = new Set<string>();
    for (const { meta } of allRules) {
      expect(meta.id).toMatch(/^py\/[a-z0-9-]+$/);
      expect(ids.has(meta.id), `duplicate rule id ${meta.id}`).toBe(false);
      ids.add(meta.id);
      expect(meta.cwes.length, meta.id).toBeGreaterThan(0);
      for (const cwe of meta.cwes) expect(cweName(cwe), `${meta.id}: CWE-${cwe} is not in the catalogue`).toBeDefined();
      expect(meta.message.length, meta.id).toBeGreaterThan(10);
      expect(meta.fixHint.length, meta.id).toBeGreaterThan(20);
      expect(meta.doc.length, meta.id).toBeGreaterThan(40);
    }
  });
});
