import type { CallInfo } from '../model.js';
import { defineRule, matchesPattern } from '../rule.js';
import { looksLikeSql } from './helpers.js';

const SINKS = [
  '*.Cursor.execute',
  '*.Cursor.executemany',
  '*.Cursor.executescript',
  '*.Connection.execute',
  '*.Connection.executemany',
  '*.Connection.executescript',
  'sqlalchemy.Engine.execute',
  'sqlalchemy.orm.Session.execute',
  'sqlalchemy.text',
  'sqlalchemy.sql.text',
  'sqlalchemy.sql.expression.text',
  'pandas.read_sql',
  'pandas.read_sql_query',
  '*.objects.raw',
  '*.objects.extra',
];
const EXECUTE_METHODS = new Set(['execute', 'executemany', 'executescript', 'raw', 'read_sql', 'read_sql_query', 'mogrify']);

export default defineRule({
  meta: {
    id: 'py/sql-injection',
    cwes: [89],
    severity: 'high',
    confidence: 'high',
    message: 'SQL query built from untrusted data',
    fixHint:
      "Keep the SQL text constant and pass values as parameters: cursor.execute('SELECT * FROM users WHERE name = %s', (name,)) (sqlite3 uses ?); never format or concatenate values into the query.",
    doc: 'A query string that embeds request data, input or function arguments lets an attacker change the SQL it runs. Parameterised queries send the values separately, so they cannot alter the statement. Table or column names cannot be parameters: pick them from a fixed allow-list.',
    bandit: ['B608'],
  },
  check(context) {
    const { model } = context;
    const checkQuery = (call: CallInfo): void => {
      const query = call.arg(0, call.keywords.has('sql') ? 'sql' : call.keywords.has('operation') ? 'operation' : 'query');
      if (!query || model.isConstant(query)) return;
      context.reportTaint({ node: call.node, value: query, kind: 'sql', message: 'SQL query built from {source}' });
    };
    return {
      call(call) {
        if (call.qnames.some((q) => SINKS.some((p) => matchesPattern(q, p)))) return checkQuery(call);
        // A receiver the model cannot type (a parameter called with a connection): judge by the query text.
        if (call.method && EXECUTE_METHODS.has(call.method) && looksLikeSql(model.templateText(call.arg(0, 'sql')))) checkQuery(call);
      },
    };
  },
});
