import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { copyDump, copyTree, isSkippedToken, SKIPPED_TOKENS, syntaxProblemsIn, type PyNode } from './ast.js';
import { nativeParser, nativeParserStatus } from './native-parser.js';
import { parsePython, rawCursor, syntaxProblems, useRawCursor } from './parser.js';

const SOURCES = [
  'import os\n\ndef f(a, b=1, *c, **d):\n    """doc"""\n    return os.path.join(a, f"{b!r:>4}")  # comment\n',
  'class A(B, metaclass=M):\n    @property\n    def x(self) -> int:\n        with open(p) as fh, lock:\n            return [y async for y in z if y]\n',
  'def broken(:\n    x = (1,\nprint("é ünïcode ✓", 𝔘)\r\nif x:\n  pass\n',
  'x = f(a, b\ny = [1, 2\nclass :\n  def g(self) pass\n',
  '# 𝔘𝔫𝔦 "\\u00e9" \'\'\'\n@d\nasync def h(*, k: int = 1) -> None: return (yield from g())[::2]\n',
  's = ' + Array.from({ length: 400 }, (_, i) => `'p${i}'`).join(' + ') + '\n',
  '',
];

/** Everything a copy records, flattened in document order. */
function describeCopy(nodes: PyNode[]): string[] {
  return nodes.map((n) =>
    [n.id, n.type, n.field, n.isNamed, n.isMissing, n.startIndex, n.endIndex, n.lastId, n.parent?.id ?? -1, n.children.map((c) => c.id).join(',')].join('|'),
  );
}

async function copy(code: string): Promise<PyNode[]> {
  const tree = await parsePython(code);
  try {
    return copyTree(tree, code).nodes;
  } finally {
    tree.delete();
  }
}

afterEach(() => useRawCursor(true));

