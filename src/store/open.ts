import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../core/types.js';

export const DEFAULT_STORE_FILE = path.join('.secagent', 'secagent.db');
export const BUSY_TIMEOUT_MS = 10_000;

/** `.secagent/secagent.db` under `cwd`. */
export function defaultStorePath(cwd: string = process.cwd()): string {
  return path.join(cwd, DEFAULT_STORE_FILE);
}

const IN_MEMORY = ':memory:';

/**
 * Opens (creating if need be) the SQLite file at `file` with WAL journaling, foreign keys and
 * a busy timeout, after checking it is something we can use. Bad paths and files that are
 * not SQLite databases become UserErrors naming the file.
 */
export function openDatabase(file: string): Database.Database {
  if (file !== IN_MEMORY) checkPath(file);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw asUserError(file, error);
  }
  try {
    // The first statement reads the header: a file that is not a database fails here.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== IN_MEMORY) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new UserError(`${file}: cannot switch the store to WAL journaling (got ${String(mode)})`);
    }
    db.pragma('foreign_keys = ON');
    // WAL with NORMAL sync survives process crashes; only a power cut can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db.close();
    throw asUserError(file, error);
  }
}

function checkPath(file: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    // ENOTDIR: a file stands where a folder should; the folder check below names it.
    if (!['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw asUserError(file, error);
  }
  if (stat) {
    if (stat.isDirectory()) throw new UserError(`${file}: is a folder, not a database file`);
    if (!stat.isFile()) throw new UserError(`${file}: is not a regular file`);
    try {
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch {
      throw new UserError(`${file}: cannot be read and written (check its permissions)`);
    }
    return;
  }
  const folder = path.dirname(file);
  try {
    makeFolder(path.resolve(folder));
  } catch (error) {
    throw new UserError(`${file}: cannot create its folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns on some virtual
 * file systems (under /proc it retries ENOENT forever); a plain mkdir fails at once there.
 */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let dir = folder; ; dir = path.dirname(dir)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch (error) {
      if (!['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
    if (stat) {
      if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
      break;
    }
    missing.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function asUserError(file: string, error: unknown): Error {
  if (error instanceof UserError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  const problems: Record<string, string> = {
    SQLITE_NOTADB: 'is not a SQLite database',
    SQLITE_CORRUPT: 'is a corrupt SQLite database',
    SQLITE_CANTOPEN: 'cannot be opened',
    SQLITE_READONLY: 'is read-only',
    SQLITE_PERM: 'cannot be accessed (permission denied)',
    EACCES: 'cannot be accessed (permission denied)',
    EPERM: 'cannot be accessed (permission denied)',
  };
  const problem = Object.entries(problems).find(([prefix]) => code.startsWith(prefix))?.[1];
  return new UserError(`${file}: ${problem ?? 'cannot be used as a store'} (${message})`, { cause: error });
}
