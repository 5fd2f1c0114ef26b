import type { TreeCursor } from 'web-tree-sitter';
import { END, FIELD, FLAGS, LAST, MISSING_FLAG, NAMED_FLAG, PARENT, RECORD, START, SYMBOL, type NativeParser } from './native-parser.js';
import { rawCursor, syntaxProblemOf, type RawCursorBinding, type SyntaxProblem, type Tree } from './parser.js';

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
  /** Child nodes in order (leaves share one empty array: never mutate it). */
  children: PyNode[] = NO_CHILDREN;
  /** Field name under which this node hangs in its parent (`function`, `left`...), or null. */
  field: string | null = null;
  /** Id of the last node of this subtree: descendants have ids in (id, lastId]. */
  lastId: number;

  constructor(
    readonly source: SourceText,
    /** Sequential index in document order (pre-order); unique within one tree. */
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {
    this.lastId = id;
  }

  /**
   * Makes a node of an earlier tree stand for a node of a new one (same id), so that a scan
   * reuses its node objects file after file (see `copyDump`'s arena): objects that live in the
   * old generation are not copied by every young-generation collection, which otherwise
   * copied each tree about twice. Only tree copies call this.
   */
  reset(source: SourceText, type: string, isNamed: boolean, isMissing: boolean, startIndex: number, endIndex: number): void {
    const self = this as { -readonly [K in keyof PyNode]: PyNode[K] };
    self.source = source;
    self.type = type;
    self.isNamed = isNamed;
    self.isMissing = isMissing;
    self.startIndex = startIndex;
    self.endIndex = endIndex;
    this.parent = null;
    this.children = NO_CHILDREN;
    this.field = null;
    this.lastId = this.id;
    this.named = undefined;
  }

  // Rows and columns are asked for only when reporting, so they are computed on demand
  // from the source's line starts instead of being stored on every node.

  /** 0-based row of the start, as tree-sitter reports it. */
  get startRow(): number {
    return rowAt(this.source.lineStarts, this.startIndex);
  }

  /** 0-based UTF-16 column of the start. */
  get startColumn(): number {
    return this.startIndex - this.source.lineStarts[this.startRow]!;
  }

  /** 0-based row of the end. */
  get endRow(): number {
    return rowAt(this.source.lineStarts, this.endIndex);
  }

  /** 0-based UTF-16 column of the end. */
  get endColumn(): number {
    return this.endIndex - this.source.lineStarts[this.endRow]!;
  }

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

  /**
   * This subtree (itself included) in document order: a fresh array, cut from the tree's
   * node list (ids are pre-order, so a subtree is one contiguous run).
   */
  walk(): PyNode[] {
    return this.source.nodes.slice(this.id, this.lastId + 1);
  }
}

export interface SourceText {
  readonly text: string;
  /** Index at which each line starts (after each `\n`); the first is 0. */
  readonly lineStarts: readonly number[];
  /** Every node of the tree, by id. */
  readonly nodes: readonly PyNode[];
}

/** The 0-based row holding a source index: the last line starting at or before it. */
function rowAt(lineStarts: readonly number[], index: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index at which each line of `text` starts. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Per-language lookup tables: type id → name and namedness, field id → name. */
interface LanguageTables {
  types: string[];
  named: boolean[];
  fields: Array<string | null>;
  /** Type ids of the punctuation tokens a copy leaves out. */
  skipped: boolean[];
}

/**
 * Punctuation tokens: the node that holds one says by its type and fields what the token
 * said (`argument_list`, `attribute`, `keyword_argument`...), so copies leave them out. They
 * are a quarter of a tree's nodes. Operators and keywords are kept: some nodes are told apart
 * only by them (`comparison_operator`'s operators, `async`, `print`).
 */
export const SKIPPED_TOKENS: ReadonlySet<string> = new Set(['(', ')', '[', ']', '{', '}', ',', '.', ';', ':', '=']);

/** Whether a copy leaves this token out (a missing one, from error recovery, is kept). */
export function isSkippedToken(type: string, named: boolean): boolean {
  return !named && SKIPPED_TOKENS.has(type);
}

/**
 * Node objects to reuse, by id: a copy given an arena takes its nodes from it (and adds to it),
 * so the nodes of the previous tree copied with the same arena become the new tree's. Only
 * for a caller that drops the previous tree first (the analyzer, file after file); nothing may
 * keep a node of it, nor key a memo by node object across trees (key by id per model).
 */
export type NodeArena = PyNode[];

function nodeFor(arena: NodeArena | undefined, source: SourceText, id: number, type: string, isNamed: boolean, isMissing: boolean, start: number, end: number): PyNode {
  const reused = arena?.[id];
  if (reused) {
    reused.reset(source, type, isNamed, isMissing, start, end);
    return reused;
  }
  const node = new PyNode(source, id, type, isNamed, isMissing, start, end);
  arena?.push(node);
  return node;
}

/** A copied tree: its root, every node by id, and whether tree-sitter found syntax errors. */
export interface CopiedTree {
  root: PyNode;
  nodes: PyNode[];
  hasError: boolean;
}

const languageTables = new WeakMap<object, LanguageTables>();

function tablesFor(language: Tree['language']): LanguageTables {
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
    const skipped = types.map((name, id) => isSkippedToken(name, named[id]!));
    t = { types, named, fields, skipped };
    languageTables.set(language, t);
  }
  return t;
}

