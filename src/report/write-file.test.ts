import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { writeTextFile } from './write-file.js';

const dir = mkdtempSync(join(tmpdir(), 'secagent-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeTextFile', () => {
  it('creates the missing folders and writes the text', () => {
    const path = join(dir, 'a', 'b', 'out.md');
    writeTextFile(path, '# report\n');
    expect(readFileSync(path, 'utf8')).toBe('# report\n');
  });

  it('names the path and the error code when it cannot write', () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const path = join(file, 'out.md');
    let error: unknown;
    try {
      writeTextFile(path, 'text');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    // mkdir on a path through a file: EEXIST on Linux, ENOTDIR elsewhere.
    expect((error as Error).message).toMatch(/^.+: cannot write \((EEXIST|ENOTDIR)\)$/);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });
});
