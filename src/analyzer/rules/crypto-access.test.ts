// Module-wide behaviour of the cryptography, transport and access-control rules that one
// fixture file cannot show (a setting elsewhere in the module silences a finding).
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../index.js';

async function ruleLines(code: string, rule: string): Promise<number[]> {
  const result = await analyzeSource(code, { rules: [rule] });
  return result.findings.map((f) => f.line);
}

const LOGIN = (setup: string): string => `from flask import Flask, request, session
app = Flask(__name__)
${setup}

@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["username"]
    return "ok"
`;

describe('py/cleartext-transmission: Flask session cookie', () => {
  it('reports a login session when SESSION_COOKIE_SECURE keeps its default', async () => {
    expect(await ruleLines(LOGIN(''), 'py/cleartext-transmission')).toEqual([7]);
  });

  it('stays quiet when the module sets the flag, loads its configuration or forces HTTPS', async () => {
    for (const setup of [
      "app.config['SESSION_COOKIE_SECURE'] = True",
      'app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True)',
      "app.config.from_object('settings.Production')",
      'from flask_talisman import Talisman\nTalisman(app)',
    ])
      expect(await ruleLines(LOGIN(setup), 'py/cleartext-transmission'), setup).toEqual([]);
  });

  it('needs the application to be created in the module', async () => {
    const blueprint = `from flask import Blueprint, request, session
bp = Blueprint("auth", __name__)

@bp.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["username"]
    return "ok"
`;
    expect(await ruleLines(blueprint, 'py/cleartext-transmission')).toEqual([]);
  });
});