describe('copyTree', () => {
  it('gives the same tree through the raw cursor binding as through the public TreeCursor', async () => {
    await parsePython('');
    expect(rawCursor()).toBeDefined();
    for (const code of SOURCES) {
      const fast = describeCopy(await copy(code));
      useRawCursor(false);
      expect(rawCursor()).toBeUndefined();
      const slow = describeCopy(await copy(code));
      useRawCursor(true);
      expect(fast).toEqual(slow);
    }
  });

  it('gives the same tree and syntax problems through the native parser as through WebAssembly', async () => {
    const native = nativeParser(isSkippedToken);
    // CI builds the native parser; a machine without a C compiler tests the WebAssembly one only.
    if (!native) return void console.warn(`native parser not tested: ${nativeParserStatus().why}`);
    for (const code of SOURCES) {
      const tree = await parsePython(code);
      try {
        const wasm = copyTree(tree, code);
        const dumped = copyDump(native.parse(code), code, native);
        expect(describeCopy(dumped.nodes)).toEqual(describeCopy(wasm.nodes));
        expect(dumped.hasError).toBe(tree.rootNode.hasError);
        const problems = syntaxProblemsIn(dumped);
        expect(syntaxProblemsIn(wasm)).toEqual(problems);
        // Columns are UTF-16 units here, bytes in tree-sitter's: compare lines and messages.
        expect(problems.map((p) => [p.line, p.message])).toEqual(syntaxProblems(tree).map((p) => [p.line, p.message]));
      } finally {
        tree.delete();
      }
    }
  });

  it('agrees with the WebAssembly parser on hundreds of mangled sources (fixed seed)', async () => {
    const native = nativeParser(isSkippedToken);
    if (!native) return void console.warn(`native parser not tested: ${nativeParserStatus().why}`);
    let seed = 20261126;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = ['(', ')', '[', ']', '{', '}', ':', '\n', '    ', '"', "'", '"""', '\\', 'def ', 'class ', 'if ', 'lambda', '=', ',', '.', 'é', '𝔘', '\r\n', '\t', '#', 'f"{', '}"', 'async ', 'await ', '*', '**', '@'];
    for (let i = 0; i < 300; i++) {
      let code = SOURCES[i % SOURCES.length]!;
      for (let edits = 1 + random(6); edits > 0; edits--) {
        const at = random(code.length + 1);
        code = random(3) === 0 ? code.slice(0, at) + code.slice(at + 1 + random(8)) : code.slice(0, at) + pieces[random(pieces.length)]! + code.slice(at);
      }
      const tree = await parsePython(code);
      try {
        const wasm = copyTree(tree, code);
        const dumped = copyDump(native.parse(code), code, native);
        expect(describeCopy(dumped.nodes), JSON.stringify(code)).toEqual(describeCopy(wasm.nodes));
        expect(syntaxProblemsIn(dumped)).toEqual(syntaxProblemsIn(wasm));
      } finally {
        tree.delete();
      }
    }
  });

  it('reuses the node objects of an arena and gives the same trees as fresh copies', async () => {
    const native = nativeParser(isSkippedToken);
    const arena: PyNode[] = [];
    let previous: PyNode[] = [];
    for (const code of [...SOURCES, ...SOURCES.slice().reverse()]) {
      const tree = await parsePython(code);
      try {
        const fresh = copyTree(tree, code);
        const pooled = copyTree(tree, code, arena);
        expect(describeCopy(pooled.nodes)).toEqual(describeCopy(fresh.nodes));
        expect(pooled.nodes.map((n) => n.namedChildren.length)).toEqual(fresh.nodes.map((n) => n.namedChildren.length));
        if (native) expect(describeCopy(copyDump(native.parse(code), code, native, arena).nodes)).toEqual(describeCopy(fresh.nodes));
        // The objects of the last tree were taken again (as far as both trees go).
        const shared = Math.min(previous.length, pooled.nodes.length);
        for (let i = 0; i < shared; i++) expect(native ? arena[i] : pooled.nodes[i]).toBe(previous[i]);
        previous = native ? arena.slice() : pooled.nodes;
      } finally {
        tree.delete();
      }
    }
    expect(arena.length).toBeGreaterThan(0);
  });

  it('numbers nodes in pre-order with each subtree a contiguous id range', async () => {
    const nodes = await copy(SOURCES[1]!);
    const preOrder = (n: PyNode): PyNode[] => [n, ...n.children.flatMap(preOrder)];
    for (const n of nodes) {
      const descendants = preOrder(n).map((d) => d.id);
      expect(descendants).toEqual(Array.from({ length: n.lastId - n.id + 1 }, (_, i) => n.id + i));
      expect(n.walk()).toEqual(preOrder(n));
    }
  });

  it('leaves punctuation out and keeps operators, keywords and fields', async () => {
    const nodes = await copy('f(a, k=[1, 2])[0].x\nif a not in {b: c}: pass\n');
    const types = nodes.map((n) => n.type);
    for (const token of SKIPPED_TOKENS) expect(types).not.toContain(token);
    expect(types).toEqual(expect.arrayContaining(['not in', 'if', 'pass']));
    const kw = nodes.find((n) => n.type === 'keyword_argument')!;
    expect([kw.child('name')?.text, kw.child('value')?.text]).toEqual(['k', '[1, 2]']);
    expect(nodes.find((n) => n.type === 'attribute')!.child('attribute')?.text).toBe('x');
  });

  it('computes rows and columns as tree-sitter reports them', async () => {
    for (const code of SOURCES) {
      const tree = await parsePython(code);
      try {
        const { nodes } = copyTree(tree, code);
        const theirs: Node[] = [];
        const visit = (n: Node): void => {
          if (!n.isNamed && SKIPPED_TOKENS.has(n.type) && !n.isMissing) return;
          theirs.push(n);
          for (const c of n.children) if (c) visit(c);
        };
        visit(tree.rootNode);
        expect(nodes.length).toBe(theirs.length);
        nodes.forEach((n, i) => {
          const t = theirs[i]!;
          expect([n.type, n.startRow, n.startColumn, n.endRow, n.endColumn]).toEqual([
            t.type,
            t.startPosition.row,
            // tree-sitter counts columns in bytes; ours are UTF-16 units, equal on ASCII lines.
            /^[\x00-\x7f]*$/.test(code.split('\n')[t.startPosition.row] ?? '') ? t.startPosition.column : n.startColumn,
            t.endPosition.row,
            /^[\x00-\x7f]*$/.test(code.split('\n')[t.endPosition.row] ?? '') ? t.endPosition.column : n.endColumn,
          ]);
        });
      } finally {
        tree.delete();
      }
    }
  });
});
