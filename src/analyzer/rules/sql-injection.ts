import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
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
  'sqlalchemy.sql.expression.TextClause',
  'sqlalchemy.sql.elements.TextClause',
  'flask_sqlalchemy.SQLAlchemy.text',
  'pandas.read_sql',
  'pandas.read_sql_query',
  '*.objects.raw',
  // psycopg's composable for raw SQL text (Identifier and Literal are the quoted parts).
  'psycopg2.sql.SQL',
  'psycopg.sql.SQL',
  'django.db.models.expressions.RawSQL',
  'django.db.models.RawSQL',
  // asyncpg runs a query from each of these.
  'asyncpg.Connection.fetch',
  'asyncpg.Connection.fetchrow',
  'asyncpg.Connection.fetchval',
  'asyncpg.Connection.cursor',
  'asyncpg.Connection.prepare',
  'asyncpg.Connection.copy_from_query',
  'asyncpg.Pool.execute',
  'asyncpg.Pool.executemany',
  'asyncpg.Pool.fetch',
  'asyncpg.Pool.fetchrow',
  'asyncpg.Pool.fetchval',
  'asyncpg.Pool.copy_from_query',
];
/** SINKS compiled for a quick test per name: `*.a.b` matches `a.b` itself or any name ending in `.a.b`. */
const SINK_NAMES = new Set(SINKS.map((p) => (p.startsWith('*.') ? p.slice(2) : p)));
const SINK_SUFFIXES = SINKS.filter((p) => p.startsWith('*.')).map((p) => p.slice(1));

/** The same answer as `SINKS.some((p) => matchesPattern(q, p))`, without slicing each pattern per name. */
function isSink(q: string): boolean {
  if (SINK_NAMES.has(q)) return true;
  for (const suffix of SINK_SUFFIXES) if (q.endsWith(suffix)) return true;
  return false;
}

/**
 * Methods that run (or prepare) the SQL they are given, judged by the query text when the
 * receiver cannot be typed: DB-API, asyncpg (`fetch`, `fetchrow`, `fetchval`, `cursor`) and
 * pg8000's native `run`.
 */
const EXECUTE_METHODS = new Set(['execute', 'executemany', 'executescript', 'raw', 'read_sql', 'read_sql_query', 'mogrify']);
/** Names other libraries use too (`pdb.run("exec(...)")`): these need a query that reads as one. */
const QUERY_METHODS = new Set(['fetch', 'fetchrow', 'fetchval', 'run', 'cursor', 'prepare']);
const STATEMENT = /^\s*\(?\s*(select|insert|update|delete|create|drop|alter|truncate|with|merge|upsert)\s[\s\S]*\b(from|into|set|table|where|as)\b/i;
/** `QuerySet.extra()` arguments that are SQL text (`params`, `select_params` are values). */
const EXTRA_SQL = [
  [0, 'select'],
  [1, 'where'],
  [3, 'tables'],
  [4, 'order_by'],
] as const;
/**
 * SQLAlchemy `Query` methods that turned a plain string into SQL text (before 1.4, and
 * `text()` spelt out since): `session.query(User).filter("name = '%s'" % name)`.
 */
const QUERY_FRAGMENT_METHODS = new Set(['filter', 'order_by', 'group_by', 'having', 'distinct']);

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
      const kw = ['sql', 'operation', 'text', 'statement'].find((k) => call.keywords.has(k)) ?? 'query';
      const query = call.arg(0, kw);
      if (!query || model.isConstant(query)) return;
      context.reportTaint({ node: call.node, value: query, kind: 'sql', message: 'SQL query built from {source}' });
    };
    return {
      call(call) {
        if (call.qnames.some(isSink)) return checkQuery(call);
        // `*.objects.extra` or `*.extra` (the first is a case of the second).
        if (call.qnames.some((q) => q.endsWith('.extra') || q === 'extra')) {
          if (!call.qnames.some((q) => /\.objects\b|^\$\./.test(q)) && !model.importsModule('django')) return;
          for (const [i, kw] of EXTRA_SQL) {
            const part = call.arg(i, kw);
            if (!part || model.isConstant(part)) continue;
            if (context.reportTaint({ node: call.node, value: part, kind: 'sql', message: `SQL in QuerySet.extra(${kw}=...) built from {source}` })) return;
          }
          return;
        }
        // A receiver the model cannot type (a parameter called with a connection): judge by the query text.
        if (call.method && EXECUTE_METHODS.has(call.method) && looksLikeSql(model.templateText(call.arg(0, 'sql')))) return checkQuery(call);
        if (call.method && QUERY_METHODS.has(call.method) && STATEMENT.test(model.templateText(call.arg(0, 'sql')) ?? '')) return checkQuery(call);
        if (call.method && QUERY_FRAGMENT_METHODS.has(call.method) && call.positional.length === 1 && !call.keywords.size) {
          // Only a string formatted in place or just before: a column or a model attribute
          // (`User.name == name`) is an expression object, not SQL text.
          const fragment = call.positional[0]!;
          if (!model.templateText(fragment)?.includes('{}')) return;
          context.reportTaint({ node: call.node, value: fragment, kind: 'sql', message: `SQL text given to ${call.method}() built from {source}` });
        }
      },
    };
  },
});
