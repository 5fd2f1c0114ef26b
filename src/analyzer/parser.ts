import { createRequire } from 'node:module';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export type { Node, Tree };

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

const require = createRequire(import.meta.url);
let ready: Promise<Language> | undefined;

/**
 * The tree-cursor entry points of web-tree-sitter's WebAssembly module. Its public
 * TreeCursor copies the cursor's four handles into and out of a shared transfer buffer on
 * every call; a walk that only moves and reads can leave the cursor in that buffer and call
 * these directly, which roughly halves the cost of copying a tree (see ast.ts). Emscripten
 * attaches the exports to the options object given to `Parser.init`, so they are reachable
 * only when this module initialised the binding; otherwise `rawCursor()` is undefined and
 * callers use the public API.
 */
export interface RawCursorBinding {
  /** Address of the transfer buffer the cursor functions read and write. */
  transferBuffer: number;
  gotoFirstChild(tree: number): number;
  gotoNextSibling(tree: number): number;
  gotoParent(tree: number): number;
  typeId(tree: number): number;
  fieldId(tree: number): number;
  startIndex(tree: number): number;
  endIndex(tree: number): number;
  isNamed(tree: number): number;
  isMissing(tree: number): number;
  readI32(address: number): number;
}

let raw: RawCursorBinding | undefined;
let rawEnabled = true;

/** The raw cursor binding, when available (after `loadPython()` resolved). */
export function rawCursor(): RawCursorBinding | undefined {
  return rawEnabled ? raw : undefined;
}

/** For tests: `false` makes tree copies use the public TreeCursor API only. */
export function useRawCursor(enabled: boolean): void {
  rawEnabled = enabled;
}

type Exported = (tree: number) => number;

function captureRawCursor(module: Record<string, unknown>): RawCursorBinding | undefined {
  const names = [
    '_ts_init',
    '_ts_tree_cursor_goto_first_child_wasm',
    '_ts_tree_cursor_goto_next_sibling_wasm',
    '_ts_tree_cursor_goto_parent_wasm',
    '_ts_tree_cursor_current_node_type_id_wasm',
    '_ts_tree_cursor_current_field_id_wasm',
    '_ts_tree_cursor_start_index_wasm',
    '_ts_tree_cursor_end_index_wasm',
    '_ts_tree_cursor_current_node_is_named_wasm',
    '_ts_tree_cursor_current_node_is_missing_wasm',
    'getValue',
  ];
  if (!names.every((n) => typeof module[n] === 'function')) return undefined;
  const fn = (n: string): Exported => module[n] as Exported;
  const getValue = module.getValue as (address: number, type: string) => number;
  return {
    // `ts_init` only stores the language versions at the buffer's start and returns its address.
    transferBuffer: fn('_ts_init')(0),
    gotoFirstChild: fn('_ts_tree_cursor_goto_first_child_wasm'),
    gotoNextSibling: fn('_ts_tree_cursor_goto_next_sibling_wasm'),
    gotoParent: fn('_ts_tree_cursor_goto_parent_wasm'),
    typeId: fn('_ts_tree_cursor_current_node_type_id_wasm'),
    fieldId: fn('_ts_tree_cursor_current_field_id_wasm'),
    startIndex: fn('_ts_tree_cursor_start_index_wasm'),
    endIndex: fn('_ts_tree_cursor_end_index_wasm'),
    isNamed: fn('_ts_tree_cursor_current_node_is_named_wasm'),
    isMissing: fn('_ts_tree_cursor_current_node_is_missing_wasm'),
    readI32: (address) => getValue(address, 'i32'),
  };
}

/** Loads tree-sitter's Python grammar once per process. */
export function loadPython(): Promise<Language> {
  ready ??= (async () => {
    const moduleOptions: Record<string, unknown> = {};
    await Parser.init(moduleOptions);
    raw = captureRawCursor(moduleOptions);
    return Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  })();
  return ready;
}

/**
 * Parses Python source. A fresh Parser per call keeps concurrent callers independent;
 * creating one is cheap next to parsing. The caller must `tree.delete()` when done.
 */
export async function parsePython(code: string): Promise<Tree> {
  const language = await loadPython();
  const parser = new Parser();
  try {
    parser.setLanguage(language);
    const tree = parser.parse(code);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  } finally {
    parser.delete();
  }
}

/**
 * The problem an ERROR or MISSING node stands for (undefined for any other node), at its
 * 0-based row and column. Shared by tree-sitter's trees and the analyzer's copies of them.
 */
export function syntaxProblemOf(node: { type: string; isMissing: boolean; text: string }, row: number, column: number): SyntaxProblem | undefined {
  if (node.isMissing) return { line: row + 1, column: column + 1, message: `missing ${node.type}` };
  if (node.type !== 'ERROR') return undefined;
  const text = node.text.split('\n')[0]!.slice(0, 40);
  return { line: row + 1, column: column + 1, message: `syntax error near ${JSON.stringify(text)}` };
}

/** ERROR and MISSING nodes of a tree, in source order, as 1-based positions. */
export function syntaxProblems(tree: Tree, limit = 20): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  if (!tree.rootNode.hasError) return problems;
  const visit = (node: Node): void => {
    if (problems.length >= limit) return;
    const problem = syntaxProblemOf(node, node.startPosition.row, node.startPosition.column);
    if (problem) return void problems.push(problem);
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  return problems;
}

/** Syntax problems of a piece of Python code; empty when it parses cleanly. */
export async function checkPythonSyntax(code: string): Promise<SyntaxProblem[]> {
  const tree = await parsePython(code);
  try {
    return syntaxProblems(tree);
  } finally {
    tree.delete();
  }
}
