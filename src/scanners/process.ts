// Running external scanner executables: one injectable runner so tests can count or fake calls.
import { spawn } from 'node:child_process';
import { access, constants as fsConstants, stat } from 'node:fs/promises';
import path from 'node:path';

export interface RunRequest {
  command: string;
  args: string[];
  cwd?: string;
  signal?: AbortSignal;
  /** Kill the process after this many milliseconds. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunOutcome {
  /** null when the process was killed by a signal. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export type ProcessRunner = (request: RunRequest) => Promise<RunOutcome>;

/** A scanner tool failed to run or produced output that cannot be read. */
export class ScannerError extends Error {
  constructor(
    readonly scanner: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${scanner}: ${message}`, options);
    this.name = 'ScannerError';
  }
}

/** Spawns the command without a shell, collects stdout/stderr, honours abort and timeout. */
export const spawnRunner: ProcessRunner = (request) =>
  new Promise<RunOutcome>((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(abortError(request.signal));
      return;
    }
    const child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));

    let timedOut = false;
    const timer =
      request.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, request.timeoutMs)
        : undefined;
    const onAbort = () => child.kill('SIGKILL');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };

    child.on('error', (error) => {
      cleanup();
      reject(error);
    });
    child.on('close', (code) => {
      cleanup();
      if (request.signal?.aborted) {
        reject(abortError(request.signal));
        return;
      }
      if (timedOut) {
        reject(new Error(`${path.basename(request.command)} timed out after ${request.timeoutMs} ms`));
        return;
      }
      resolve({
        exitCode: code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * The absolute path of an executable: `nameOrPath` itself when it contains a slash,
 * else the first match on PATH. undefined when none is found or it is not executable.
 */
export async function findExecutable(nameOrPath: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = nameOrPath.includes('/') || nameOrPath.includes(path.sep)
    ? [path.resolve(nameOrPath)]
    : envPath
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, nameOrPath));
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The last few lines of a tool's stderr, for an error message. */
export function tailOf(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
