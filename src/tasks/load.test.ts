import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { securityEvalPath } from './datasets.js';
import { loadTasks, readSecurityEval } from './load.js';
import { readSourceFile } from './read.js';

const dir = mkdtempSync(join(tmpdir(), 'tasks-'));
const write = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
};

async function expectUserError(promise: Promise<unknown>, message: RegExp) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).toMatch(message);
}

describe('readSourceFile', () => {
  it('reads UTF-8 and drops a BOM', () => {
    expect(readSourceFile(write('bom.py', '\uFEFFprint("é")\n'))).toBe('print("é")\n');
  });

  it('rejects missing, binary, non-UTF-8 files and folders, naming the file', () => {
    expect(() => readSourceFile(join(dir, 'nope.py'))).toThrow(/nope\.py: no such file/);
    expect(() => readSourceFile(write('bin.py', new Uint8Array([0x61, 0x00, 0x62])))).toThrow(
      /bin\.py: binary file \(NUL byte at offset 1\)/,
    );
    expect(() => readSourceFile(write('latin1.py', new Uint8Array([0x78, 0x3d, 0xe9, 0x0a])))).toThrow(
      /latin1\.py: not valid UTF-8/,
    );
    expect(() => readSourceFile(dir)).toThrow(/is a directory/);
    expect(() => readSourceFile(join(dir, 'nope.py'))).toThrow(UserError);
  });
});

describe('JSONL sources', () => {
  const good =
    '{"ID": "CWE-089_author_1.py", "Prompt": "def q():\\n    pass", "Insecure_code": "x"}\n' +
    '\n' +
    '{"ID": "CWE-078_codeql_1.py", "Prompt": "import os"}\r\n';

  it('loads tasks in folder-form ids with their CWE', async () => {
    const tasks = await loadTasks(write('good.jsonl', good));
    expect(tasks).toEqual([
      { id: 'CWE-089/author_1.py', prompt: 'def q():\n    pass', cwe: 89 },
      { id: 'CWE-078/codeql_1.py', prompt: 'import os', cwe: 78 },
    ]);
    const records = await readSecurityEval(join(dir, 'good.jsonl'));
    expect(records[0]).toMatchObject({ datasetId: 'CWE-089_author_1.py', insecureCode: 'x', line: 1 });
    expect(records[1]).toMatchObject({ line: 3 });
    expect(records[1].insecureCode).toBeUndefined();
  });

  it('filters with --only globs on either id form', async () => {
    const path = join(dir, 'good.jsonl');
    expect((await loadTasks(path, { only: 'CWE-089/*' })).map((t) => t.id)).toEqual(['CWE-089/author_1.py']);
    expect((await loadTasks(path, { only: 'CWE-07?_*' })).map((t) => t.id)).toEqual(['CWE-078/codeql_1.py']);
    expect(await loadTasks(path, { only: ['CWE-0{78,89}/**'] })).toHaveLength(2);
    await expectUserError(loadTasks(path, { only: 'CWE-999/*' }), /good\.jsonl: no task matches "CWE-999\/\*"/);
  });

  it('names file and line for each kind of bad line', async () => {
    const cases: [string, RegExp][] = [
      ['{"ID": "a", "Prompt": "p"}\n{"ID": "b", "Prompt": \n', /bad\.jsonl:2: not valid JSON/],
      ['{"ID": "a", "Prompt": "p"}\n\n{"Prompt": "p"}\n', /bad\.jsonl:3: missing "ID"/],
      ['{"ID": "a"}\n', /bad\.jsonl:1: missing "Prompt"/],
      ['{"ID": 7, "Prompt": "p"}\n', /bad\.jsonl:1: "ID" is not a string/],
      ['[1, 2]\n', /bad\.jsonl:1: expected a JSON object/],
      ['{"ID": "a", "Prompt": "p"}\n{"ID": "a", "Prompt": "q"}\n', /bad\.jsonl:2: duplicate ID a \(first on line 1\)/],
      ['\n\n', /bad\.jsonl: no tasks/],
    ];
    for (const [content, message] of cases) {
      await expectUserError(loadTasks(write('bad.jsonl', content)), message);
    }
  });

  it('rejects missing, binary and non-UTF-8 JSONL files', async () => {
    await expectUserError(loadTasks(join(dir, 'missing.jsonl')), /missing\.jsonl: no such file/);
    await expectUserError(loadTasks(write('nul.jsonl', new Uint8Array([0x7b, 0x00]))), /nul\.jsonl: binary file/);
    await expectUserError(loadTasks(write('bad8.jsonl', new Uint8Array([0x7b, 0xff, 0x7d]))), /bad8\.jsonl: not valid UTF-8/);
  });
});

