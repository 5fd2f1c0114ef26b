// Evaluates file-mode expressions (`0o755`, `stat.S_IRUSR | stat.S_IWUSR`) to numbers.
// Not a rule.
import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { parts } from './code-shape.js';

/** The `stat` module's permission constants. */
export const STAT_BITS: Record<string, number> = {
  S_ISUID: 0o4000,
  S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IREAD: 0o400,
  S_IWRITE: 0o200,
  S_IEXEC: 0o100,
  S_IRWXG: 0o070,
  S_IRGRP: 0o040,
  S_IWGRP: 0o020,
  S_IXGRP: 0o010,
  S_IRWXO: 0o007,
  S_IROTH: 0o004,
  S_IWOTH: 0o002,
  S_IXOTH: 0o001,
};

/** The numeric value of a mode expression, or undefined when any part is unknown. */
export function modeValue(model: ModuleModel, node: PyNode | undefined, depth = 0): number | undefined {
  if (!node || depth > 8) return undefined;
  const c = model.constValue(node);
  if (typeof c === 'number') return Number.isInteger(c) ? c : undefined;
  switch (node.type) {
    case 'parenthesized_expression':
      return modeValue(model, parts(node)[0], depth + 1);
    case 'attribute':
    case 'identifier': {
      const q = model.qname(node) ?? node.text;
      const name = q.startsWith('stat.') ? q.slice(5) : node.type === 'identifier' ? q : undefined;
      return name !== undefined ? STAT_BITS[name] : undefined;
    }
    case 'binary_operator': {
      const op = node.child('operator')?.text;
      const l = modeValue(model, node.child('left'), depth + 1);
      const r = modeValue(model, node.child('right'), depth + 1);
      if (l === undefined || r === undefined) return undefined;
      if (op === '|' || op === '+') return l | r;
      if (op === '&') return l & r;
      if (op === '^') return l ^ r;
      return undefined;
    }
    case 'unary_operator': {
      const v = modeValue(model, node.child('argument'), depth + 1);
      return v !== undefined && node.child('operator')?.text === '~' ? ~v & 0o7777 : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Bits a mode expression sets whatever its unknown parts are: `st.st_mode | stat.S_IWOTH`
 * has at least 0o002, since `|` only adds bits. 0 when nothing is known.
 */
export function modeMinimum(model: ModuleModel, node: PyNode | undefined, depth = 0): number {
  if (!node || depth > 8) return 0;
  const known = modeValue(model, node);
  if (known !== undefined) return known;
  if (node.type === 'parenthesized_expression') return modeMinimum(model, parts(node)[0], depth + 1);
  if (node.type === 'binary_operator' && node.child('operator')?.text === '|') return modeMinimum(model, node.child('left'), depth + 1) | modeMinimum(model, node.child('right'), depth + 1);
  return 0;
}

/** `0o755`-style text for a mode. */
export function octal(mode: number): string {
  return '0o' + (mode & 0o7777).toString(8).padStart(3, '0');
}
