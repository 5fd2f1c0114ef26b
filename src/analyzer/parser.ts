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

/** Loads tree-sitter's Python grammar once per process. */
export function loadPython(): Promise<Language> {
  ready ??= (async () => {
    await Parser.init();
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

/** ERROR and MISSING nodes of a tree, in source order, as 1-based positions. */
export function syntaxProblems(tree: Tree, limit = 20): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  if (!tree.rootNode.hasError) return problems;
  const visit = (node: Node): void => {
    if (problems.length >= limit) return;
    if (node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        message: `missing ${node.type}`,
      });
      return;
    }
    if (node.type === 'ERROR') {
      const text = node.text.split('\n')[0]!.slice(0, 40);
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        message: `syntax error near ${JSON.stringify(text)}`,
      });
      return;
    }
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