describe('URL sources', () => {
  let server: Server;
  let base = '';
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/dataset.jsonl') {
        res.writeHead(200, { 'content-type': 'application/jsonl' });
        res.end('{"ID": "CWE-020_author_1.py", "Prompt": "import yaml"}\n');
      } else if (req.url === '/broken.jsonl') {
        res.writeHead(200);
        res.end('{"ID": "CWE-020_author_1.py"}\n');
      } else {
        res.writeHead(404, 'Not Found');
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches and parses a JSONL URL', async () => {
    const before = requests;
    expect(await loadTasks(`${base}/dataset.jsonl`)).toEqual([
      { id: 'CWE-020/author_1.py', prompt: 'import yaml', cwe: 20 },
    ]);
    expect(requests).toBe(before + 1);
  });

  it('reports HTTP errors and bad content with the URL', async () => {
    await expectUserError(loadTasks(`${base}/gone.jsonl`), /\/gone\.jsonl: HTTP 404 Not Found/);
    await expectUserError(loadTasks(`${base}/broken.jsonl`), /\/broken\.jsonl:1: missing "Prompt"/);
  });

  it('reports a server that is not there', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expectUserError(loadTasks(`http://127.0.0.1:${port}/x.jsonl`), /cannot fetch \(ECONNREFUSED\)/);
  });
});

describe('prompt files and folders', () => {
  it('loads a folder recursively with relative ids and CWEs from the path', async () => {
    const root = join(dir, 'prompts');
    write('prompts/CWE-089/query.py', 'def find(name):\n');
    write('prompts/misc/hello.py', 'def hello():\n');
    write('prompts/CWE-022_read.py', 'def read(p):\n');
    write('prompts/notes.txt', 'not a prompt');
    const tasks = await loadTasks(root);
    expect(tasks).toEqual([
      { id: 'CWE-022_read.py', prompt: 'def read(p):\n', cwe: 22 },
      { id: 'CWE-089/query.py', prompt: 'def find(name):\n', cwe: 89 },
      { id: 'misc/hello.py', prompt: 'def hello():\n' },
    ]);
    expect((await loadTasks(root, { only: 'misc/**' })).map((t) => t.id)).toEqual(['misc/hello.py']);
  });

  it('loads one .py file and rejects other sources', async () => {
    expect(await loadTasks(write('CWE-079/page.py', 'def page(): ...\n'))).toEqual([
      { id: 'page.py', prompt: 'def page(): ...\n', cwe: 79 },
    ]);
    await expectUserError(loadTasks(write('empty/a.py', '  \n')), /a\.py: empty prompt file/);
    await expectUserError(loadTasks(join(dir, 'empty-folder-missing')), /no such file or folder/);
    mkdirSync(join(dir, 'nopy'));
    await expectUserError(loadTasks(join(dir, 'nopy')), /nopy: no \.py files/);
    await expectUserError(loadTasks(write('x.txt', 'hi')), /x\.txt: unsupported task source/);
    await expectUserError(loadTasks(write('bin/b.py', new Uint8Array([0, 1, 2]))), /b\.py: binary file/);
  });
});

describe('the real SecurityEval dataset', () => {
  it('has 121 tasks over 69 CWEs', async () => {
    const path = securityEvalPath();
    const tasks = await loadTasks(path);
    expect(tasks).toHaveLength(121);
    expect(new Set(tasks.map((t) => t.cwe)).size).toBe(69);
    expect(tasks[0]).toMatchObject({ id: 'CWE-020/author_1.py', cwe: 20 });
    expect(tasks.every((t) => /^CWE-\d{3,4}\/[\w.-]+\.py$/.test(t.id))).toBe(true);
    const records = await readSecurityEval(path);
    expect(records.filter((r) => r.insecureCode && r.insecureCode.length > 0)).toHaveLength(121);
    const firstLine = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]) as { Prompt: string };
    expect(tasks[0].prompt).toBe(firstLine.Prompt);
  });
});
