// A small regular-expression reader for ReDoS checks. Not a rule.

/** A character set, approximated by its members among representative characters. */
type CharSet = Set<string>;

const SAMPLE = [...'aAzZeE09_ \t\n.-/\\:@<>"\'#%&+=?!,;()[]{}|*$^~`é'];

function classOf(spec: string): CharSet {
  const out = new Set<string>();
  for (const ch of SAMPLE) if (matchesEscape(spec, ch)) out.add(ch);
  return out;
}

function matchesEscape(spec: string, ch: string): boolean {
  switch (spec) {
    case '\\d':
      return /\d/.test(ch);
    case '\\D':
      return !/\d/.test(ch);
    case '\\w':
      return /[\wé]/.test(ch);
    case '\\W':
      return !/[\wé]/.test(ch);
    case '\\s':
      return /\s/.test(ch);
    case '\\S':
      return !/\s/.test(ch);
    case '.':
      return ch !== '\n';
    default:
      return false;
  }
}

interface Atom {
  chars: CharSet;
  /** Quantifier allows many repetitions (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
  unbounded: boolean;
  /** Quantifier allows zero (`*`, `?`, `{0,...}`). */
  optional: boolean;
  /** For groups: the alternatives, each a sequence. */
  group?: Atom[][];
}

/** Parses a pattern into a sequence of atoms; undefined when it uses syntax this reader skips. */
export function parseRegex(pattern: string): Atom[] | undefined {
  let i = 0;
  const parseSeq = (depth: number): Atom[][] | undefined => {
    const alts: Atom[][] = [[]];
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (c === ')') {
        if (depth === 0) return undefined;
        return alts;
      }
      if (c === '|') {
        alts.push([]);
        i++;
        continue;
      }
      let atom: Atom | undefined;
      if (c === '(') {
        i++;
        if (pattern[i] === '?') {
          // (?:...), (?P<name>...), lookarounds and flags.
          const m = /^\?(:|P<[^>]+>|[=!]|<[=!]|[aiLmsux-]+\)|[aiLmsux-]+:)/.exec(pattern.slice(i));
          if (!m) return undefined;
          i += m[0].length;
          if (m[0].endsWith(')')) continue;
          if (/^\?(<?[=!])$/.test(m[0])) {
            const inner = parseSeq(depth + 1);
            if (!inner || pattern[i] !== ')') return undefined;
            i++;
            continue; // lookarounds match nothing
          }
        }
        const inner = parseSeq(depth + 1);
        if (!inner || pattern[i] !== ')') return undefined;
        i++;
        const chars = new Set<string>();
        for (const alt of inner) for (const a of alt) for (const ch of a.chars) chars.add(ch);
        atom = { chars, unbounded: false, optional: false, group: inner };
      } else if (c === '[') {
        const end = findClassEnd(pattern, i);
        if (end < 0) return undefined;
        atom = { chars: charClass(pattern.slice(i + 1, end)), unbounded: false, optional: false };
        i = end + 1;
      } else if (c === '\\') {
        const e = pattern.slice(i, i + 2);
        i += 2;
        if (/^\\[dDwWsS]$/.test(e)) atom = { chars: classOf(e), unbounded: false, optional: false };
        else if (/^\\[AZbBz]$/.test(e)) continue;
        else atom = { chars: new Set([unescape(e)]), unbounded: false, optional: false };
      } else if (c === '^' || c === '$') {
        i++;
        continue;
      } else if (c === '.') {
        atom = { chars: classOf('.'), unbounded: false, optional: false };
        i++;
      } else {
        atom = { chars: new Set([c]), unbounded: false, optional: false };
        i++;
      }
      // Quantifier.
      const q = /^(\*|\+|\?|\{(\d*)(,(\d*))?\})(\?|\+)?/.exec(pattern.slice(i));
      if (q) {
        i += q[0].length;
        if (q[1] === '*') {
          atom.unbounded = true;
          atom.optional = true;
        } else if (q[1] === '+') atom.unbounded = true;
        else if (q[1] === '?') atom.optional = true;
        else {
          const min = q[2] ? Number(q[2]) : 0;
          const max = q[3] === undefined ? min : q[4] === '' ? Infinity : Number(q[4]);
          atom.optional = min === 0;
          atom.unbounded = max > 10;
        }
      }
      alts[alts.length - 1]!.push(atom);
    }
    return depth === 0 ? alts : undefined;
  };
  const top = parseSeq(0);
  if (!top || i < pattern.length) return undefined;
  if (top.length === 1) return top[0];
  const chars = new Set<string>();
  for (const alt of top) for (const a of alt) for (const ch of a.chars) chars.add(ch);
  return [{ chars, unbounded: false, optional: false, group: top }];
}

