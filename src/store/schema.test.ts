import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { SchemaTooNewError, StoreError } from './errors.js';
import { codeHash } from './hash.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersionOf } from './schema.js';
import { openStore } from './store.js';
import { tempDir } from '../../test/store/helpers.js';

/** Schema version 1 written out by hand, as a secagent of that version would have left it. */
const VERSION_1_SQL = `
  CREATE TABLE runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
    config TEXT NOT NULL DEFAULT '{}', error TEXT, created_at TEXT NOT NULL, finished_at TEXT);
  CREATE INDEX runs_by_created ON runs (created_at);
  CREATE TABLE tasks (run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, task_id TEXT NOT NULL,
    prompt TEXT NOT NULL, cwe INTEGER,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'secure', 'vulnerable', 'failed')),
    reason TEXT, rounds INTEGER NOT NULL DEFAULT 0,
    final_sample_id INTEGER REFERENCES samples (id) ON DELETE SET NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id));
  CREATE INDEX tasks_by_status ON tasks (run_id, status);
  CREATE TABLE samples (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL, round INTEGER NOT NULL CHECK (round >= 0), model TEXT NOT NULL, code TEXT NOT NULL,
    code_hash TEXT NOT NULL, parent_sample_id INTEGER REFERENCES samples (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL);
  CREATE INDEX samples_by_task ON samples (run_id, task_id, round);
  CREATE INDEX samples_by_parent ON samples (parent_sample_id);
  CREATE INDEX samples_by_code ON samples (code_hash);
  CREATE TABLE findings (id INTEGER PRIMARY KEY, sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    scanner TEXT NOT NULL, rule_id TEXT NOT NULL, cwes TEXT NOT NULL DEFAULT '[]',
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    confidence TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    message TEXT NOT NULL, fix_hint TEXT, file TEXT NOT NULL, line INTEGER NOT NULL, column INTEGER NOT NULL,
    end_line INTEGER NOT NULL, end_column INTEGER NOT NULL, snippet TEXT, flow TEXT);
  CREATE INDEX findings_by_sample ON findings (sample_id, scanner);
  CREATE INDEX findings_by_rule ON findings (scanner, rule_id);
  CREATE TABLE verdicts (id INTEGER PRIMARY KEY, sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    judge TEXT NOT NULL, cwe INTEGER, vulnerable INTEGER NOT NULL CHECK (vulnerable IN (0, 1)), detail TEXT,
    created_at TEXT NOT NULL);
  CREATE UNIQUE INDEX verdicts_by_key ON verdicts (sample_id, judge, ifnull(cwe, 0));
  PRAGMA user_version = 1;
`;

const OLD_CODE = 'import os\nos.system(cmd)\n';

function writeVersion1Database(file: string): void {
  const db = new Database(file);
  db.exec(VERSION_1_SQL);
  db.exec(`
    INSERT INTO runs (id, kind, status, config, created_at) VALUES ('old', 'generate', 'interrupted', '{"k":5}', '2026-01-01T00:00:00.000Z');
    INSERT INTO tasks (run_id, task_id, prompt, cwe, status, updated_at) VALUES ('old', 'CWE-078/a.py', 'def run(cmd):', 78, 'pending', '2026-01-01T00:00:00.000Z');
  `);
  db.prepare(
    `INSERT INTO samples (id, run_id, task_id, round, model, code, code_hash, created_at)
     VALUES (1, 'old', 'CWE-078/a.py', 0, 'gpt-4o', ?, ?, '2026-01-01T00:00:01.000Z')`,
  ).run(OLD_CODE, codeHash(OLD_CODE));
  db.exec(`
    INSERT INTO findings (sample_id, scanner, rule_id, cwes, severity, confidence, message, file, line, column, end_line, end_column)
      VALUES (1, 'bandit', 'B605', '[78]', 'high', 'high', 'shell injection', 'a.py', 2, 1, 2, 15);
    INSERT INTO verdicts (sample_id, judge, cwe, vulnerable, created_at) VALUES (1, 'bandit', 78, 1, '2026-01-01T00:00:02.000Z');
  `);
  db.close();
}

