// Semgrep adapter: one Semgrep process per batch (split into chunks), SARIF read back.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { missingToolReason, requireExecutable } from './external-tool.js';
import type { ScannerInfo } from './metadata.js';
import { findExecutable, ScannerError, spawnRunner, tailOf, type ProcessRunner } from './process.js';
import { readSarif } from './sarif-input.js';
import type { ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';
import { chunk, withWorkspace } from './workspace.js';

export const SEMGREP_DEFAULT_CONFIG = 'p/python';
export const SEMGREP_INSTALL_HINT = 'semgrep is not installed: pip install semgrep (or pass --semgrep <path>)';

export interface SemgrepOptions {
  /** Executable name or path; default `semgrep` on PATH. */
  executable?: string;
  /** Rule sources for `--config`: registry names (`p/python`), URLs or local files/folders. */
  configs?: string[];
  /** Files per Semgrep process. Default 500. */
  chunkSize?: number;
  /** Per-process time limit. Default 10 minutes. */
  timeoutMs?: number;
  runner?: ProcessRunner;
}

export class SemgrepScanner implements Scanner {
  readonly name = 'semgrep';
  private readonly executable: string;
  private readonly configs: string[];
  private readonly chunkSize: number;
  private readonly timeoutMs: number;
  private readonly runner: ProcessRunner;

  constructor(options: SemgrepOptions = {}) {
    this.executable = options.executable ?? 'semgrep';
    this.configs = (options.configs?.length ? options.configs : [SEMGREP_DEFAULT_CONFIG]).map(resolveConfig);
    this.chunkSize = options.chunkSize ?? 500;
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.runner = options.runner ?? spawnRunner;
    if (!(this.chunkSize >= 1)) throw new RangeError(`semgrep chunkSize must be at least 1, got ${this.chunkSize}`);
  }

  async unavailableReason(): Promise<string | null> {
    if (await findExecutable(this.executable)) return null;
    return missingToolReason(this.executable, 'semgrep', SEMGREP_INSTALL_HINT);
  }

  async describe(): Promise<ScannerInfo> {
    return { tool: { name: 'semgrep', version: await this.version(), informationUri: 'https://semgrep.dev/' }, rules: [] };
  }

  async version(): Promise<string | undefined> {
    const executable = await findExecutable(this.executable);
    if (!executable) return undefined;
    try {
      const outcome = await this.runner({ command: executable, args: ['--version'], timeoutMs: 60_000 });
      return /(\d+\.\d+\S*)/.exec(outcome.stdout)?.[1];
    } catch {
      return undefined;
    }
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
    if (files.length === 0) return result;
    const executable = await requireExecutable('semgrep', this.executable, () => this.unavailableReason());

    return withWorkspace('semgrep', files, async (workspace) => {
      for (const part of chunk(workspace.files, this.chunkSize)) {
        options.signal?.throwIfAborted();
        const args = [
          ...this.configs.flatMap((config) => ['--config', config]),
          '--sarif',
          '--quiet',
          '--metrics=off',
          '--disable-version-check',
          ...part.map((file) => file.relPath),
        ];
        const outcome = await this.runner({ command: executable, args, cwd: workspace.root, signal: options.signal, timeoutMs: this.timeoutMs });
        // 0: done; 1: findings with --error (not passed, but harmless). Anything else is a failure.
        if (outcome.exitCode !== 0 && outcome.exitCode !== 1) {
          throw new ScannerError('semgrep', `exited with code ${outcome.exitCode}: ${tailOf(outcome.stderr || outcome.stdout)}`);
        }
        const partResult = readSarif(outcome.stdout, { scanner: 'semgrep', lookup: (uri) => workspace.lookup(uri)?.source });
        result.findings.push(...partResult.findings);
        result.diagnostics.push(...partResult.diagnostics);
        result.suppressed += partResult.suppressed;
      }
      return result;
    });
  }
}

/** Registry names and URLs pass through; local rule files are made absolute (Semgrep runs in a temp folder). */
function resolveConfig(config: string): string {
  if (/^(p|r|s)\//.test(config) || config === 'auto' || /^https?:\/\//.test(config)) return config;
  return existsSync(config) ? path.resolve(config) : config;
}