function unescape(e: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\r': '\r' };
  return map[e] ?? e.slice(1);
}

function findClassEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  return -1;
}

function charClass(body: string): CharSet {
  const negate = body.startsWith('^');
  const spec = negate ? body.slice(1) : body;
  const inClass = (ch: string): boolean => {
    for (let i = 0; i < spec.length; i++) {
      let c = spec[i]!;
      if (c === '\\') {
        const e = spec.slice(i, i + 2);
        i++;
        if (/^\\[dDwWsS]$/.test(e)) {
          if (matchesEscape(e, ch)) return true;
          continue;
        }
        c = unescape(e);
      }
      if (spec[i + 1] === '-' && i + 2 < spec.length) {
        let hi = spec[i + 2]!;
        if (hi === '\\') hi = unescape(spec.slice(i + 2, i + 4));
        if (ch >= c && ch <= hi) return true;
        i += hi.length === 1 && spec[i + 2] !== '\\' ? 2 : 3;
        continue;
      }
      if (ch === c) return true;
    }
    return false;
  };
  const out = new Set<string>();
  for (const ch of SAMPLE) if (inClass(ch) !== negate) out.add(ch);
  return out;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  for (const ch of a) if (b.has(ch)) return true;
  return false;
}

/**
 * Exponential backtracking: a repeated group whose body can itself repeat (`(a+)+`,
 * `(\w*)*`) or whose alternatives overlap (`(a|a)*`, `(\d|\w)+`).
 */
export function hasNestedQuantifier(atoms: Atom[]): boolean {
  for (const a of atoms) {
    if (!a.group) continue;
    if (a.unbounded) {
      for (const alt of a.group) if (ambiguousBody(alt)) return true;
      for (let i = 0; i < a.group.length; i++)
        for (let j = i + 1; j < a.group.length; j++) {
          const x = singleChar(a.group[i]!);
          const y = singleChar(a.group[j]!);
          if (x && y && overlaps(x, y)) return true;
        }
    }
    for (const alt of a.group) if (hasNestedQuantifier(alt)) return true;
  }
  return false;
}

/**
 * The characters an alternative matches when it always matches exactly one character (`a`,
 * `[a-z]`, `(?:\d|x)`); undefined for longer or optional ones (`%[0-9a-f]{2}`, `ab`, `a?`),
 * whose overlap with a sibling does not by itself make two ways to match the same text.
 */
function singleChar(alt: Atom[]): CharSet | undefined {
  if (alt.length !== 1) return undefined;
  const atom = alt[0]!;
  if (atom.optional || atom.unbounded) return undefined;
  if (!atom.group) return atom.chars;
  const out = new Set<string>();
  for (const inner of atom.group) {
    const chars = singleChar(inner);
    if (!chars) return undefined;
    for (const ch of chars) out.add(ch);
  }
  return out;
}

/**
 * A repeated group's body is ambiguous when it contains a repetition that is not closed by
 * a mandatory atom it cannot match: `(a+)+`, `(\w+\s?)*` are; `([a-z]+\.)+` is not, since
 * every turn must end at a dot the inner `[a-z]+` cannot eat.
 */
function ambiguousBody(alt: Atom[]): boolean {
  for (let i = 0; i < alt.length; i++) {
    const x = alt[i]!;
    if (!(x.unbounded || (x.group && canRepeat(x)))) continue;
    const closed = alt.slice(i + 1).some((y) => !y.optional && !y.group && !overlaps(x.chars, y.chars));
    if (!closed) return true;
  }
  return false;
}

function canRepeat(a: Atom): boolean {
  return a.unbounded || (a.group?.some((alt) => alt.some(canRepeat)) ?? false);
}

/**
 * Polynomial backtracking: two unbounded atoms that can match the same characters with only
 * optional atoms between them (`\d+\d+`, `\d+E?\d+`, `.*.*`), followed by something that can
 * fail. Quadratic on long non-matching input.
 */
export function hasOverlappingRepeats(atoms: Atom[]): boolean {
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    if (!a.unbounded || a.group) continue;
    for (let j = i + 1; j < atoms.length; j++) {
      const b = atoms[j]!;
      if (b.unbounded && !b.group && overlaps(a.chars, b.chars) && j < atoms.length) {
        // Everything between must be optional and also absorbable by `a` for ambiguity.
        const between = atoms.slice(i + 1, j);
        if (between.every((x) => x.optional)) return true;
      }
      if (!b.optional) break;
    }
  }
  for (const a of atoms) if (a.group) for (const alt of a.group) if (hasOverlappingRepeats(alt)) return true;
  return false;
}
