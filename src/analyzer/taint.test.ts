import { describe, expect, it } from 'vitest';
import { copyTree } from './ast.js';
import { ModuleModel } from './model.js';
import { parsePython } from './parser.js';
import { bestTaint, TaintEngine } from './taint.js';

/** The best taint reaching the first argument of the last call named `sink(...)`. */
async function sinkTaint(code: string, kind = 'sql') {
  const tree = await parsePython(code);
  const { root, nodes } = copyTree(tree, code);
  tree.delete();
  const model = new ModuleModel(root, nodes);
  const engine = new TaintEngine(model);
  const sinks = model.calls.filter((c) => c.callee.text === 'sink');
  const call = sinks[sinks.length - 1]!;
  const t = bestTaint(engine.of(call.positional[0], kind));
  return t ? engine.callerTaint(t, kind) : undefined;
}

const flask = 'from flask import Flask, request\napp = Flask(__name__)\n';

describe('TaintEngine', () => {
  it('follows request data through assignments, formatting and containers, with a flow', async () => {
    const t = await sinkTaint(
      flask +
        [
          '@app.route("/a")',
          'def a():',
          '    name = request.args.get("n")',
          '    parts = []',
          '    parts.append(name.strip())',
          '    q = "SELECT * FROM t WHERE n IN (%s)" % ",".join(parts)',
          '    sink(q)',
        ].join('\n'),
    );
    expect(t?.origin).toBe('remote');
    expect(t?.label).toBe('flask.request.args');
    expect(t!.steps.map((s) => s.line)).toEqual([5, 7, 8]);
  });

  it('treats parameters as a lower-grade source and route parameters as request data', async () => {
    expect((await sinkTaint('def f(x):\n    sink("a" + x)\n'))?.origin).toBe('parameter');
    expect((await sinkTaint(flask + '@app.route("/u/<name>")\ndef u(name):\n    sink(name)\n'))?.origin).toBe('remote');
    expect(await sinkTaint('class C:\n    def m(self):\n        sink(self.x)\n')).toBeUndefined();
  });

  it('applies sanitizers only for their kind', async () => {
    const code = 'import shlex\ndef f(x):\n    sink(shlex.quote(x))\n';
    expect(await sinkTaint(code, 'command')).toBeUndefined();
    expect((await sinkTaint(code, 'sql'))?.origin).toBe('parameter');
    expect(await sinkTaint('def f(x):\n    sink(int(x))\n')).toBeUndefined();
  });

  it('honours allow-list guards, early exits and anchored regexes, but not substring checks', async () => {
    expect(await sinkTaint('def f(x):\n    if x not in ("a", "b"):\n        return\n    sink(x)\n')).toBeUndefined();
    expect(await sinkTaint('ALLOWED = ["a"]\ndef f(x):\n    if x in ALLOWED:\n        sink(x)\n')).toBeUndefined();
    expect(await sinkTaint('import re\ndef f(x):\n    if not re.fullmatch(r"[a-z]+", x):\n        raise ValueError()\n    sink(x)\n')).toBeUndefined();
    expect(await sinkTaint('def f(x):\n    if "example.com" in x:\n        sink(x)\n')).toBeDefined();
    expect(await sinkTaint('import re\ndef f(x):\n    if re.search("[a-z]+", x):\n        sink(x)\n')).toBeDefined();
  });

  it('uses path checks only for paths and host checks for redirects', async () => {
    const path = 'import os\ndef f(x):\n    p = os.path.realpath(os.path.join("/srv", x))\n    if not p.startswith("/srv/"):\n        return\n    sink(p)\n';
    expect(await sinkTaint(path, 'path')).toBeUndefined();
    expect(await sinkTaint(path, 'sql')).toBeDefined();
    const redirect = 'from urllib.parse import urlparse\nHOSTS = {"a.com"}\ndef f(u):\n    if urlparse(u).netloc not in HOSTS:\n        return\n    sink(u)\n';
    expect(await sinkTaint(redirect, 'redirect')).toBeUndefined();
  });

  it('summarises local functions and lifts parameter findings to request data from callers', async () => {
    const viaReturn = flask + 'def build(v):\n    return "x=" + v\n@app.route("/a")\ndef a():\n    sink(build(request.args["v"]))\n';
    expect((await sinkTaint(viaReturn))?.origin).toBe('remote');
    const cleaned = flask + 'def build(v):\n    return int(v)\n@app.route("/a")\ndef a():\n    sink(build(request.args["v"]))\n';
    expect(await sinkTaint(cleaned)).toBeUndefined();
    const viaCaller = flask + 'def run(c):\n    sink(c)\n@app.route("/a")\ndef a():\n    run(request.form["c"])\n';
    const t = await sinkTaint(viaCaller);
    expect(t?.origin).toBe('remote');
    expect(t!.steps.some((s) => s.message.includes('passed to run()'))).toBe(true);
  });

  it('merges branches and loops, and is flow-sensitive on reassignment', async () => {
    expect(await sinkTaint('def f(x):\n    x = "const"\n    sink(x)\n')).toBeUndefined();
    expect(await sinkTaint('def f(x, c):\n    y = "a"\n    if c:\n        y = x\n    sink(y)\n')).toBeDefined();
    expect(await sinkTaint('def f(xs):\n    acc = ""\n    for x in xs:\n        acc += x\n    sink(acc)\n')).toBeDefined();
    expect(await sinkTaint('def f():\n    for i in range(3):\n        sink(i)\n')).toBeUndefined();
  });

  it('carries rejected text into exception messages of int()', async () => {
    const t = await sinkTaint('def f():\n    s = input()\n    try:\n        int(s)\n    except ValueError as e:\n        sink(str(e))\n', 'xss');
    expect(t?.origin).toBe('local');
    // repr() escapes line breaks, so the message cannot forge log lines.
    expect(await sinkTaint('def f():\n    s = input()\n    try:\n        int(s)\n    except ValueError as e:\n        sink(str(e))\n', 'log')).toBeUndefined();
  });

  it('carries the path into the OSError message of file calls, for handlers that catch it', async () => {
    const body = (handler: string, path = 'p') =>
      `import os\ndef f():\n    p = input()\n    try:\n        os.chdir("/home/" + ${path})\n    except ${handler} as e:\n        sink(str(e))\n`;
    expect((await sinkTaint(body('FileNotFoundError'), 'xss'))?.origin).toBe('local');
    expect(await sinkTaint(body('(ValueError, OSError)'), 'xss')).toBeDefined();
    expect(await sinkTaint(body('Exception'), 'xss')).toBeDefined();
    // Not what os.chdir raises; a path escaped for HTML stays escaped in the message.
    expect(await sinkTaint(body('KeyError'), 'xss')).toBeUndefined();
    expect(await sinkTaint('import html\n' + body('OSError', 'html.escape(p)'), 'xss')).toBeUndefined();
    // repr() quotes the path: its line breaks cannot forge log lines.
    expect(await sinkTaint(body('OSError'), 'log')).toBeUndefined();
  });

  it('reads a request object the snippet uses without importing it as the imported framework\'s', async () => {
    const route = '@app.route("/r")\ndef r():\n    sink(request.args.get("q"))\n';
    const t = await sinkTaint('import flask\napp = flask.Flask(__name__)\n' + route);
    expect(t?.origin).toBe('remote');
    expect(t?.label).toBe('flask.request.args');
    // Bound somewhere (a parameter, an import from elsewhere) or no Flask/Bottle import: not that object.
    expect(await sinkTaint('def r(request):\n    sink(request.args.get("q"))\n')).toMatchObject({ origin: 'parameter' });
    expect(await sinkTaint('import json\ndef r():\n    sink(request.args.get("q"))\n')).toBeUndefined();
  });

  it('takes command-line options parsed by argparse and optparse as local input', async () => {
    const argparse = 'import argparse\np = argparse.ArgumentParser()\np.add_argument("name")\nargs = p.parse_args()\nsink(args.name)\n';
    expect((await sinkTaint(argparse, 'command'))?.label).toBe('command-line arguments');
    const optparse = 'import optparse\nopts, rest = optparse.OptionParser().parse_args()\nsink(rest[0])\n';
    expect((await sinkTaint(optparse, 'command'))?.origin).toBe('local');
  });

  it('drops the arguments of str.format() when the template has no replacement field', async () => {
    expect(await sinkTaint('def f():\n    sink("WHERE a = \'%s\'".format(input()))\n')).toBeUndefined();
    expect(await sinkTaint('def f():\n    sink("{{literal}} %s".format(input()))\n')).toBeUndefined();
    expect(await sinkTaint('def f():\n    sink("WHERE a = \'{}\'".format(input()))\n')).toBeDefined();
    expect(await sinkTaint('def f(t):\n    sink(t.format(input()))\n')).toBeDefined();
  });

  it('treats a pickle written from in-memory objects as their plain data when loaded back', async () => {
    const code = 'import pickle\ndef f():\n    sink(pickle.dumps(input()))\n';
    expect(await sinkTaint(code, 'deserialize')).toBeUndefined();
    expect(await sinkTaint(code, 'sql')).toBeDefined();
  });

  it("reads members a handler class inherits from a framework base class as that framework's", async () => {
    const code = (body: string) =>
      `import tornado.web\nclass Base(tornado.web.RequestHandler):\n    pass\nclass Page(Base):\n${body}    def get(self):\n        sink(self.get_argument("q"))\n`;
    expect((await sinkTaint(code(''), 'command'))?.origin).toBe('remote');
    // The class defines the method itself: it is not the framework's.
    expect(await sinkTaint(code('    def get_argument(self, name):\n        return "fixed"\n'), 'command')).toBeUndefined();
  });

  it('keeps the name of a file out of what is read from it, except where picking the file is the danger', async () => {
    const read = 'def f():\n    name = input()\n    with open("/srv/" + name) as fh:\n        sink(fh.read())\n';
    expect(await sinkTaint(read, 'xss')).toBeUndefined();
    expect(await sinkTaint(read, 'sql')).toBeUndefined();
    expect(await sinkTaint('from pathlib import Path\ndef f():\n    sink(Path(input()).read_text())\n', 'xss')).toBeUndefined();
    // Running, loading or parsing a file the user picked is the attack itself.
    expect(await sinkTaint(read, 'code')).toBeDefined();
    expect(await sinkTaint(read, 'deserialize')).toBeDefined();
  });

  it('knows distinctive sanitizers by name when the snippet forgot (or misspelt) their import', async () => {
    expect(await sinkTaint('def f():\n    sink(secure_filename(input()))\n', 'path')).toBeUndefined();
    expect(await sinkTaint('import secure_filename\ndef f():\n    sink(secure_filename.secure_filename(input()))\n', 'path')).toBeUndefined();
    // Not a sanitizer for other kinds, and a function of the snippet's own is judged by its body.
    expect(await sinkTaint('def f():\n    sink(secure_filename(input()))\n', 'sql')).toBeDefined();
    expect(await sinkTaint('def secure_filename(n):\n    return n\ndef f():\n    sink(secure_filename(input()))\n', 'path')).toBeDefined();
  });

  it("takes a '..' check for a path guard only together with an absolute-path check, or before fixed text", async () => {
    const dotdot = 'import os\ndef f():\n    n = input()\n    if ".." in n:\n        return\n    sink(os.path.join("/srv", n))\n';
    expect(await sinkTaint(dotdot, 'path')).toBeDefined();
    expect(await sinkTaint(dotdot.replace('if ".." in n:', 'if ".." in n or os.path.isabs(n):'), 'path')).toBeUndefined();
    const prefixed = 'import os\ndef f():\n    p = os.path.join("/srv", "f-" + input())\n    if ".." in p:\n        return\n    sink(p)\n';
    expect(await sinkTaint(prefixed, 'path')).toBeUndefined();
    // A name without a folder part is neither absolute nor able to climb ('..' alone is a folder).
    const bare = 'import os\ndef f():\n    n = input()\n    if os.path.dirname(n) != "":\n        return\n    sink(os.path.join("/srv", n))\n';
    expect(await sinkTaint(bare, 'path')).toBeUndefined();
    expect(await sinkTaint(bare.replace('os.path.dirname(n) != ""', 'os.path.splitext(n)[1] != ".txt"'), 'path')).toBeDefined();
  });

  it('takes a chain of replace() calls for an HTML escape only when it removes < and a quote', async () => {
    const half = 'def f():\n    sink(input().replace("<", "&lt;").replace(">", "&gt;"))\n';
    expect(await sinkTaint(half, 'xss')).toBeDefined();
    const full = 'def f():\n    s = input().replace("<", "&lt;")\n    sink(s.replace(\'"\', "&quot;"))\n';
    expect(await sinkTaint(full, 'xss')).toBeUndefined();
  });

  it('reads a WSGI environ as request data, and typed route parameters as carrying no text', async () => {
    const wsgi = await sinkTaint('def app(environ, start_response):\n    sink(environ["QUERY_STRING"])\n', 'sql');
    expect(wsgi?.origin).toBe('remote');
    expect(await sinkTaint(flask + '@app.route("/u/<int:uid>")\ndef u(uid):\n    sink(uid)\n', 'sql')).toBeUndefined();
    expect((await sinkTaint(flask + '@app.route("/u/<name>")\ndef u(name):\n    sink(name)\n', 'sql'))?.origin).toBe('remote');
    const api = 'from fastapi import FastAPI\napi = FastAPI()\n@api.get("/i")\ndef i(n: int, s: str):\n    sink(n)\n';
    expect(await sinkTaint(api, 'sql')).toBeUndefined();
    expect((await sinkTaint(api.replace('sink(n)', 'sink(s)'), 'sql'))?.origin).toBe('remote');
  });

  it('does not take a check of an attribute (request.method) for a check of the value', async () => {
    const code = 'def v(request):\n    if request.method == "POST":\n        sink(request.POST["q"])\n';
    expect(await sinkTaint(code, 'sql')).toBeDefined();
    expect(await sinkTaint('def v(x):\n    if x.lower() == "a":\n        sink(x)\n', 'sql')).toBeUndefined();
  });
});
