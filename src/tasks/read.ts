// Reading user-supplied text files (prompts, code, label files) with checks that turn
// every I/O or encoding problem into a one-line UserError naming the file.
import { readFileSync } from 'node:fs';
import { UserError } from '../core/types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as strict UTF-8 (a leading BOM is dropped); `where` names the source in errors. */
export function decodeUtf8Text(bytes: Uint8Array, where: string): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new UserError(`${where}: binary file (NUL byte at offset ${nul}), expected UTF-8 text`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new UserError(`${where}: not valid UTF-8 text`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads a UTF-8 text file; missing, unreadable, binary or non-UTF-8 files throw UserError. */
export function readSourceFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(`${path}: ${describeIoError(err)}`, { cause: err });
  }
  return decodeUtf8Text(bytes, path);
}

function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`;
  }
}
