import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { defaultStorePath } from './open.js';
import { openStore } from './store.js';
import { tempDir } from '../../test/store/helpers.js';

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

describe('opening a store', () => {
  it('defaults to .secagent/secagent.db under the working folder and creates the folder', () => {
    const cwd = tempDir();
    const file = defaultStorePath(cwd);
    expect(file).toBe(path.join(cwd, '.secagent', 'secagent.db'));
    const store = openStore(file);
    store.close();
    expect(fs.statSync(file).isFile()).toBe(true);
  });

  it('uses WAL journaling, foreign keys and a busy timeout', () => {
    const store = openStore(path.join(tempDir(), 'a', 'b', 'store.db'));
    expect(store.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.raw.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.raw.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    expect(() => store.insertSample({ runId: 'no-such-run', taskId: 't', round: 0, model: 'm', code: '' })).toThrow(/FOREIGN KEY/);
    store.close();
  });

  it('rejects a folder', () => {
    const folder = tempDir();
    const error = userErrorOf(() => openStore(folder));
    expect(error.message).toBe(`${folder}: is a folder, not a database file`);
  });

  it.runIf(process.platform === 'linux')('fails at once for a folder that cannot be created (under /proc)', () => {
    // Node's recursive mkdir retries ENOENT forever there; the store must not hang.
    const error = userErrorOf(() => openStore('/proc/secagent-no-such/store.db'));
    expect(error.message).toMatch(/^\/proc\/secagent-no-such\/store\.db: cannot create its folder \/proc\/secagent-no-such: ENOENT/);
  });

  it('rejects a path whose folder is a file', () => {
    const file = path.join(tempDir(), 'plain.txt');
    fs.writeFileSync(file, 'x');
    const error = userErrorOf(() => openStore(path.join(file, 'sub', 'store.db')));
    expect(error.message).toContain(`${path.join(file, 'sub', 'store.db')}: cannot create its folder`);
    expect(error.message).toContain(`${file} is not a folder`);
  });

  it('rejects a file that is not a SQLite database, and leaves it untouched', () => {
    const file = path.join(tempDir(), 'notes.db');
    const text = 'these are my notes, not a database\n'.repeat(100);
    fs.writeFileSync(file, text);
    const error = userErrorOf(() => openStore(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('is not a SQLite database');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a file it cannot read', () => {
    const file = path.join(tempDir(), 'locked.db');
    openStore(file).close();
    fs.chmodSync(file, 0o000);
    const error = userErrorOf(() => openStore(file));
    expect(error.message).toBe(`${file}: cannot be read and written (check its permissions)`);
  });

  it('lets two stores on the same file see each other\'s writes', () => {
    const file = path.join(tempDir(), 'shared.db');
    const first = openStore(file);
    const second = openStore(file);
    try {
      first.openRun({ id: 'r', kind: 'run' });
      expect(second.getRun('r')?.kind).toBe('run');
      second.setRunStatus('r', 'interrupted');
      expect(first.getRun('r')?.status).toBe('interrupted');
      // a write transaction held by one waits for the other instead of failing or corrupting
      first.transaction(() => first.upsertTask({ runId: 'r', taskId: 't', prompt: 'p' }));
      expect(second.getTask('r', 't')?.prompt).toBe('p');
      expect(first.raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      first.close();
      second.close();
    }
  });

  it('waits for another process holding the write lock instead of failing', async () => {
    const file = path.join(tempDir(), 'contended.db');
    openStore(file).close();
    const script = path.resolve(fileURLToPath(import.meta.url), '../../../test/store/fixtures', 'hold-write-lock.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, '700'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      child.on('exit', () => reject(new Error('the child exited before taking the lock')));
    });

    const store = openStore(file);
    try {
      const started = Date.now();
      store.openRun({ id: 'waiter', kind: 'run' }); // blocks until the child commits
      expect(Date.now() - started).toBeGreaterThan(200);
      expect(store.listRuns().map((r) => r.id).sort()).toEqual(['holder', 'waiter']);
    } finally {
      store.close();
    }
    expect(await exited).toBe(0);
  });

  it('opens an in-memory store', () => {
    const store = openStore(':memory:');
    store.openRun({ id: 'x', kind: 'generate' });
    expect(store.listRuns()).toHaveLength(1);
    store.close();
  });
});
