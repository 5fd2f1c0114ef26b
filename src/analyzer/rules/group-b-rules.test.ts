// Behaviour of the group-B rules that a single fixture module cannot show: module-wide facts
// (an account check elsewhere in the module, which views are protected), suppressions, the
// CWE each finding carries, and the registry. The Python here is data, never executed.
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../index.js';
import { groupBRules } from './group-b-rules.js';
import { allRules } from './index.js';

/** 1-based line of the first line starting with `prefix`. */
function lineOf(code: string, prefix: string): number {
  return code.split('\n').findIndex((l) => l.trimStart().startsWith(prefix)) + 1;
}

async function lines(code: string, rule: string): Promise<number[]> {
  const { findings } = await analyzeSource(code, { rules: [rule] });
  return findings.map((f) => f.line);
}

describe('group B registry', () => {
  it('is spread into allRules, in order, without duplicates', () => {
    const ids = allRules.map((r) => r.meta.id);
    const mine = groupBRules.map((r) => r.meta.id);
    expect(mine.length).toBeGreaterThanOrEqual(25);
    for (const id of mine) expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(ids.indexOf(mine[1]!) - ids.indexOf(mine[0]!)).toBe(1);
  });

  it('covers every CWE of the group', () => {
    const cwes = new Set(groupBRules.flatMap((r) => r.meta.cwes));
    for (const c of [193, 250, 269, 252, 283, 285, 306, 367, 377, 379, 385, 400, 406, 414, 425, 434, 454, 462, 477, 595, 605, 703, 732, 835, 841, 862, 863, 941])
      expect(cwes.has(c), `CWE-${c}`).toBe(true);
  });
});

describe('py/pam-missing-account-check', () => {
  const authenticate = `
from ctypes import CDLL
libpam = CDLL("libpam.so.0")

def authenticate(handle):
    retval = libpam.pam_authenticate(handle, 0)
`;
  it('reports pam_authenticate when the module never calls pam_acct_mgmt', async () => {
    expect(await lines(authenticate + '    return retval == 0\n', 'py/pam-missing-account-check')).toEqual([lineOf(authenticate, 'retval =')]);
  });
  it('does not count an account check made in another function', async () => {
    const other = authenticate + '    return retval == 0\n\ndef check(handle):\n    return libpam.pam_acct_mgmt(handle, 0) == 0\n';
    expect(await lines(other, 'py/pam-missing-account-check')).toEqual([lineOf(authenticate, 'retval =')]);
  });
  it('stays quiet when the account is checked after authenticating', async () => {
    const checked = authenticate + '    if retval == 0:\n        retval = libpam.pam_acct_mgmt(handle, 0)\n    return retval == 0\n';
    expect(await lines(checked, 'py/pam-missing-account-check')).toEqual([]);
  });
});

describe('py/missing-authentication', () => {
  const app = `
from functools import wraps
from flask import Flask, redirect, request, session
app = Flask(__name__)

def ensure_logged_in(f):
    @wraps(f)
    def wrapper(*args, **kws):
        if session.get("username") is None:
            return redirect("/login")
        return f(*args, **kws)
    return wrapper

@app.route("/login", methods=["POST"])
def do_login():
    session["username"] = request.form["username"]
    return redirect("/")

@app.route("/settings")
@ensure_logged_in
def settings():
    return "secret settings"
`;
  it('reports a state-changing view left open in an application that protects others', async () => {
    const open = app + '\n@app.route("/delete", methods=["POST"])\ndef delete_account():\n    return "deleted"\n';
    expect(await lines(open, 'py/missing-authentication')).toEqual([lineOf(open, 'def delete_account')]);
  });
  it('accepts a view that checks the session itself', async () => {
    const inline = app + '\n@app.route("/delete", methods=["POST"])\ndef delete_account():\n    if "username" not in session:\n        return redirect("/login")\n    return "deleted"\n';
    expect(await lines(inline, 'py/missing-authentication')).toEqual([]);
  });
  it('says nothing about apps without any login', async () => {
    const plain = 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/x", methods=["POST"])\ndef x():\n    return "ok"\n';
    expect(await lines(plain, 'py/missing-authentication')).toEqual([]);
  });
});

describe('py/unverified-destination', () => {
  const server = (validator: string) => `
import socket

def validate(address):
${validator}

def serve(sock):
    while True:
        data, address = sock.recvfrom(1024)
        if validate(address):
            sock.sendto(data, address)
`;
  it('does not take a validator that approves everything as a check', async () => {
    const code = server('    return True');
    expect(await lines(code, 'py/unverified-destination')).toEqual([lineOf(code, 'sock.sendto')]);
  });
  it('accepts a validator with a real test', async () => {
    expect(await lines(server('    return address[0] in {"10.0.0.1", "10.0.0.2"}'), 'py/unverified-destination')).toEqual([]);
  });
});

