// Writing a report (or any text output) to a path the user named.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../core/types.js';

/** Writes `text` to `path`, creating its folder; a failure is a UserError naming the path and the error code. */
export function writeTextFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}
