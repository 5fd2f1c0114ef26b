// The CWE catalogue (names and Research Concepts hierarchy) and CWE matching along it.
import { formatCwe } from '../core/types.js';
import { CATALOGUE_ROWS, CWE_LIST_VERSION } from './catalogue-data.js';

export { CWE_LIST_VERSION };

export interface Cwe {
  id: number;
  /** MITRE's exact title. */
  name: string;
  /** Direct ChildOf targets in the Research Concepts view (CWE-1000); empty for pillars and categories. */
  parents: number[];
  /** Categories group weaknesses by topic (e.g. CWE-310) and sit outside the CWE-1000 hierarchy. */
  kind: 'weakness' | 'category';
  /** For a category: its member weaknesses (MITRE's Has_Member); empty for weaknesses. */
  members: number[];
}

const byId = new Map<number, Cwe>();
const childrenById = new Map<number, number[]>();
const categoriesById = new Map<number, number[]>();

for (const [id, name, parents, members] of CATALOGUE_ROWS) {
  byId.set(id, {
    id,
    name,
    parents: [...parents],
    kind: members ? 'category' : 'weakness',
    members: [...(members ?? [])],
  });
  for (const member of members ?? []) {
    const categories = categoriesById.get(member) ?? [];
    categories.push(id);
    categoriesById.set(member, categories);
  }
  for (const parent of parents) {
    const children = childrenById.get(parent) ?? [];
    children.push(id);
    childrenById.set(parent, children);
  }
}

/** The catalogue entry, or undefined for an id MITRE's list (non-deprecated) does not have. */
export function getCwe(id: number): Cwe | undefined {
  const entry = byId.get(id);
  return entry && { ...entry, parents: [...entry.parents], members: [...entry.members] };
}

export function cweName(id: number): string | undefined {
  return byId.get(id)?.name;
}

/** `CWE-89 (Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection'))`, or `CWE-N` when unknown. */
export function describeCwe(id: number): string {
  const name = cweName(id);
  return name === undefined ? formatCwe(id) : `${formatCwe(id)} (${name})`;
}

/** Direct children (weaknesses that are ChildOf `id` in CWE-1000). */
export function childrenOf(id: number): number[] {
  return [...(childrenById.get(id) ?? [])];
}

/** The categories that list `id` as a member. */
export function categoriesOf(id: number): number[] {
  return [...(categoriesById.get(id) ?? [])];
}

/**
 * Every ancestor of `id` in CWE-1000 up to `maxDepth` ChildOf steps (default: all the way to
 * the pillars), nearest first, each once; the id itself is not included.
 */
export function ancestors(id: number, maxDepth = Infinity): number[] {
  const seen = new Set<number>([id]);
  const result: number[] = [];
  let frontier = [id];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const parent of byId.get(node)?.parents ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        result.push(parent);
        next.push(parent);
      }
    }
    frontier = next;
  }
  return result;
}

export interface MatchOptions {
  /**
   * How many ChildOf steps may separate the two CWEs. 1 (the default, the project's rule
   * "same CWE, or parent/child in MITRE's hierarchy") accepts a direct parent or child only,
   * so CWE-78 matches CWE-77 but not CWE-74 (its grandparent). 2 also accepts grandparents
   * and grandchildren, and so on. Siblings and cousins never match: sharing a broad parent
   * such as CWE-74 says little about whether two findings are the same weakness.
   */
  depth?: number;
  /**
   * Whether a category matches its direct members (default true). Categories are outside
   * CWE-1000, yet SecurityEval files tasks under one (CWE-730, OWASP 2004 A9 Denial of
   * Service, which has CWE-400 as a member), and older tools report CWE-310 and the like.
   */
  categories?: boolean;
}

/**
 * True when a == b, or one is an ancestor of the other within `depth` ChildOf steps in
 * CWE-1000, or (with `categories`) one is a category listing the other as a member. Symmetric.
 */
export function cweMatches(a: number, b: number, { depth = 1, categories = true }: MatchOptions = {}): boolean {
  if (a === b) return true;
  if (depth >= 1 && (ancestors(a, depth).includes(b) || ancestors(b, depth).includes(a))) return true;
  if (categories) {
    return (categoriesById.get(a) ?? []).includes(b) || (categoriesById.get(b) ?? []).includes(a);
  }
  return false;
}

/** True when any of `found` matches `expected` (see cweMatches). */
export function anyCweMatches(found: readonly number[], expected: number, options?: MatchOptions): boolean {
  return found.some((cwe) => cweMatches(cwe, expected, options));
}

/** Every id in the catalogue, ascending. */
export function allCweIds(): number[] {
  return [...byId.keys()].sort((x, y) => x - y);
}
