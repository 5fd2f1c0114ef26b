// Task sources: a SecurityEval-format JSONL (path or http(s) URL), a folder of .py prompt
// files, or one .py prompt file.
import { statSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import fg from 'fast-glob';
import { UserError, cweOfTaskId, type Task } from '../core/types.js';
import { matchesGlob } from './glob.js';
import { toDatasetId, toFolderId } from './ids.js';
import { decodeUtf8Text, readSourceFile } from './read.js';

/** One line of a SecurityEval-format JSONL. */
export interface SecurityEvalRecord {
  /** Folder form, `CWE-020/author_1.py`. */
  id: string;
  /** As written in the file, `CWE-020_author_1.py`. */
  datasetId: string;
  prompt: string;
  /** The dataset's known-vulnerable completion, when the line has one. */
  insecureCode?: string;
  cwe?: number;
  /** 1-based line in the source. */
  line: number;
}

export interface LoadOptions {
  /** Keep only tasks whose id (folder form, or the dataset's own form) matches one of these globs. */
  only?: string | string[];
  signal?: AbortSignal;
  /** For URLs: give up after this many milliseconds (default 60 s). */
  timeoutMs?: number;
}

const JSONL_EXTENSIONS = ['.jsonl', '.ndjson', '.json'];

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Loads tasks from a JSONL path or URL, a folder of `.py` prompts (id = path relative to the
 * folder, CWE from a `CWE-NNN` in it), or one `.py` file (id = its name).
 */
export async function loadTasks(source: string, options: LoadOptions = {}): Promise<Task[]> {
  const tasks = await loadAll(source, options);
  const globs = options.only === undefined ? [] : [options.only].flat();
  if (globs.length === 0) return tasks;
  const kept = tasks.filter((t) =>
    globs.some((g) => matchesGlob(t.id, g) || matchesGlob(toDatasetId(t.id), g)),
  );
  if (kept.length === 0) {
    throw new UserError(`${source}: no task matches ${globs.map((g) => JSON.stringify(g)).join(' or ')}`);
  }
  return kept;
}

async function loadAll(source: string, options: LoadOptions): Promise<Task[]> {
  if (isUrl(source) || isJsonlPath(source)) {
    return (await readSecurityEval(source, options)).map(recordToTask);
  }
  const kind = pathKind(source);
  if (kind === 'folder') return loadPromptFolder(source);
  if (source.toLowerCase().endsWith('.py')) return [loadPromptFile(source)];
  throw new UserError(
    `${source}: unsupported task source (expected a .jsonl file, a .py file, a folder of .py files or an http(s) URL)`,
  );
}

function recordToTask(record: SecurityEvalRecord): Task {
  return { id: record.id, prompt: record.prompt, ...(record.cwe !== undefined ? { cwe: record.cwe } : {}) };
}

/** Reads every record of a SecurityEval-format JSONL from a path or an http(s) URL. */
export async function readSecurityEval(source: string, options: LoadOptions = {}): Promise<SecurityEvalRecord[]> {
  const text = isUrl(source) ? await fetchText(source, options) : readSourceFile(source);
  return parseSecurityEvalJsonl(text, source);
}

/**
 * Parses SecurityEval JSONL: one object a line with string `ID` and `Prompt` (and optionally
 * `Insecure_code`); blank lines are skipped. Problems throw UserError `<where>:<line>: ...`.
 */
export function parseSecurityEvalJsonl(text: string, where: string): SecurityEvalRecord[] {
  const records: SecurityEvalRecord[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const at = `${where}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new UserError(`${at}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UserError(`${at}: expected a JSON object with "ID" and "Prompt"`);
    }
    const row = value as Record<string, unknown>;
    for (const key of ['ID', 'Prompt'] as const) {
      if (!(key in row)) throw new UserError(`${at}: missing "${key}"`);
      if (typeof row[key] !== 'string') throw new UserError(`${at}: "${key}" is not a string`);
    }
    const datasetId = (row.ID as string).trim();
    if (datasetId === '') throw new UserError(`${at}: "ID" is empty`);
    const earlier = seen.get(datasetId);
    if (earlier !== undefined) throw new UserError(`${at}: duplicate ID ${datasetId} (first on line ${earlier})`);
    seen.set(datasetId, i + 1);
    if (row.Insecure_code !== undefined && typeof row.Insecure_code !== 'string') {
      throw new UserError(`${at}: "Insecure_code" is not a string`);
    }
    const cwe = cweOfTaskId(datasetId);
    records.push({
      id: toFolderId(datasetId),
      datasetId,
      prompt: row.Prompt as string,
      ...(typeof row.Insecure_code === 'string' ? { insecureCode: row.Insecure_code } : {}),
      ...(cwe !== undefined ? { cwe } : {}),
      line: i + 1,
    });
  }
  if (records.length === 0) throw new UserError(`${where}: no tasks (empty file)`);
  return records;
}

async function fetchText(url: string, { signal, timeoutMs = 60_000 }: LoadOptions): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (err) {
    if (signal?.aborted) throw err;
    const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
    throw new UserError(`${url}: cannot fetch (${reason})`, { cause: err });
  }
  if (!response.ok) {
    throw new UserError(`${url}: HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}`);
  }
  return decodeUtf8Text(new Uint8Array(await response.arrayBuffer()), url);
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function isJsonlPath(source: string): boolean {
  const lower = source.toLowerCase();
  return JSONL_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function pathKind(path: string): 'file' | 'folder' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code})`}`, {
      cause: err,
    });
  }
}

function loadPromptFolder(dir: string): Task[] {
  const files = fg.sync('**/*.py', { cwd: dir, onlyFiles: true, absolute: true }).sort();
  if (files.length === 0) throw new UserError(`${dir}: no .py files in this folder`);
  return files.map((file) => {
    const id = relative(dir, file).split(sep).join('/');
    return promptTask(file, id, cweOfTaskId(id));
  });
}

function loadPromptFile(file: string): Task {
  return promptTask(file, basename(file), cweOfTaskId(file));
}

function promptTask(file: string, id: string, cwe: number | undefined): Task {
  const prompt = readSourceFile(file);
  if (prompt.trim() === '') throw new UserError(`${file}: empty prompt file`);
  return { id, prompt, ...(cwe !== undefined ? { cwe } : {}) };
}
