import type { Tree } from './parser.js';

/**
 * A plain-JavaScript copy of tree-sitter's syntax tree. Walking tree-sitter's own nodes
 * crosses into WebAssembly on every property read; copying once with a cursor and working
 * on ordinary objects afterwards is several times faster, needs no `delete()`, and lets any
 * number of analyses share nothing mutable with the parser.
 *
 * Node types and field names are tree-sitter-python's (`call`, `function`, `arguments`...).
 */
export class PyNode {
  parent: PyNode | null = null;
  readonly children: PyNode[] = [];
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

  get namedChildren(): PyNode[] {
    return this.children.filter((c) => c.isNamed);
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

/** Copies a tree-sitter tree into PyNodes. Comments are kept (suppressions read them). */
export function copyTree(tree: Tree, text: string): { root: PyNode; nodes: PyNode[] } {
  const source: SourceText = { text };
  const nodes: PyNode[] = [];
  const cursor = tree.walk();
  try {
    const make = (): PyNode => {
      const s = cursor.startPosition;
      const e = cursor.endPosition;
      const node = new PyNode(
        source,
        nodes.length,
        cursor.nodeType,
        cursor.nodeIsNamed,
        cursor.nodeIsMissing,
        cursor.startIndex,
        cursor.endIndex,
        s.row,
        s.column,
        e.row,
        e.column,
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
        const field = cursor.currentFieldName;
        const node = make();
        node.field = field;
        node.parent = current;
        current.children.push(node);
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
