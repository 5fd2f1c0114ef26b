// Python code out of a chat reply.
//
// Where the code is, in order of trust:
// 1. fenced blocks (``` or ~~~, any indentation, a fence closed at the end of a code line,
//    an opening fence after prose on the same line, an unclosed fence when the reply was cut);
//    python-tagged blocks first (python, py, python3, Python3, py3 ...), then untagged or
//    text-tagged blocks that look like Python; blocks tagged with another language
//    (bash, json, text output ...) are never taken;
// 2. <code>...</code> tags;
// 3. the whole reply when it reads as Python, minus the prose lines before and after it.
//
// Several candidate blocks: blocks defining functions or classes decide.
// - One defining block: it, preceded by any imports-only blocks before it.
// - Several whose top-level names are disjoint: parts of one program ("first the imports,
//   then the helper, then the view"), joined in order with the imports-only blocks.
// - Several that define a same name: alternative versions (the original and the fixed
//   code, or two drafts): the largest, the later one on a tie.
// - None defining anything: the largest block with an import, else the largest block.
// Blocks of example usage (calls, prints) next to a defining block are dropped.

import { checkPythonSyntax } from '../analyzer/parser.js';

export type ExtractError = 'no-code' | 'empty';
export type ExtractResult = { code: string; truncated?: boolean } | { error: ExtractError };
export type ValidPythonResult =
  | { code: string; truncated?: boolean }
  | { error: ExtractError | 'syntax'; detail: string; line?: number };

interface Block {
  kind: 'python' | 'untagged' | 'other';
  body: string;
  unterminated: boolean;
}

const PLAIN_TAGS = new Set(['', 'text', 'txt', 'plain', 'plaintext', 'code', 'none', 'source']);

function languageKind(info: string): Block['kind'] {
  const tag = (info.trim().split(/[\s{:,;]/)[0] ?? '').replace(/^\./, '').toLowerCase();
  if (/^(python|py)(-?\d+(\.\d+)?)?$/.test(tag)) return 'python';
  return PLAIN_TAGS.has(tag) ? 'untagged' : 'other';
}

function normalize(reply: string): string {
  return reply
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi, '');
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return min ? lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)![0].length))).join('\n') : text;
}

/** Leading/trailing blank lines off, one final newline. */
function tidy(code: string): string {
  const trimmed = dedent(code.replace(/^\s*\n/, '')).replace(/\s+$/, '');
  return trimmed ? `${trimmed}\n` : '';
}

