import type { Tree } from './parser.js';

/**
 * A plain-JavaScript copy of tree-sitter's syntax tree. Walking tree-sitter's own nodes
 * crosses into WebAssembly on every property read; copying once with a cursor and working
 * on ordinary objects afterwards is several times faster, needs no `delete()`, and lets any
 * number of analyses share nothing mutable with the parser.
 *
 * Node types and field names are tree-sitter-python's (`call`, `function`, `arguments`...).
 */
const NO_CHILDREN: PyNode[] = [];

export class PyNode {
  parent: PyNode | null = null;
  /** Child nodes in order (leaves share one empty array: never push to it directly). */
  children: PyNode[] = NO_CHILDREN;
  /** Field name under which this node hangs in its parent (`function`, `left`...), or null. */
  field: string | null = null;

  constructor(
    readonly source: SourceText,
    /** Sequential index in document order; unique within one tree. */
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    /** 0-based row and UTF-16 column, as tree-sitter reports them. */
    readonly startRow: number,
    readonly startColumn: number,
    readonly endRow: number,
    readonly endColumn: number,
  ) {}

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  private named?: PyNode[];

  /** Children that are named nodes (no punctuation or keywords). Cached: do not mutate. */
  get namedChildren(): PyNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  /** First child under a field name. */
  child(field: string): PyNode | undefined {
    for (const c of this.children) if (c.field === field) return c;
    return undefined;
  }

  /** All children under a field name. */
  childrenOf(field: string): PyNode[] {
    return this.children.filter((c) => c.field === field);
  }

  /** 1-based line of the start. */
  get line(): number {
    return this.startRow + 1;
  }

  /** True when `other` lies inside this node (or is this node). */
  contains(other: PyNode): boolean {
    return other.startIndex >= this.startIndex && other.endIndex <= this.endIndex && other.id >= this.id;
  }

  /** Nearest ancestor (not itself) whose type is one of `types`. */
  ancestor(...types: string[]): PyNode | undefined {
    for (let p = this.parent; p; p = p.parent) if (types.includes(p.type)) return p;
    return undefined;
  }

  /** Depth-first, document-order walk of this subtree (including itself). */
  *walk(): Generator<PyNode> {
    const stack: PyNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      yield n;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  }
}

export interface SourceText {
  readonly text: string;
}

/** Per-language lookup tables: type id → name and namedness, field id → name. */
const languageTables = new WeakMap<object, { types: string[]; named: boolean[]; fields: Array<string | null> }>();

function tablesFor(language: Tree['language']): { types: string[]; named: boolean[]; fields: Array<string | null> } {
  let t = languageTables.get(language);
  if (!t) {
    const types: string[] = [];
    const named: boolean[] = [];
    // Type ids cover every symbol, aliases included; ask for each once.
    for (let id = 0; id < 4096; id++) {
      const name = language.nodeTypeForId(id);
      if (name === null && id > language.nodeTypeCount) break;
      types[id] = name ?? '';
      named[id] = name !== null && language.nodeTypeIsNamed(id);
    }
    const fields: Array<string | null> = [];
    for (let id = 0; id <= language.fieldCount; id++) fields[id] = language.fieldNameForId(id);
    t = { types, named, fields };
    languageTables.set(language, t);
  }
  return t;
}

/**
 * Copies a tree-sitter tree into PyNodes. Comments are kept (suppressions read them).
 * Reads as little as possible across the WebAssembly boundary: numeric type and field ids
 * (names come from per-language tables) and offsets (rows and columns are computed here).
 */
export function copyTree(tree: Tree, text: string): { root: PyNode; nodes: PyNode[] } {
  const source: SourceText = { text };
  const { types, named, fields } = tablesFor(tree.language);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let hint = 0;
  const rowOf = (index: number): number => {
    // Nodes come in document order, so the previous row is a good first guess.
    if (index >= lineStarts[hint]! && (hint + 1 >= lineStarts.length || index < lineStarts[hint + 1]!)) return hint;
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    hint = lo;
    return lo;
  };
  const nodes: PyNode[] = [];
  const cursor = tree.walk();
  try {
    const make = (): PyNode => {
      const typeId = cursor.nodeTypeId;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const startRow = rowOf(start);
      const endRow = rowOf(end);
      const node = new PyNode(
        source,
        nodes.length,
        types[typeId] || cursor.nodeType,
        named[typeId] ?? cursor.nodeIsNamed,
        start === end && cursor.nodeIsMissing,
        start,
        end,
        startRow,
        start - lineStarts[startRow]!,
        endRow,
        end - lineStarts[endRow]!,
      );
      nodes.push(node);
      return node;
    };
    const root = make();
    // Iterative pre-order copy: deep expressions (long string concatenations) must not
    // overflow the JavaScript stack.
    const stack: PyNode[] = [root];
    let current = root;
    if (cursor.gotoFirstChild()) {
      for (;;) {
        const fieldId = cursor.currentFieldId;
        const node = make();
        node.field = fieldId ? (fields[fieldId] ?? null) : null;
        node.parent = current;
        if (current.children === NO_CHILDREN) current.children = [node];
        else current.children.push(node);
        if (cursor.gotoFirstChild()) {
          stack.push(node);
          current = node;
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (stack.length === 1 || !cursor.gotoParent()) return { root, nodes };
          stack.pop();
          current = stack[stack.length - 1]!;
        }
      }
    }
    return { root, nodes };
  } finally {
    cursor.delete();
  }
}