/**
 * Copies a tree-sitter tree into PyNodes, without punctuation (SKIPPED_TOKENS). Comments are
 * kept (suppressions read them).
 * Reads as little as possible across the WebAssembly boundary: numeric type and field ids
 * (names come from per-language tables) and offsets (rows and columns are computed on demand).
 */
export function copyTree(tree: Tree, text: string, arena?: NodeArena): CopiedTree {
  const nodes: PyNode[] = [];
  const hasError = tree.rootNode.hasError;
  const source: SourceText = { text, lineStarts: lineStartsOf(text), nodes };
  const tables = tablesFor(tree.language);
  const cursor = tree.walk();
  try {
    const binding = rawCursor();
    const walker = binding ? rawWalker(binding, tree, cursor) : publicWalker(cursor);
    try {
      return { ...copyWith(walker, source, nodes, tables, hasError, arena), hasError };
    } finally {
      walker.finish();
    }
  } finally {
    cursor.delete();
  }
}

/** The cursor operations a copy needs. */
interface Walker {
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  typeId(): number;
  fieldId(): number;
  startIndex(): number;
  endIndex(): number;
  isNamed(): boolean;
  isMissing(): boolean;
  /** Leaves the public cursor consistent with where the walk ended. */
  finish(): void;
}

function publicWalker(cursor: TreeCursor): Walker {
  return {
    gotoFirstChild: () => cursor.gotoFirstChild(),
    gotoNextSibling: () => cursor.gotoNextSibling(),
    gotoParent: () => cursor.gotoParent(),
    typeId: () => cursor.nodeTypeId,
    fieldId: () => cursor.currentFieldId,
    startIndex: () => cursor.startIndex,
    endIndex: () => cursor.endIndex,
    isNamed: () => cursor.nodeIsNamed,
    isMissing: () => cursor.nodeIsMissing,
    finish: () => undefined,
  };
}

/**
 * Works on the cursor in web-tree-sitter's transfer buffer: the public cursor puts it there
 * once, the raw functions move and read it in place (nothing else touches the buffer during
 * a copy), and `finish` reads the moved cursor's handles back so that `delete()` frees the
 * right memory.
 */
function rawWalker(b: RawCursorBinding, tree: Tree, cursor: TreeCursor): Walker {
  const t = (tree as unknown as { 0: number })[0];
  const handles = (cursor as unknown as { handles?: number[] }).handles;
  if (typeof t !== 'number' || !Array.isArray(handles) || handles.length !== 4) return publicWalker(cursor);
  void cursor.nodeTypeId; // marshals the cursor into the transfer buffer
  return {
    gotoFirstChild: () => b.gotoFirstChild(t) === 1,
    gotoNextSibling: () => b.gotoNextSibling(t) === 1,
    gotoParent: () => b.gotoParent(t) === 1,
    typeId: () => b.typeId(t),
    fieldId: () => b.fieldId(t),
    startIndex: () => b.startIndex(t),
    endIndex: () => b.endIndex(t),
    isNamed: () => b.isNamed(t) === 1,
    isMissing: () => b.isMissing(t) === 1,
    finish: () => {
      for (let i = 0; i < 4; i++) handles[i] = b.readI32(b.transferBuffer + 4 * i);
    },
  };
}

