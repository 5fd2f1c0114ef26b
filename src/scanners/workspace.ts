// A temporary folder holding a batch of files under neutral names, always removed afterwards.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SourceFile } from './types.js';

export interface StagedFile {
  source: SourceFile;
  /** Path relative to the workspace root, with forward slashes (e.g. `src/f0003.py`). */
  relPath: string;
  absPath: string;
}

export interface Workspace {
  root: string;
  /** Folder the files were written to (root itself, or a subfolder). */
  sourceRoot: string;
  files: StagedFile[];
  /** The staged file for a path a tool printed (absolute, or relative to sourceRoot or root). */
  lookup(toolPath: string): StagedFile | undefined;
}

/**
 * Writes `files` to a fresh temp folder (as `f0001.py`, `f0002.py`, … so a tool's path-based
 * rules never depend on the caller's names), runs `work`, then removes the folder.
 */
export async function withWorkspace<T>(
  prefix: string,
  files: SourceFile[],
  work: (workspace: Workspace) => Promise<T>,
  options: { subfolder?: string } = {},
): Promise<T> {
  const root = await mkdtemp(path.join(os.tmpdir(), `secagent-${prefix}-`));
  try {
    const sourceRoot = options.subfolder ? path.join(root, options.subfolder) : root;
    await mkdir(sourceRoot, { recursive: true });
    const width = Math.max(4, String(files.length).length);
    const staged: StagedFile[] = [];
    for (const [index, source] of files.entries()) {
      const name = `f${String(index + 1).padStart(width, '0')}.py`;
      const absPath = path.join(sourceRoot, name);
      await writeFile(absPath, source.content, 'utf8');
      staged.push({ source, absPath, relPath: path.relative(root, absPath).split(path.sep).join('/') });
    }
    const byAbs = new Map(staged.map((file) => [file.absPath, file]));
    const lookup = (toolPath: string): StagedFile | undefined => {
      const cleaned = toolPath.startsWith('file://') ? decodeURIComponent(new URL(toolPath).pathname) : toolPath;
      if (path.isAbsolute(cleaned)) return byAbs.get(path.normalize(cleaned));
      return byAbs.get(path.resolve(sourceRoot, cleaned)) ?? byAbs.get(path.resolve(root, cleaned));
    };
    return await work({ root, sourceRoot, files: staged, lookup });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Splits a list into chunks of at most `size` items. */
export function chunk<T>(items: T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
