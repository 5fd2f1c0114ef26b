// A small regular-expression reader for ReDoS checks. Not a rule.

/** A character set, approximated by its members among representative characters. */
type CharSet = Set<string>;

const BASE_SAMPLE = [...'aAzZeE09_ \t\n.-/\\:@<>"\'#%&+=?!,;()[]{}|*$^~`é'];
/**
 * The characters sets are judged on: the representative ones plus every character the
 * pattern names itself (so `[^a]` is known to hold the `b` of `(b|[^a])`). Set per parse.
 */
let SAMPLE: string[] = BASE_SAMPLE;

function classOf(spec: string): CharSet {
  const out = new Set<string>();
  for (const ch of SAMPLE) if (matchesEscape(spec, ch)) out.add(ch);
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', '0': '\0' };

/** The character an escape at `p[i]` (a backslash) stands for, and its length; `\xHH`, `\uHHHH`, `\n`... */
function decodeEscape(p: string, i: number): { ch: string; len: number } {
  const c = p[i + 1] ?? '';
  const hex = c === 'x' ? /^[0-9a-fA-F]{2}/.exec(p.slice(i + 2)) : c === 'u' ? /^[0-9a-fA-F]{4}/.exec(p.slice(i + 2)) : c === 'U' ? /^[0-9a-fA-F]{8}/.exec(p.slice(i + 2)) : null;
  if (hex) return { ch: String.fromCodePoint(parseInt(hex[0], 16)), len: 2 + hex[0].length };
  if (c in SIMPLE_ESCAPES) return { ch: SIMPLE_ESCAPES[c]!, len: 2 };
  return { ch: c, len: 2 };
}

/** Every character the pattern spells out (literals, escapes, range ends). */
function patternChars(p: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      if (/[dDwWsSbBAZz]/.test(p[i + 1] ?? '')) {
        i++;
        continue;
      }
      const { ch, len } = decodeEscape(p, i);
      out.add(ch);
      i += len - 1;
    } else out.add(p[i]!);
  }
  return [...out];
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
  /** `^`/`\A` (matches nothing, never fails in a sequence) or `$`/`\Z` (can fail: input left over). */
  anchor?: 'start' | 'end' | 'look';
}