function shape(db: Database.Database): unknown {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return tables.map(({ name }) => ({
    name,
    columns: db.pragma(`table_info(${name})`),
    foreignKeys: db.pragma(`foreign_key_list(${name})`),
    indexes: (db.pragma(`index_list(${name})`) as { name: string }[]).map((i) => i.name).sort(),
  }));
}

describe('schema migrations', () => {
  it('are numbered 1, 2, ... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('creates a new database at the current version', () => {
    const store = openStore(path.join(tempDir(), 'new.db'));
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(schemaVersionOf(store.raw)).toBe(SCHEMA_VERSION);
    store.close();
  });

  it('migrates a version 1 database forward and keeps its data', () => {
    const file = path.join(tempDir(), 'v1.db');
    writeVersion1Database(file);

    const store = openStore(file);
    try {
      expect(schemaVersionOf(store.raw)).toBe(SCHEMA_VERSION);
      expect(store.getRun('old')).toMatchObject({ kind: 'generate', status: 'interrupted', config: { k: 5 } });
      expect(store.getTask('old', 'CWE-078/a.py')).toMatchObject({ cwe: 78, status: 'pending' });
      const sample = store.getSample(1)!;
      expect(sample).toMatchObject({ code: OLD_CODE, model: 'gpt-4o', round: 0 });
      expect(sample.llmCallId).toBeUndefined();
      expect(store.getFindings(1)).toMatchObject([{ ruleId: 'B605', cwes: [78], line: 2 }]);
      expect(store.getVerdicts(1)).toMatchObject([{ judge: 'bandit', cwe: 78, vulnerable: true }]);

      // what version 2 added works on the migrated file
      const callId = store.recordCall({ runId: 'old', requestHash: 'h', provider: 'p', model: 'm', request: {}, response: 'ok' });
      const repaired = store.insertSample({ runId: 'old', taskId: 'CWE-078/a.py', round: 1, model: 'gpt-4o', code: 'x', parentId: 1, llmCallId: callId });
      expect(store.getSample(repaired)).toMatchObject({ parentId: 1, llmCallId: callId });
      store.putCachedScan({ scanner: 'bandit', version: '1.6.2', codeHash: 'c' }, { findings: [], diagnostics: [], suppressed: 0 });
      expect(store.getCachedScan({ scanner: 'bandit', version: '1.6.2', codeHash: 'c' })).toBeDefined();
      expect(store.raw.pragma('foreign_key_check')).toEqual([]);
      // the migrated file has the same tables, columns and indexes as a freshly created one
      const fresh = openStore(':memory:');
      expect(shape(store.raw)).toEqual(shape(fresh.raw));
      fresh.close();
    } finally {
      store.close();
    }
  });

  it('refuses a database newer than the code knows, naming the file and both versions', () => {
    const file = path.join(tempDir(), 'future.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY); PRAGMA user_version = ${SCHEMA_VERSION + 5};`);
    db.close();

    let caught: unknown;
    try {
      openStore(file).close();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaTooNewError);
    expect(caught).toBeInstanceOf(UserError);
    const message = (caught as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`schema version ${SCHEMA_VERSION + 5}`);
    expect(message).toContain(`supports (${SCHEMA_VERSION})`);
    // and leaves the file alone
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    after.close();
  });

  it('rolls a failing migration back entirely', () => {
    const file = path.join(tempDir(), 'broken.db');
    const db = new Database(file);
    const broken = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        description: 'creates a table, then fails',
        up: (d: Database.Database) => d.exec('CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);'),
      },
    ];
    expect(() => migrate(db, file, broken)).toThrow(StoreError);
    expect(() => migrate(db, file, broken)).toThrow(/schema version 3 .*no such table/);
    expect(schemaVersionOf(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    db.close();
    expect(fs.existsSync(file)).toBe(true);
  });
});
