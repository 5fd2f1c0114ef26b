// Folder checks and listings for the readers of the published artifacts.
import { readdirSync, statSync } from 'node:fs';
import { UserError } from '../core/types.js';

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The names in a folder, sorted; a missing folder is a UserError. */
export function listDir(dir: string): string[] {
  if (!isDirectory(dir)) throw new UserError(`${dir}: no such folder`);
  return readdirSync(dir).sort();
}