/** Parses a pattern into a sequence of atoms; undefined when it uses syntax this reader skips. */
export function parseRegex(pattern: string): Atom[] | undefined {
  SAMPLE = [...new Set([...BASE_SAMPLE, ...patternChars(pattern)])];
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
            // Lookarounds match no text, but can fail: `(?=X)` unless X matches the empty string, `(?!X)` always.
            if (m[0].endsWith('!') || inner.every((alt) => canFail(alt))) alts[alts.length - 1]!.push({ chars: new Set(), unbounded: false, optional: false, anchor: 'look' });
            continue;
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
        const decoded = decodeEscape(pattern, i);
        i += /^\\[xuU]$/.test(e) ? decoded.len : 2;
        if (/^\\[dDwWsS]$/.test(e)) atom = { chars: classOf(e), unbounded: false, optional: false };
        else if (e === '\\A' || e === '\\Z' || e === '\\z') {
          alts[alts.length - 1]!.push(e === '\\A' ? { chars: new Set(), unbounded: false, optional: true, anchor: 'start' } : { chars: new Set(), unbounded: false, optional: false, anchor: 'end' });
          continue;
        } else if (/^\\[bB]$/.test(e)) continue;
        else atom = { chars: new Set([decoded.ch]), unbounded: false, optional: false };
      } else if (c === '^' || c === '$') {
        i++;
        alts[alts.length - 1]!.push(c === '^' ? { chars: new Set(), unbounded: false, optional: true, anchor: 'start' } : { chars: new Set(), unbounded: false, optional: false, anchor: 'end' });
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
        if (/^\\[dDwWsS]$/.test(e)) {
          i++;
          if (matchesEscape(e, ch)) return true;
          continue;
        }
        const d = decodeEscape(spec, i);
        c = d.ch;
        i += d.len - 1;
      }
      if (spec[i + 1] === '-' && i + 2 < spec.length) {
        let hi = spec[i + 2]!;
        let step = 2;
        if (hi === '\\') {
          const d = decodeEscape(spec, i + 2);
          hi = d.ch;
          step = 1 + d.len;
        }
        if (ch >= c && ch <= hi) return true;
        i += step;
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
export function hasNestedQuantifier(atoms: Atom[], tailCanFail = false): boolean {
  for (let k = 0; k < atoms.length; k++) {
    const a = atoms[k]!;
    if (!a.group) continue;
    // The engine only backtracks when what follows fails: a repetition with nothing after it
    // that can fail (`([\w.]+)*`, `((ab)+)*` searched for) returns its first match.
    const rest = atoms.slice(k + 1);
    const after = (tailCanFail || canFail(rest)) && !acceptsAnything(rest);
    if (a.unbounded && after) {
      for (const alt of a.group) if (ambiguousBody(alt)) return true;
      if (ambiguousAlternatives(a.group, true)) return true;
    }
    // Inside a repeated group the next turn (its mandatory atoms) can fail too.
    const inner = after || (a.unbounded && a.group.some((alt) => canFail(alt)));
    for (const alt of a.group) if (hasNestedQuantifier(alt, inner)) return true;
  }
  return false;
}

/**
 * The sequence matches whatever text is left (`[\s\S]*$`, `(.|\n)+`, `([\s\S]*|X)$`): what
 * follows a repetition then never fails, so the engine never backtracks into it.
 */
function acceptsAnything(seq: Atom[]): boolean {
  const all = (x: Atom): boolean => SAMPLE.every((ch) => x.chars.has(ch));
  const i = seq.findIndex((x) => !x.optional || x.unbounded);
  if (i < 0) return false;
  const x = seq[i]!;
  const eats = x.unbounded && (x.group ? x.group.some((alt) => alt.length === 1 && !alt[0]!.group && all(alt[0]!)) : all(x));
  const grouped = !x.unbounded && !!x.group?.some((alt) => acceptsAnything(alt));
  return (eats || grouped) && seq.slice(i + 1).every((y) => y.optional || y.anchor === 'end');
}

/** Some atom of the sequence must match something (or the end of the input): it can fail. */
function canFail(seq: Atom[]): boolean {
  return seq.some((x) => !x.optional && (x.anchor === 'end' || x.anchor === 'look' || x.chars.size > 0 || (x.group?.every((alt) => canFail(alt)) ?? false)));
}

/**
 * A repetition searched for at every start position and then held to the end of the input
 * (`\s+$`, `^\s+|\s+$` in re.sub): each start consumes the rest of a long run before `$`
 * fails, quadratic in the run's length. Patterns anchored at the start are tried once.
 */
export function hasRepeatBeforeEnd(atoms: Atom[]): boolean {
  const alts = atoms.length === 1 && atoms[0]!.group && !atoms[0]!.unbounded && !atoms[0]!.optional ? atoms[0]!.group : [atoms];
  for (const alt of alts) {
    if (alt[0]?.anchor === 'start') continue;
    const first = alt.findIndex((x) => !x.optional);
    const x = alt[first];
    if (!x || !x.unbounded || x.group || x.anchor) continue;
    const rest = alt.slice(first + 1);
    const end = rest.findIndex((y) => !y.optional);
    if (end >= 0 && rest[end]!.anchor === 'end') return true;
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
    // A group inside the body with two ways to match the same text doubles the ways per turn.
    if (x.group && !x.unbounded && ambiguousAlternatives(x.group, false)) return true;
    // `(a?a)*`, `(\\?.)*`: an optional character the next atom can also take.
    if (x.optional && !x.unbounded && !x.group && !x.anchor) {
      for (const y of alt.slice(i + 1)) {
        if (!y.group && !y.anchor && overlaps(x.chars, y.chars)) return true;
        if (!y.optional) break;
      }
    }
    if (!(x.unbounded || (x.group && canRepeat(x)))) continue;
    const closed = alt.slice(i + 1).some((y) => !y.optional && !y.group && !y.anchor && !overlaps(x.chars, y.chars));
    if (!closed) return true;
  }
  return false;
}

/**
 * Two alternatives can match the same text: both one character from overlapping sets, or
 * both a fixed run of single characters of the same length that overlap position by
 * position (`\\\\` and `\\.`). In a repeated group (`repeated`) a run also collides with a
 * one-character alternative covering each of its characters (`(?:__|[\s\S])+`).
 */
function ambiguousAlternatives(alts: Atom[][], repeated: boolean): boolean {
  const runs = alts.map(fixedRun);
  for (let i = 0; i < alts.length; i++)
    for (let j = i + 1; j < alts.length; j++) {
      const x = runs[i];
      const y = runs[j];
      if (!x || !y) continue;
      if (x.length === y.length && x.every((c, k) => overlaps(c, y[k]!))) return true;
      if (repeated && ((y.length === 1 && x.length > 1 && x.every((c) => overlaps(c, y[0]!))) || (x.length === 1 && y.length > 1 && y.every((c) => overlaps(c, x[0]!))))) return true;
    }
  return false;
}

/** The character sets of an alternative that always matches the same number of characters, one atom per character (optional atoms dropped when only one mandatory atom is left: `a?b` can be just `b`). */
function fixedRun(alt: Atom[]): CharSet[] | undefined {
  const mandatory = alt.filter((a) => !a.optional && !a.anchor);
  if (alt.some((a) => a.anchor === 'look')) return undefined;
  if (mandatory.length === 0) {
    // Only optional single characters (`a?`): it can match one of them alone.
    const chars = new Set<string>();
    for (const a of alt) {
      if (a.anchor) continue;
      if (a.group) return undefined;
      for (const ch of a.chars) chars.add(ch);
    }
    return chars.size ? [chars] : undefined;
  }
  if (mandatory.length !== alt.filter((a) => !a.anchor).length && mandatory.length !== 1) return undefined;
  const out: CharSet[] = [];
  for (const a of mandatory) {
    if (a.unbounded) return undefined;
    const chars = a.group ? singleChar([a]) : a.chars;
    if (!chars) return undefined;
    out.push(chars);
  }
  return out;
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
