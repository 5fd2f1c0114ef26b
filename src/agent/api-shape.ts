// The public shape of a module: its top-level functions with their parameter lists, and its
// top-level classes. A repair may change bodies and add helpers, but must keep the task's
// functions callable as before.
import { parsePython, syntaxProblems, type Node } from '../analyzer/parser.js';

export interface Parameter {
  name: string;
  /** `positional` covers ordinary parameters; `/` and a bare `*` are recorded as separators. */
  kind: 'positional' | 'var-positional' | 'keyword-only' | 'var-keyword' | 'separator';
  hasDefault: boolean;
}

export interface TopLevelDef {
  name: string;
  kind: 'function' | 'class';
  /** Functions only. */
  parameters: Parameter[];
  line: number;
}

export interface ApiShape {
  defs: Map<string, TopLevelDef>;
  /** The first syntax problem, when the code does not parse. */
  syntaxError?: string;
}

/** Top-level defs of `code` (a decorated def counts; defs nested in `if` or classes do not). */
export async function apiShape(code: string): Promise<ApiShape> {
  const tree = await parsePython(code);
  try {
    const defs = new Map<string, TopLevelDef>();
    for (const node of tree.rootNode.namedChildren) {
      if (!node) continue;
      const def = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
      if (!def) continue;
      const name = def.childForFieldName('name')?.text;
      if (!name) continue;
      if (def.type === 'function_definition') {
        defs.set(name, { name, kind: 'function', parameters: parametersOf(def), line: def.startPosition.row + 1 });
      } else if (def.type === 'class_definition') {
        defs.set(name, { name, kind: 'class', parameters: [], line: def.startPosition.row + 1 });
      }
    }
    const problem = syntaxProblems(tree, 1)[0];
    return { defs, ...(problem ? { syntaxError: `line ${problem.line}: ${problem.message}` } : {}) };
  } finally {
    tree.delete();
  }
}

function parametersOf(def: Node): Parameter[] {
  const list = def.childForFieldName('parameters');
  if (!list) return [];
  const out: Parameter[] = [];
  let keywordOnly = false;
  for (const p of list.namedChildren) {
    if (!p) continue;
    switch (p.type) {
      case 'positional_separator':
        out.push({ name: '/', kind: 'separator', hasDefault: false });
        break;
      case 'keyword_separator':
        keywordOnly = true;
        out.push({ name: '*', kind: 'separator', hasDefault: false });
        break;
      case 'list_splat_pattern':
        keywordOnly = true;
        out.push({ name: splatName(p), kind: 'var-positional', hasDefault: false });
        break;
      case 'dictionary_splat_pattern':
        out.push({ name: splatName(p), kind: 'var-keyword', hasDefault: false });
        break;
      case 'identifier':
        out.push({ name: p.text, kind: keywordOnly ? 'keyword-only' : 'positional', hasDefault: false });
        break;
      case 'typed_parameter': {
        const inner = p.namedChildren.find((c) => c && c.type !== 'type');
        if (inner?.type === 'list_splat_pattern') {
          keywordOnly = true;
          out.push({ name: splatName(inner), kind: 'var-positional', hasDefault: false });
        } else if (inner?.type === 'dictionary_splat_pattern') {
          out.push({ name: splatName(inner), kind: 'var-keyword', hasDefault: false });
        } else {
          out.push({ name: inner?.text ?? p.text, kind: keywordOnly ? 'keyword-only' : 'positional', hasDefault: false });
        }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        out.push({
          name: p.childForFieldName('name')?.text ?? p.text,
          kind: keywordOnly ? 'keyword-only' : 'positional',
          hasDefault: true,
        });
        break;
      default:
        // Comments and anything tree-sitter could not place; not part of the signature.
        break;
    }
  }
  return out;
}

function splatName(node: Node): string {
  return node.namedChildren.find((c) => c?.type === 'identifier')?.text ?? node.text.replace(/^\*+/, '');
}

/** `(a, b=…, *args, key=…, **kw)`, as a reader would write the signature. */
export function formatParameters(parameters: readonly Parameter[]): string {
  const parts = parameters.map((p) => {
    if (p.kind === 'separator') return p.name;
    const prefix = p.kind === 'var-positional' ? '*' : p.kind === 'var-keyword' ? '**' : '';
    return `${prefix}${p.name}${p.hasDefault ? '=…' : ''}`;
  });
  return `(${parts.join(', ')})`;
}

/**
 * Whether `after` can still be called everywhere `before` could: the same parameters in the
 * same order and kinds, defaults only added, never removed; new parameters only at the end
 * of their group and only with a default.
 */
export function isCompatibleSignature(before: readonly Parameter[], after: readonly Parameter[]): boolean {
  if (after.length < before.length) return false;
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!;
    const a = after[i]!;
    if (a.name !== b.name || a.kind !== b.kind) return false;
    if (b.hasDefault && !a.hasDefault) return false;
  }
  // Extra parameters: optional ones, or a catch-all that accepts anything.
  return after.slice(before.length).every((p) => p.hasDefault || p.kind === 'var-positional' || p.kind === 'var-keyword');
}

/**
 * Why `repaired` is not an acceptable replacement for `previous`, or null when it is.
 * `protectedNames` are the task's own functions and classes; those present in `previous`
 * must stay, and functions among them must keep a compatible signature.
 */
export async function apiBreak(previous: string, repaired: string, protectedNames: ReadonlySet<string>): Promise<string | null> {
  const after = await apiShape(repaired);
  if (after.syntaxError) return `the code is not valid Python (${after.syntaxError})`;
  const before = await apiShape(previous);
  const problems: string[] = [];
  for (const name of protectedNames) {
    const old = before.defs.get(name);
    if (!old) continue;
    const now = after.defs.get(name);
    if (!now) {
      problems.push(`it removes the ${old.kind} \`${name}\` the task asks for`);
      continue;
    }
    if (old.kind === 'function' && now.kind === 'function' && !isCompatibleSignature(old.parameters, now.parameters)) {
      problems.push(
        `it changes the signature of \`${name}\` from ${formatParameters(old.parameters)} to ${formatParameters(now.parameters)}`,
      );
    } else if (old.kind !== now.kind) {
      problems.push(`it turns the ${old.kind} \`${name}\` into a ${now.kind}`);
    }
  }
  return problems.length ? problems.join('; ') : null;
}

/** The names a repair must keep: the top-level defs of the task's own code. */
export async function protectedNamesOf(code: string): Promise<Set<string>> {
  return new Set((await apiShape(code)).defs.keys());
}
