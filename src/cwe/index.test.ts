import { describe, expect, it } from 'vitest';
import {
  allCweIds,
  ancestors,
  anyCweMatches,
  categoriesOf,
  childrenOf,
  cweMatches,
  cweName,
  describeCwe,
  getCwe,
} from './index.js';

const SECURITY_EVAL_CWES = [
  20, 22, 78, 79, 80, 89, 90, 94, 95, 99, 113, 116, 117, 193, 200, 209, 215, 250, 252, 259, 269, 283, 285, 295, 306,
  319, 321, 326, 327, 329, 330, 331, 339, 347, 367, 377, 379, 385, 400, 406, 414, 425, 434, 454, 462, 477, 502, 521,
  522, 595, 601, 605, 611, 641, 643, 703, 730, 732, 759, 760, 776, 798, 827, 835, 841, 918, 941, 943, 1204,
];
// CWEs that Bandit 1.6/1.7 test ids map to.
const BANDIT_CWES = [20, 22, 78, 79, 89, 94, 259, 284, 295, 319, 326, 327, 330, 377, 502, 605, 703, 732];

describe('catalogue', () => {
  it('names all 69 SecurityEval CWEs and every Bandit CWE', () => {
    expect(new Set(SECURITY_EVAL_CWES).size).toBe(69);
    for (const id of [...SECURITY_EVAL_CWES, ...BANDIT_CWES]) {
      expect(cweName(id), `CWE-${id}`).toMatch(/\w/);
    }
  });

  it('has MITRE exact titles', () => {
    expect(cweName(89)).toBe("Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')");
    expect(cweName(78)).toBe(
      "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    );
    expect(cweName(798)).toBe('Use of Hard-coded Credentials');
    expect(cweName(1333)).toBe('Inefficient Regular Expression Complexity');
    expect(cweName(730)).toBe('OWASP Top Ten 2004 Category A9 - Denial of Service');
    expect(cweName(999_999)).toBeUndefined();
  });

  it('describes a CWE with its name, or its id alone when unknown', () => {
    expect(describeCwe(89)).toBe(
      "CWE-89 (Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection'))",
    );
    expect(describeCwe(999_999)).toBe('CWE-999999');
  });

  it('keeps ChildOf parents of the Research Concepts view', () => {
    const parents = (id: number) => getCwe(id)?.parents;
    expect(parents(89)).toEqual([943]);
    expect(parents(78)).toEqual([77]);
    expect(parents(22)).toEqual(expect.arrayContaining([706, 668]));
    expect(parents(611)).toEqual([610]);
    expect(parents(328)).toEqual(expect.arrayContaining([326, 327]));
    expect(parents(327)).toEqual([693]);
    expect(parents(798)).toEqual(expect.arrayContaining([344, 671]));
    expect(parents(259)).toEqual([798]);
    expect(parents(80)).toEqual([79]);
    expect(parents(95)).toEqual([94]);
    expect(parents(1204)).toEqual([330]);
    expect(parents(707)).toEqual([]); // a pillar
    expect(getCwe(730)).toMatchObject({ kind: 'category', parents: [] });
    expect(getCwe(730)?.members).toContain(400);
  });

  it('indexes children and categories', () => {
    expect(childrenOf(77)).toContain(78);
    expect(childrenOf(943)).toContain(89);
    expect(categoriesOf(400)).toContain(730);
  });

  it('returns copies that callers cannot use to corrupt the catalogue', () => {
    getCwe(89)!.parents.push(1);
    expect(getCwe(89)!.parents).toEqual([943]);
  });

  it('has every parent in the catalogue, and no cycles', () => {
    const ids = new Set(allCweIds());
    expect(ids.size).toBeGreaterThan(900);
    for (const id of ids) {
      for (const parent of getCwe(id)!.parents) expect(ids.has(parent), `${id} -> ${parent}`).toBe(true);
      expect(ancestors(id)).not.toContain(id);
    }
  });
});

describe('ancestors', () => {
  it('walks up to the pillars, nearest first', () => {
    expect(ancestors(89)).toEqual([943, 74, 707]);
    expect(ancestors(78, 1)).toEqual([77]);
    expect(ancestors(78, 2)).toEqual([77, 74]);
    expect(ancestors(999_999)).toEqual([]);
  });
});

describe('cweMatches', () => {
  it('matches the same CWE and a direct parent or child', () => {
    expect(cweMatches(89, 89)).toBe(true);
    expect(cweMatches(89, 943)).toBe(true);
    expect(cweMatches(78, 77)).toBe(true);
    expect(cweMatches(259, 798)).toBe(true);
    expect(cweMatches(80, 79)).toBe(true);
    expect(cweMatches(22, 668)).toBe(true);
  });

  it('does not match grandparents, siblings or unrelated CWEs by default', () => {
    expect(cweMatches(78, 74)).toBe(false); // grandparent
    expect(cweMatches(78, 89)).toBe(false); // cousins under 74
    expect(cweMatches(259, 321)).toBe(false); // siblings under 798
    expect(cweMatches(79, 89)).toBe(false);
    expect(cweMatches(999_998, 999_999)).toBe(false);
  });

  it('matches further relatives when depth is raised', () => {
    expect(cweMatches(78, 74, { depth: 2 })).toBe(true);
    expect(cweMatches(89, 707, { depth: 2 })).toBe(false);
    expect(cweMatches(89, 707, { depth: 3 })).toBe(true);
    expect(cweMatches(89, 943, { depth: 0 })).toBe(false);
    expect(cweMatches(89, 89, { depth: 0 })).toBe(true);
  });

  it('matches a category with its members unless told not to', () => {
    expect(cweMatches(730, 400)).toBe(true);
    expect(cweMatches(730, 400, { categories: false })).toBe(false);
    expect(cweMatches(730, 1333)).toBe(false);
  });

  it('is symmetric', () => {
    const ids = [20, 22, 74, 77, 78, 79, 80, 89, 259, 326, 327, 328, 400, 668, 707, 730, 798, 943, 1333];
    for (const a of ids) {
      for (const b of ids) {
        for (const depth of [1, 2, 5]) {
          expect(cweMatches(a, b, { depth }), `${a} ${b} ${depth}`).toBe(cweMatches(b, a, { depth }));
        }
      }
    }
  });

  it('anyCweMatches looks through a finding\'s CWEs', () => {
    expect(anyCweMatches([20, 89], 943)).toBe(true);
    expect(anyCweMatches([], 89)).toBe(false);
  });
});