const OPEN_FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*([^`\n]*)$/;
const OPEN_FENCE_AFTER_PROSE = /^(.*\S)[ \t]*(`{3,}|~{3,})[ \t]*([A-Za-z][\w+#.-]*)[ \t]*$/;

export function findFencedBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let open: { fence: string; kind: Block['kind']; body: string[] } | undefined;
  for (const line of lines) {
    if (!open) {
      const m = OPEN_FENCE.exec(line) ?? OPEN_FENCE_AFTER_PROSE.exec(line);
      if (!m) continue;
      const [fence, info] = m.length === 3 ? [m[1]!, m[2]!] : [m[2]!, m[3]!];
      open = { fence, kind: languageKind(info), body: [] };
      continue;
    }
    const char = open.fence[0]!;
    const closing = new RegExp(`^(.*?)(\\${char}{${open.fence.length},})[ \\t]*$`).exec(line);
    if (closing && (closing[1]!.trim() === '' || char === '`')) {
      if (closing[1]!.trim()) open.body.push(closing[1]!);
      blocks.push({ kind: open.kind, body: open.body.join('\n'), unterminated: false });
      open = undefined;
      continue;
    }
    open.body.push(line);
  }
  if (open) blocks.push({ kind: open.kind, body: open.body.join('\n'), unterminated: true });
  return blocks.map((b) => ({ ...b, body: dropLanguageLine(b) }));
}

/** Untagged blocks sometimes start with the language name on a line of its own. */
function dropLanguageLine(block: Block): string {
  if (block.kind !== 'untagged') return block.body;
  return block.body.replace(/^\s*(?:python3?|py)\s*\n/i, '');
}

// ---------------------------------------------------------------- does it read as Python?

const STRONG_START =
  /^(?:import\s+[\w.]+|from\s+\.*[\w.]*\s+import\s|(?:async\s+)?def\s+\w+\s*\(|class\s+\w+\s*[(:]|@[\w.]+|if\s+__name__\s*==|#!)/;
const CODE_LINE = new RegExp(
  [
    STRONG_START.source,
    /^#/.source,
    /^[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*,\s*[A-Za-z_][\w.]*)*\s*(?::\s*[\w.[\], ]+)?\s*(?:=|\+=|-=|\*=|\/=|\|=)(?!=)/.source,
    /^[A-Za-z_][\w.]*\s*\(.*\)?\s*$/.source,
    /^(?:return|raise|pass|break|continue|yield|assert|del|global|nonlocal|await|print)\b/.source,
    /^(?:if|elif|while|for|with|try|except|finally|else|async\s+with|async\s+for|match|case)\b.*:\s*(?:#.*)?$/.source,
    /^(?:"""|'''|[)\]}])/.source,
  ].join('|'),
);

const ASSIGNMENT = /^[A-Za-z_][\w.]*\s*=(?!=)\s*\S/;

const COMPOUND_HEADER = /^(?:if|for|while|with|try|async\s+(?:with|for))\b.*:\s*(?:#.*)?$/;

function startsCode(line: string): boolean {
  return STRONG_START.test(line) || ASSIGNMENT.test(line) || COMPOUND_HEADER.test(line);
}

function isCodeLine(line: string): boolean {
  if (/^[ \t]+\S/.test(line)) return true;
  return CODE_LINE.test(line.trimEnd());
}

function looksLikePython(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return false;
  const strong = lines.some(startsCode);
  const code = lines.filter(isCodeLine).length;
  return strong && code / lines.length >= 0.6;
}

/** The line on which the triple-quoted string that closes on line `closing` opened, or -1. */
function findOpener(lines: string[], closing: number, quote: string): number {
  const own = lines[closing]!.trim();
  if (own.startsWith(quote) && own.length >= 2 * quote.length) return closing;
  for (let i = closing - 1; i >= 0; i--) {
    if (lines[i]!.includes(quote)) return lines[i]!.trimStart().startsWith(quote) ? i : -1;
  }
  return -1;
}

/**
 * The reply without prose lines before the first statement and after the last code line.
 * Comment lines and a docstring right above the first statement belong to the code.
 */
function stripProse(text: string): string {
  const lines = text.split('\n');
  let first = lines.findIndex(startsCode);
  if (first < 0) return '';
  for (;;) {
    const above = lines[first - 1];
    if (above === undefined) break;
    if (/^(?:#|\s*$)/.test(above)) {
      first--;
      continue;
    }
    // A docstring that ends right above: take it whole.
    const quote = /("""|''')\s*$/.exec(above)?.[1];
    const opener = quote ? findOpener(lines, first - 1, quote) : -1;
    if (opener < 0) break;
    first = opener;
  }
  let last = lines.length - 1;
  while (last > first && !(lines[last]!.trim() && isCodeLine(lines[last]!))) last--;
  return lines.slice(first, last + 1).join('\n');
}

// ---------------------------------------------------------------- choosing among blocks

interface Analysed {
  block: Block;
  order: number;
  names: Set<string>;
  importsOnly: boolean;
  hasImport: boolean;
  size: number;
}

function analyse(block: Block, order: number): Analysed {
  const lines = block.body.split('\n');
  const names = new Set<string>();
  for (const l of lines) {
    const m = /^(?:async\s+def|def|class)\s+(\w+)/.exec(l);
    if (m) names.add(m[1]!);
  }
  const topLevel = lines.filter((l) => l.trim() && !/^\s/.test(l) && !l.startsWith('#') && !/^[)\]]/.test(l));
  const isImport = (l: string) => /^(?:import\s|from\s+\S+\s+import\s)/.test(l);
  return {
    block,
    order,
    names,
    importsOnly: topLevel.length > 0 && topLevel.every(isImport),
    hasImport: topLevel.some(isImport),
    size: lines.filter((l) => l.trim()).length,
  };
}

function largest(items: Analysed[]): Analysed {
  return items.reduce((best, a) => (a.size >= best.size ? a : best));
}

function overlaps(items: Analysed[]): boolean {
  const seen = new Set<string>();
  for (const a of items) {
    for (const n of a.names) {
      if (seen.has(n)) return true;
    }
    for (const n of a.names) seen.add(n);
  }
  return false;
}

function join(items: Analysed[]): Block {
  const sorted = [...items].sort((a, b) => a.order - b.order);
  return {
    kind: 'python',
    body: sorted.map((a) => dedent(a.block.body).replace(/\s+$/, '')).join('\n\n'),
    unterminated: sorted.some((a) => a.block.unterminated),
  };
}

function choose(blocks: Block[]): Block {
  if (blocks.length === 1) return blocks[0]!;
  const all = blocks.map(analyse);
  const defining = all.filter((a) => a.names.size > 0);
  if (defining.length === 0) {
    const withImport = all.filter((a) => a.hasImport);
    return largest(withImport.length ? withImport : all).block;
  }
  const main = defining.length === 1 || !overlaps(defining) ? defining : [largest(defining)];
  const firstMain = Math.min(...main.map((a) => a.order));
  const preamble = all.filter((a) => a.importsOnly && a.names.size === 0 && a.order < firstMain);
  const parts = [...preamble, ...main];
  return parts.length === 1 ? parts[0]!.block : join(parts);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function result(block: Block): ExtractResult {
  const code = tidy(block.body);
  if (!code) return { error: 'empty' };
  return block.unterminated ? { code, truncated: true } : { code };
}

/** The Python code of a reply, or why there is none. Never runs or imports it. */
export function extractPythonCode(reply: string): ExtractResult {
  const text = normalize(reply);
  if (!text.trim()) return { error: 'empty' };

  const fenced = findFencedBlocks(text);
  if (fenced.length) {
    const python = fenced.filter((b) => b.kind === 'python');
    const pythonWithCode = python.filter((b) => b.body.trim());
    if (pythonWithCode.length) return result(choose(pythonWithCode));
    const untagged = fenced.filter((b) => b.kind === 'untagged' && b.body.trim() && looksLikePython(dedent(b.body)));
    if (untagged.length) return result(choose(untagged));
    if (python.length || fenced.some((b) => b.kind === 'untagged' && !b.body.trim())) return { error: 'empty' };
    return { error: 'no-code' };
  }

  const tagged = [...text.matchAll(/<code(?:\s[^>]*)?>([\s\S]*?)<\/code>/gi)]
    .map((m) => unescapeHtml(m[1]!))
    .filter((body) => body.includes('\n') || looksLikePython(body));
  if (tagged.length) {
    const blocks = tagged.map((body): Block => ({ kind: 'untagged', body, unterminated: false }));
    return result(choose(blocks));
  }

  const bare = stripProse(text);
  if (bare && looksLikePython(bare)) return result({ kind: 'untagged', body: bare, unterminated: false });
  return { error: 'no-code' };
}

/** Like extractPythonCode, and the code must parse (tree-sitter); a syntax error names its line. */
export async function extractValidPython(reply: string): Promise<ValidPythonResult> {
  const extracted = extractPythonCode(reply);
  if ('error' in extracted) {
    return {
      error: extracted.error,
      detail: extracted.error === 'empty' ? 'the reply holds an empty code block' : 'the reply holds no Python code',
    };
  }
  const problems = await checkPythonSyntax(extracted.code);
  if (problems.length) {
    const p = problems[0]!;
    return {
      error: 'syntax',
      detail: `line ${p.line}: ${p.message}${extracted.truncated ? ' (the reply was cut off)' : ''}`,
      line: p.line,
    };
  }
  return extracted;
}
