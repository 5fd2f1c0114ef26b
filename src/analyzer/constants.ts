import type { PyNode } from './ast.js';

/** A Python constant the analyzer could compute. Bytes literals are kept as strings. */
export type Const = string | number | boolean | null | Const[];

/** The prefix letters of a string literal (`rb`, `f`...), lower-cased. */
export function stringPrefix(node: PyNode): string {
  const start = node.children.find((c) => c.type === 'string_start');
  if (!start) return '';
  return start.text.replace(/['"]+$/, '').toLowerCase();
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
};

/** Decodes Python escape sequences of a non-raw string literal's content. */
export function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (all, esc: string) => {
    const c = esc[0]!;
    if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/[0-7]/.test(c) && esc.length > 1) return String.fromCharCode(parseInt(esc, 8));
    if (esc === '0') return '\0';
    if (c === 'N') return all;
    return SIMPLE_ESCAPES[esc] ?? all;
  });
}

/** The literal text pieces of a string node: constant fragments and interpolations in order. */
export function stringPieces(node: PyNode): Array<{ text: string } | { expr: PyNode }> {
  const raw = stringPrefix(node).includes('r');
  const pieces: Array<{ text: string } | { expr: PyNode }> = [];
  for (const c of node.children) {
    if (c.type === 'string_content') pieces.push({ text: raw ? c.text : decodeEscapes(c.text) });
    else if (c.type === 'interpolation') {
      const expr = c.child('expression');
      if (expr) pieces.push({ expr });
    }
  }
  return pieces;
}

/** Python `%` formatting of constants, enough for `%s`, `%d`, `%r`, `%(name)s`. */
export function percentFormat(template: string, args: Const): string | undefined {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  let failed = false;
  const out = template.replace(/%(\([^)]*\))?[-+ #0]*(\d+|\*)?(\.\d+)?([sdrifxXoeEgGca%])/g, (_m, name: string | undefined, _w, _p, conv: string) => {
    if (conv === '%') return '%';
    if (name) {
      failed = true;
      return '';
    }
    if (i >= list.length) {
      failed = true;
      return '';
    }
    const v = list[i++];
    return conv === 'r' && typeof v === 'string' ? `'${v}'` : pyStr(v!);
  });
  return failed ? undefined : out;
}

/** `str()` of a constant, as Python prints it. */
export function pyStr(v: Const): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyStr(x))).join(', ')}]`;
  return String(v);
}

/** `'...{}...{name}'.format(...)` with constant arguments. */
export function braceFormat(template: string, positional: Const[], named: Map<string, Const>): string | undefined {
  let auto = 0;
  let failed = false;
  const out = template.replace(/\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const key = field ?? '';
    let v: Const | undefined;
    if (key === '') v = positional[auto++];
    else if (/^\d+$/.test(key)) v = positional[Number(key)];
    else v = named.get(key);
    if (v === undefined) {
      failed = true;
      return '';
    }
    return pyStr(v);
  });
  return failed ? undefined : out;
}

export function parseNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '').toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0b[01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^[0-9]*\.?[0-9]*(e[-+]?[0-9]+)?$/.test(t)) {
    const n = Number(t);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}