describe('py/privilege-not-dropped', () => {
  // The rule skips modules in which nothing can raise privileges: each module below has a
  // single raiser, of a different shape.
  it('finds the only raiser of a module, whatever its form', async () => {
    const imported = `
from os import setresuid

def rotate_logs(path):
    setresuid(0, 0, 0)
    compress(path)
`;
    expect(await lines(imported, 'py/privilege-not-dropped')).toEqual([lineOf(imported, 'setresuid(0')]);
    const camel = `
def rotateLogs(path):
    gainRoot()
    compress(path)
`;
    expect(await lines(camel, 'py/privilege-not-dropped')).toEqual([lineOf(camel, 'gainRoot()')]);
    const wrapped = `
import os

def as_admin():
    os.seteuid(0)

def rotate_logs(path):
    as_admin()
    compress(path)
`;
    expect(await lines(wrapped, 'py/privilege-not-dropped')).toEqual([lineOf(wrapped, 'as_admin()')]);
  });
  it('stays quiet in a module that only lowers privileges', async () => {
    const lowering = `
import os

def serve(uid):
    os.setuid(uid)
    dropRoot()
    handle_requests()
`;
    expect(await lines(lowering, 'py/privilege-not-dropped')).toEqual([]);
  });
});

describe('py/external-trusted-init', () => {
  const module = (declaration: string) => `
from flask import Flask, request

app = Flask(__name__)
MODE = "safe"

@app.route("/mode")
def mode():
${declaration}
    MODE = request.args["mode"]
    return MODE

def check(request):
    ok = False
    if request.POST.get("password") == "letmein":
        ok = True
    return ok
`;
  it('reports a request value stored in a name declared global', async () => {
    const code = module('    global MODE');
    expect(await lines(code, 'py/external-trusted-init')).toEqual([lineOf(code, 'MODE = request'), lineOf(code, 'ok = True')]);
  });
  it('leaves a local of the same name alone in a module without global statements', async () => {
    const code = module('    pass');
    expect(await lines(code, 'py/external-trusted-init')).toEqual([lineOf(code, 'ok = True')]);
  });
});

describe('py/missing-authorization', () => {
  // Without flask_login or Django auth, the rule needs the module to mention its user.
  const module = (whoAmI: string) => `
from flask import Flask, g
from .models import Document

app = Flask(__name__)

@app.route("/documents/<int:doc_id>")
def show_document(doc_id):
    doc = Document.query.get_or_404(doc_id)
    return ${whoAmI}

def audit(doc):
    return str(doc)
`;
  it('sees the user mentioned deep inside an attribute chain', async () => {
    const code = module('doc.title + g.user.profile.display_name.upper()');
    expect(await lines(code, 'py/missing-authorization')).toEqual([lineOf(code, 'doc = Document')]);
  });
  it('stays quiet in a module that never mentions a user', async () => {
    expect(await lines(module('doc.title.upper()'), 'py/missing-authorization')).toEqual([]);
  });
});

describe('findings', () => {
  it('carry the rule CWEs, a fix hint and can be silenced by the Bandit id', async () => {
    const code = 'import os\nos.chmod("f", 0o777)\n';
    const { findings } = await analyzeSource(code, { rules: ['py/permissive-file-permissions'] });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.cwes[0]).toBe(732);
    expect(findings[0]!.fixHint).toMatch(/0o600/);
    const silenced = await analyzeSource('import os\nos.chmod("f", 0o777)  # nosec B103\n', { rules: ['py/permissive-file-permissions'] });
    expect(silenced.findings).toHaveLength(0);
    expect(silenced.suppressed).toBe(1);
  });

  it('are kept by a --cwe filter on a related CWE (379 is a child of 377)', async () => {
    const { findings } = await analyzeSource('import tempfile\np = tempfile.mktemp()\n', { cwe: 379 });
    expect(findings.map((f) => f.ruleId)).toEqual(['py/insecure-temp-file']);
  });

  it('no group-B rule fails on odd but valid Python', async () => {
    const odd = `
async def f(*a, **k):
    async with x as (y, z):
        pass
    while (n := next(it, None)) is not None:
        yield n
lambda: (yield)
class C:
    def m(self, /, a, *, b): ...
match cmd:
    case "go": run()
`;
    const { diagnostics } = await analyzeSource(odd, { rules: groupBRules.map((r) => r.meta.id) });
    expect(diagnostics.filter((d) => d.message.startsWith('rule '))).toEqual([]);
  });
});
