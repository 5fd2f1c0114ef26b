// CodeQL adapter: one database per batch, the Python security suite, SARIF read back.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { missingToolReason, requireExecutable } from './external-tool.js';
import type { ScannerInfo } from './metadata.js';
import { findExecutable, ScannerError, spawnRunner, tailOf, type ProcessRunner } from './process.js';
import { readSarif } from './sarif-input.js';
import type { ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';
import { withWorkspace } from './workspace.js';

export const CODEQL_DEFAULT_SUITE = 'codeql/python-queries:codeql-suites/python-security-extended.qls';
export const CODEQL_INSTALL_HINT =
  'codeql is not installed: download the CodeQL CLI bundle (https://github.com/github/codeql-action/releases) and put codeql on PATH, or pass --codeql <path>';

export interface CodeqlOptions {
  /** Executable name or path (`--codeql <path>`); default `codeql` on PATH. */
  executable?: string;
  /** Query suite or pack reference for `database analyze`. */
  suite?: string;
  /** `--threads` for both steps; 0 means one per core (CodeQL's meaning). */
  threads?: number;
  /** Time limit for each of the two steps. Default 30 minutes. */
  timeoutMs?: number;
  runner?: ProcessRunner;
}

export class CodeqlScanner implements Scanner {
  readonly name = 'codeql';
  private readonly executable: string;
  private readonly suite: string;
  private readonly threads: number;
  private readonly timeoutMs: number;
  private readonly runner: ProcessRunner;

  constructor(options: CodeqlOptions = {}) {
    this.executable = options.executable ?? 'codeql';
    this.suite = options.suite ?? CODEQL_DEFAULT_SUITE;
    this.threads = options.threads ?? 0;
    this.timeoutMs = options.timeoutMs ?? 30 * 60_000;
    this.runner = options.runner ?? spawnRunner;
  }

  async unavailableReason(): Promise<string | null> {
    if (await findExecutable(this.executable)) return null;
    return missingToolReason(this.executable, 'codeql', CODEQL_INSTALL_HINT);
  }

  async describe(): Promise<ScannerInfo> {
    return {
      tool: { name: 'codeql', version: await this.version(), informationUri: 'https://codeql.github.com/' },
      rules: [],
    };
  }

  async version(): Promise<string | undefined> {
    const executable = await findExecutable(this.executable);
    if (!executable) return undefined;
    try {
      const outcome = await this.runner({ command: executable, args: ['version', '--format=terse'], timeoutMs: 60_000 });
      return outcome.exitCode === 0 ? outcome.stdout.trim().split('\n')[0] || undefined : undefined;
    } catch {
      return undefined;
    }
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    if (files.length === 0) return { findings: [], diagnostics: [], suppressed: 0 };
    const executable = await requireExecutable('codeql', this.executable, () => this.unavailableReason());

    return withWorkspace(
      'codeql',
      files,
      async (workspace) => {
        const database = path.join(workspace.root, 'db');
        const sarifPath = path.join(workspace.root, 'results.sarif');
        const threads = `--threads=${this.threads}`;
        await this.step(executable, ['database', 'create', database, '--language=python', '--source-root', workspace.sourceRoot, threads], workspace.root, options);
        await this.step(
          executable,
          ['database', 'analyze', database, this.suite, '--format=sarif-latest', '--output', sarifPath, threads],
          workspace.root,
          options,
        );
        let sarif: string;
        try {
          sarif = await readFile(sarifPath, 'utf8');
        } catch (error) {
          throw new ScannerError('codeql', `database analyze wrote no SARIF file at ${sarifPath}`, { cause: error });
        }
        return readSarif(sarif, { scanner: 'codeql', lookup: (uri) => workspace.lookup(uri)?.source });
      },
      { subfolder: 'src' },
    );
  }

  private async step(executable: string, args: string[], cwd: string, options: ScanOptions): Promise<void> {
    options.signal?.throwIfAborted();
    const outcome = await this.runner({ command: executable, args, cwd, signal: options.signal, timeoutMs: this.timeoutMs });
    if (outcome.exitCode !== 0) {
      throw new ScannerError(
        'codeql',
        `${args.slice(0, 2).join(' ')} exited with code ${outcome.exitCode}: ${tailOf(outcome.stderr || outcome.stdout)}`,
      );
    }
  }
}
