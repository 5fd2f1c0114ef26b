import { describe, expect, it } from 'vitest';
import { copyTree } from './ast.js';
import { ModuleModel } from './model.js';
import { parsePython } from './parser.js';

async function model(code: string): Promise<ModuleModel> {
  const tree = await parsePython(code);
  try {
    const { root, nodes } = copyTree(tree, code);
    return new ModuleModel(root, nodes);
  } finally {
    tree.delete();
  }
}

/** Qualified names of the calls on a 1-based line. */
function callsOn(m: ModuleModel, line: number): string[] {
  return m.calls.filter((c) => c.node.line === line).map((c) => c.qname ?? '?');
}

describe('ModuleModel qualified names', () => {
  it('resolves imports, aliases and attribute chains', async () => {
    const m = await model(
      [
        'from subprocess import run as r',
        'import xml.etree.ElementTree as ET',
        'import os.path',
        'import _pickle as cPickle',
        'from flask import request',
        'r(x)',
        'ET.fromstring(s)',
        'os.popen(c)',
        'os.path.join(a, b)',
        'cPickle.loads(d)',
        'request.args.get("q")',
      ].join('\n'),
    );
    expect(callsOn(m, 6)).toEqual(['subprocess.run']);
    expect(callsOn(m, 7)).toEqual(['xml.etree.ElementTree.fromstring']);
    expect(callsOn(m, 8)).toEqual(['os.popen']);
    expect(callsOn(m, 9)).toEqual(['os.path.join']);
    expect(callsOn(m, 10)).toEqual(['pickle.loads']);
    expect(callsOn(m, 11)).toEqual(['flask.request.args.get']);
  });

  it('types common receivers through assignments and local functions', async () => {
    const m = await model(
      [
        'import sqlite3, requests, hashlib',
        'import mysql.connector',
        'from pymongo import MongoClient',
        'def get_connection():',
        '    return mysql.connector.connect(host="h")',
        'conn = sqlite3.connect("db")',
        'cur = conn.cursor()',
        'cur.execute(q)',
        'get_connection().cursor().execute(q)',
        's = requests.Session()',
        's.get(u)',
        'hashlib.md5(b).hexdigest()',
        'MongoClient()["shop"]["users"].find(f)',
        'MongoClient().shop.users.find_one(f)',
      ].join('\n'),
    );
    expect(callsOn(m, 8)).toEqual(['sqlite3.Cursor.execute']);
    expect(callsOn(m, 9)).toContain('mysql.connector.Cursor.execute');
    expect(callsOn(m, 11)).toEqual(['requests.Session.get']);
    expect(callsOn(m, 12)).toContain('hashlib.Hash.hexdigest');
    expect(callsOn(m, 13)).toContain('pymongo.collection.Collection.find');
    expect(callsOn(m, 14)).toContain('pymongo.collection.Collection.find_one');
  });

  it('resolves self attributes set in methods', async () => {
    const m = await model(
      ['import sqlite3', 'class Repo:', '    def __init__(self):', '        self.db = sqlite3.connect("x")', '    def get(self, q):', '        return self.db.execute(q)'].join('\n'),
    );
    expect(callsOn(m, 6)).toEqual(['sqlite3.Connection.execute']);
  });

  it('keeps every binding that may reach a use (a shadowing def and an import)', async () => {
    const m = await model(['from flask import redirect', 'def redirect():', '    return redirect(target)'].join('\n'));
    const call = m.calls.find((c) => c.node.line === 3)!;
    expect(call.qnames).toEqual(expect.arrayContaining(['flask.redirect', '$.redirect']));
  });
});

describe('ModuleModel constants', () => {
  it('computes literals, concatenation, formatting and module constants', async () => {
    const m = await model(
      [
        'BASE = "/srv"',
        'N = 2 ** 10',
        'DEBUG = True',
        'a = BASE + "/x"',
        'b = "%s-%d" % ("k", 3)',
        'c = f"{BASE}/y"',
        'd = "{}:{}".format("h", 80)',
        'e = "-".join(["a", "b"])',
        'def f(p):',
        '    return p',
        'g = r"\\d+"',
        'h = "a\\tb"',
      ].join('\n'),
    );
    const value = (name: string): unknown => {
      const id = m.byType('identifier').find((n) => n.text === name && n.field === 'left')!;
      return m.constValue(id.parent!.child('right'));
    };
    expect(value('N')).toBe(1024);
    expect(value('DEBUG')).toBe(true);
    expect(value('a')).toBe('/srv/x');
    expect(value('b')).toBe('k-3');
    expect(value('c')).toBe('/srv/y');
    expect(value('d')).toBe('h:80');
    expect(value('e')).toBe('a-b');
    expect(value('g')).toBe('\\d+');
    expect(value('h')).toBe('a\tb');
    const ret = m.functions[0]!.returns[0]!;
    expect(m.constValue(ret)).toBeUndefined();
  });

  it('gives a template text for strings built from unknown parts', async () => {
    const m = await model(['def q(uid):', '    sql = "SELECT * FROM t WHERE id = \'%s\'" % uid', '    return sql'].join('\n'));
    const ret = m.functions[0]!.returns[0]!;
    expect(m.templateText(ret)).toBe("SELECT * FROM t WHERE id = '{}'");
  });
});

describe('ModuleModel functions and routes', () => {
  it('finds Flask, FastAPI and Django entry points and their request parameters', async () => {
    const m = await model(
      [
        'from flask import Flask',
        'from fastapi import FastAPI, Request, Depends',
        'import django.http',
        'app = Flask(__name__)',
        'api = FastAPI()',
        '@app.route("/u/<int:uid>/<name>", methods=["POST"])',
        'def user(uid, name): pass',
        '@api.get("/items")',
        'def items(q: str, request: Request, db=Depends(get_db)): pass',
        'def view(request, slug):',
        '    return request.GET.get("x")',
        'def helper(x): pass',
      ].join('\n'),
    );
    const byName = new Map(m.functions.map((f) => [f.name, f]));
    expect(byName.get('user')!.route).toMatchObject({ framework: 'flask', path: '/u/<int:uid>/<name>', methods: ['POST'] });
    expect([...byName.get('user')!.route!.requestParams]).toEqual(['uid', 'name']);
    expect(byName.get('items')!.route!.framework).toBe('fastapi');
    expect([...byName.get('items')!.route!.requestParams]).toEqual(['q']);
    expect(byName.get('view')!.route!.framework).toBe('django');
    expect([...byName.get('view')!.route!.requestParams]).toEqual(['slug']);
    expect(byName.get('helper')!.route).toBeUndefined();
  });

  it('reads parameters with defaults and annotations, and call arguments by position or keyword', async () => {
    const m = await model(['def f(a, b: int = 2, *rest, c="x", **kw): pass', 'subprocess.run(cmd, shell=True)'].join('\n'));
    expect(m.functions[0]!.params.map((p) => [p.name, p.default?.text ?? null, p.annotation?.text ?? null, p.star ?? null])).toEqual([
      ['a', null, null, null],
      ['b', '2', 'int', null],
      ['rest', null, null, 'args'],
      ['c', '"x"', null, null],
      ['kw', null, null, 'kwargs'],
    ]);
    const call = m.calls[0]!;
    expect(call.arg(0)?.text).toBe('cmd');
    expect(call.arg(5, 'shell')?.text).toBe('True');
    expect(call.arg(1)).toBeUndefined();
  });
});
