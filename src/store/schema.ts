import type Database from 'better-sqlite3';
import { SchemaTooNewError, StoreError } from './errors.js';

/**
 * One step of the schema's history. Migrations are applied in order and never edited once
 * released: a change to the schema is a new migration appended to the list.
 */
export interface Migration {
  version: number;
  description: string;
  up: (db: Database.Database) => void;
}

const sql = (text: string) => (db: Database.Database) => db.exec(text);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, tasks, samples with lineage, findings, verdicts',
    up: sql(`
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
        config      TEXT NOT NULL DEFAULT '{}',
        error       TEXT,
        created_at  TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX runs_by_created ON runs (created_at);

      CREATE TABLE tasks (
        run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task_id         TEXT NOT NULL,
        prompt          TEXT NOT NULL,
        cwe             INTEGER,
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'secure', 'vulnerable', 'failed')),
        reason          TEXT,
        rounds          INTEGER NOT NULL DEFAULT 0,
        final_sample_id INTEGER REFERENCES samples (id) ON DELETE SET NULL,
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (run_id, task_id)
      );
      CREATE INDEX tasks_by_status ON tasks (run_id, status);

      CREATE TABLE samples (
        id               INTEGER PRIMARY KEY,
        run_id           TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task_id          TEXT NOT NULL,
        round            INTEGER NOT NULL CHECK (round >= 0),
        model            TEXT NOT NULL,
        code             TEXT NOT NULL,
        code_hash        TEXT NOT NULL,
        parent_sample_id INTEGER REFERENCES samples (id) ON DELETE SET NULL,
        created_at       TEXT NOT NULL
      );
      CREATE INDEX samples_by_task ON samples (run_id, task_id, round);
      CREATE INDEX samples_by_parent ON samples (parent_sample_id);
      CREATE INDEX samples_by_code ON samples (code_hash);

      CREATE TABLE findings (
        id          INTEGER PRIMARY KEY,
        sample_id   INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
        scanner     TEXT NOT NULL,
        rule_id     TEXT NOT NULL,
        cwes        TEXT NOT NULL DEFAULT '[]',
        severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
        confidence  TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
        message     TEXT NOT NULL,
        fix_hint    TEXT,
        file        TEXT NOT NULL,
        line        INTEGER NOT NULL,
        column      INTEGER NOT NULL,
        end_line    INTEGER NOT NULL,
        end_column  INTEGER NOT NULL,
        snippet     TEXT,
        flow        TEXT
      );
      CREATE INDEX findings_by_sample ON findings (sample_id, scanner);
      CREATE INDEX findings_by_rule ON findings (scanner, rule_id);

      CREATE TABLE verdicts (
        id         INTEGER PRIMARY KEY,
        sample_id  INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
        judge      TEXT NOT NULL,
        cwe        INTEGER,
        vulnerable INTEGER NOT NULL CHECK (vulnerable IN (0, 1)),
        detail     TEXT,
        created_at TEXT NOT NULL
      );
      -- One verdict per (sample, judge, cwe); a CWE-less verdict counts as cwe 0.
      CREATE UNIQUE INDEX verdicts_by_key ON verdicts (sample_id, judge, ifnull(cwe, 0));
    `),
  },
  {
    version: 2,
    description: 'scan cache, LLM call log and cache, samples linked to the call that wrote them',
    up: sql(`
      CREATE TABLE scans (
        scanner     TEXT NOT NULL,
        scanner_key TEXT NOT NULL,
        code_hash   TEXT NOT NULL,
        findings    TEXT NOT NULL,
        diagnostics TEXT NOT NULL DEFAULT '[]',
        suppressed  INTEGER NOT NULL DEFAULT 0,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (scanner, scanner_key, code_hash)
      );

      CREATE TABLE llm_calls (
        id             INTEGER PRIMARY KEY,
        run_id         TEXT REFERENCES runs (id) ON DELETE SET NULL,
        task_id        TEXT,
        round          INTEGER,
        purpose        TEXT,
        request_hash   TEXT NOT NULL,
        provider       TEXT NOT NULL,
        model          TEXT NOT NULL,
        response_model TEXT,
        request        TEXT NOT NULL,
        response       TEXT,
        input_tokens   INTEGER NOT NULL DEFAULT 0,
        output_tokens  INTEGER NOT NULL DEFAULT 0,
        latency_ms     REAL NOT NULL DEFAULT 0,
        cost_usd       REAL,
        cached_from    INTEGER REFERENCES llm_calls (id),
        error          TEXT,
        created_at     TEXT NOT NULL,
        CHECK ((error IS NULL) = (response IS NOT NULL))
      );
      CREATE INDEX llm_calls_answered ON llm_calls (request_hash)
        WHERE error IS NULL AND cached_from IS NULL;
      CREATE INDEX llm_calls_by_run ON llm_calls (run_id, task_id, round);

      ALTER TABLE samples ADD COLUMN llm_call_id INTEGER REFERENCES llm_calls (id);
    `),
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to SCHEMA_VERSION. All pending migrations run in one IMMEDIATE
 * transaction, so a second process opening the same file waits (busy_timeout) and then sees
 * the migrated schema instead of migrating it twice; a failure leaves the file as it was.
 */
export function migrate(db: Database.Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const target = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const current = schemaVersionOf(db);
  if (current > target) throw new SchemaTooNewError(path, current, target);
  if (current === target) return current;

  const run = db.transaction(() => {
    const from = schemaVersionOf(db);
    if (from > target) throw new SchemaTooNewError(path, from, target);
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      try {
        migration.up(db);
      } catch (error) {
        throw new StoreError(
          `${path}: migrating the store to schema version ${migration.version} (${migration.description}) failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  run.immediate();
  return target;
}