function copyWith(w: Walker, source: SourceText, nodes: PyNode[], tables: LanguageTables, keepMissing: boolean, arena: NodeArena | undefined): { root: PyNode; nodes: PyNode[] } {
  const { types, named, fields, skipped } = tables;
  const make = (typeId: number): PyNode => {
    const start = w.startIndex();
    const end = w.endIndex();
    // Unknown ids (65535 for ERROR) are named; public nodeType reports them as ERROR.
    const node = nodeFor(arena, source, nodes.length, types[typeId] || 'ERROR', named[typeId] ?? w.isNamed(), start === end && w.isMissing(), start, end);
    nodes.push(node);
    return node;
  };
  const open = new OpenNodes();
  const close = (): void => {
    open.close().lastId = nodes.length - 1;
  };
  const root = make(w.typeId());
  open.open(root);
  if (w.gotoFirstChild()) {
    for (;;) {
      const typeId = w.typeId();
      // Punctuation is always a leaf; a missing one is kept for the syntax diagnostics.
      if (!skipped[typeId] || (keepMissing && w.startIndex() === w.endIndex() && w.isMissing())) {
        const fieldId = w.fieldId();
        const node = make(typeId);
        node.field = fieldId ? (fields[fieldId] ?? null) : null;
        open.add(node);
        if (w.gotoFirstChild()) {
          open.open(node);
          continue;
        }
      }
      let done = false;
      while (!w.gotoNextSibling()) {
        if (open.depth === 1 || !w.gotoParent()) {
          done = true;
          break;
        }
        close();
      }
      if (done) break;
    }
  }
  while (open.depth) close();
  return { root, nodes };
}

/**
 * The open nodes of a pre-order copy and the children met so far, end to end: closing a node
 * cuts its run into its exactly sized children array. A stack, not recursion, so that deep
 * expressions (long string concatenations) cannot overflow the JavaScript stack.
 */
class OpenNodes {
  private readonly stack: PyNode[] = [];
  private readonly runStarts: number[] = [];
  private readonly pending: PyNode[] = [];

  get depth(): number {
    return this.stack.length;
  }

  get top(): PyNode | undefined {
    return this.stack[this.stack.length - 1];
  }

  open(node: PyNode): void {
    this.stack.push(node);
    this.runStarts.push(this.pending.length);
  }

  /** A child of the innermost open node. */
  add(child: PyNode): void {
    child.parent = this.top!;
    this.pending.push(child);
  }

  /** Closes the innermost open node and returns it. */
  close(): PyNode {
    const node = this.stack.pop()!;
    const start = this.runStarts.pop()!;
    if (this.pending.length > start) {
      node.children = this.pending.slice(start);
      this.pending.length = start;
    }
    return node;
  }
}

/**
 * Builds PyNodes from the native parser's records (native-parser.ts): the same tree as
 * `copyTree` gives for tree-sitter's WebAssembly tree of the same text.
 */
export function copyDump(dump: Int32Array, text: string, parser: NativeParser, arena?: NodeArena): CopiedTree {
  const nodes: PyNode[] = [];
  const source: SourceText = { text, lineStarts: lineStartsOf(text), nodes };
  const { types, fields } = parser;
  const count = dump.length / RECORD;
  let hasError = false;
  const open = new OpenNodes();
  for (let id = 0, at = 0; id < count; id++, at += RECORD) {
    const symbol = dump[at + SYMBOL]!;
    const flags = dump[at + FLAGS]!;
    const type = symbol < 0 ? 'ERROR' : types[symbol] || 'ERROR';
    const missing = (flags & MISSING_FLAG) !== 0;
    if (missing || symbol < 0) hasError = true;
    const node = nodeFor(arena, source, id, type, symbol < 0 || (flags & NAMED_FLAG) !== 0, missing, dump[at + START]!, dump[at + END]!);
    const field = dump[at + FIELD]!;
    node.field = field ? (fields[field] ?? null) : null;
    node.lastId = dump[at + LAST]!;
    const parent = dump[at + PARENT]!;
    while (open.depth && open.top!.id !== parent) open.close();
    if (open.depth) open.add(node);
    nodes.push(node);
    if (node.lastId > id) open.open(node);
  }
  while (open.depth) open.close();
  if (!nodes.length) throw new Error('the native parser returned an empty tree');
  return { root: nodes[0]!, nodes, hasError };
}

/** ERROR and MISSING nodes of a copied tree, in source order, as 1-based positions. */
export function syntaxProblemsIn(tree: CopiedTree, limit = 20): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  if (!tree.hasError) return problems;
  const { nodes } = tree;
  for (let i = 0; i < nodes.length && problems.length < limit; i++) {
    const node = nodes[i]!;
    const problem = syntaxProblemOf(node, node.startRow, node.startColumn);
    if (!problem) continue;
    problems.push(problem);
    i = node.lastId; // nothing inside a reported node is reported again
  }
  return problems;
}
