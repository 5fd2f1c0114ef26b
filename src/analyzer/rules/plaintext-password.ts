import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { looksLikeSql } from './helpers.js';
import { isPasswordName } from './secret-names.js';
import { isOneWay, readableSecretIn } from './sensitive-values.js';
import { callNames, walkValue } from './value-flow.js';

/** Methods that return stored records (DB-API cursors, SQLAlchemy, Django, pymongo). */
const FETCH_METHODS = new Set(['fetchone', 'fetchall', 'fetchmany', 'first', 'one', 'one_or_none', 'scalar', 'scalar_one', 'scalar_one_or_none', 'find_one', 'get_or_404', 'first_or_404']);
const REQUEST_VALUE = /^(flask\.request|django\.http\.HttpRequest|fastapi\.Request|bottle\.request)/;
const STORE_METHODS = new Set(['insert_one', 'insert_many', 'update_one', 'update_many', 'replace_one', 'find_one_and_update', 'put_item', 'set', 'hset', 'hmset']);

interface Stored {
  node: PyNode;
  encoded: boolean;
}

/**
 * The stored password a value comes from: a row fetched from a database, or the `password`
 * attribute / item of a record that is not request data. Notes base64 decoding on the way.
 */
function storedPassword(model: ModuleModel, value: PyNode): Stored | undefined {
  let found: Stored | undefined;
  let encoded = false;
  walkValue(model, value, (n) => {
    if (found) return false;
    if (n.type === 'call') {
      if (isOneWay(model, n)) return false;
      const info = model.call(n);
      if (!info) return true;
      const names = callNames(model, info);
      if (names.some((q) => /^(base64|binascii|codecs)\./.test(q))) encoded = true;
      if ((info.method && FETCH_METHODS.has(info.method)) || names.some((q) => /\.Cursor\.fetch/.test(q))) {
        found = { node: n, encoded };
        return false;
      }
    }
    if ((n.type === 'attribute' || n.type === 'subscript') && isPasswordName(n.type === 'attribute' ? n.child('attribute')?.text : model.constString(n.child('subscript')))) {
      const holder = n.type === 'attribute' ? n.child('object') : n.child('value');
      const holderNames = holder ? model.values(holder) : [];
      const isSelf = holder?.type === 'identifier' && holder.text === 'self';
      // A dict this code fills itself (a form being collected) is not storage.
      const localContainer = holder?.type === 'identifier' && model.reaching(holder).some((b) => b.kind === 'mutate' || (b.kind === 'assign' && (b.value.type === 'dictionary' || /^dict\(/.test(b.value.text))));
      if (!isSelf && !localContainer && !holderNames.some((q) => REQUEST_VALUE.test(q)) && holder?.type !== 'call') {
        found = { node: n, encoded };
        return false;
      }
    }
    return true;
  });
  return found;
}

/** The SQL text of an execute-like call, when its first argument looks like SQL. */
function sqlText(model: ModuleModel, c: CallInfo): string | undefined {
  if (!c.method || !/^(execute|executemany|raw|text)$/.test(c.method)) return undefined;
  const text = model.templateText(c.arg(0, 'sql') ?? c.arg(0, 'query') ?? c.arg(0, 'operation'));
  return looksLikeSql(text) ? text : undefined;
}

export default defineRule({
  meta: {
    id: 'py/plaintext-password',
    cwes: [256, 522],
    severity: 'high',
    confidence: 'high',
    message: 'Password stored or compared in plaintext',
    fixHint:
      "Store only a salted password hash and verify with the library's check function: store generate_password_hash(password) (werkzeug) or bcrypt.hashpw(password.encode(), bcrypt.gensalt()), and check with check_password_hash(stored_hash, password) / bcrypt.checkpw(password.encode(), stored_hash); never save, query or compare the password itself (base64 is not protection).",
    doc: 'Comparing a submitted password with the value from the database, or writing the submitted password into it, means the database holds passwords in readable form (base64 is an encoding, not protection). Anyone who reads the table, a backup or a log then has every user\'s password, which people reuse elsewhere. Keep only slow salted hashes.',
  },
  check(context) {
    const { model } = context;
    const report = (node: PyNode, message: string, encoded: boolean): void =>
      context.report({ node, message, cwes: encoded ? [261, 522] : [256, 522] });

    return {
      call(c) {
        // cursor.execute("SELECT ... WHERE password = %s", (user, password))
        const sql = sqlText(model, c);
        if (sql && /pass(word|wd)?|pwd/i.test(sql)) {
          const params = c.arg(1, 'params') ?? c.arg(1, 'parameters') ?? c.arg(1, 'args');
          const inQuery = readableSecretIn(model, c.arg(0, 'sql') ?? c.arg(0, 'query') ?? c.arg(0, 'operation'), ['password']);
          const hit = (params && readableSecretIn(model, params, ['password'])) || inQuery;
          if (hit) {
            const writes = /^\s*(insert|update|replace)\b/i.test(sql);
            return report(c.node, writes ? 'The submitted password is written to the database as it is' : 'The database is queried with the plaintext password', hit.encoded);
          }
        }
        // collection.insert_one({'username': u, 'password': password})
        if (c.method && STORE_METHODS.has(c.method))
          for (const a of [...c.positional, ...c.keywords.values()]) {
            if (a.type !== 'dictionary') continue;
            for (const p of a.namedChildren) {
              if (p.type !== 'pair' || !isPasswordName(model.constString(p.child('key')))) continue;
              const hit = readableSecretIn(model, p.child('value'), ['password']);
              if (hit) return report(c.node, 'The password is stored as it is', hit.encoded);
            }
          }
      },
      nodes: {
        comparison_operator(node) {
          if (!/pass|pwd|pw/i.test(node.text)) return;
          const ops = node.children.filter((c) => !c.isNamed).map((c) => c.text);
          if (ops.length !== 1 || (ops[0] !== '==' && ops[0] !== '!=')) return;
          const [a, b] = node.namedChildren.filter((c) => c.type !== 'comment');
          if (!a || !b) return;
          for (const [raw, other] of [
            [a, b],
            [b, a],
          ] as const) {
            const hit = readableSecretIn(model, raw, ['password']);
            if (!hit || model.isConstant(other)) continue;
            const stored = storedPassword(model, other);
            if (!stored || stored.node === hit.node) continue;
            return report(
              node,
              stored.encoded || hit.encoded ? 'Password compared with a base64-encoded stored password: it is stored recoverably' : 'Submitted password compared with the stored password: passwords are stored in plaintext',
              stored.encoded || hit.encoded,
            );
          }
        },
      },
    };
  },
});
