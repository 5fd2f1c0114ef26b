// Bandit adapter: one Bandit process per batch (split into chunks), JSON read back into Findings.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, Level } from '../core/types.js';
import { BANDIT_TESTS, banditTest } from './bandit-tests.js';
import { missingToolReason, requireExecutable } from './external-tool.js';
import type { ScannerInfo } from './metadata.js';
import { findExecutable, ScannerError, spawnRunner, tailOf, type ProcessRunner } from './process.js';
import { findingSpan } from './source-lines.js';
import type { Diagnostic, ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';
import { chunk, withWorkspace, type Workspace } from './workspace.js';

export interface BanditOptions {
  /** Executable name or path (`--bandit <path>`); default `bandit` on PATH. */
  executable?: string;
  /** Injectable process runner (tests count invocations with it). */
  runner?: ProcessRunner;
  /** Files per Bandit process; larger batches are split. Default 200. */
  chunkSize?: number;
  /** Per-process time limit. Default 5 minutes. */
  timeoutMs?: number;
  /** Test ids to skip (`-s B101,B404`). */
  skip?: string[];
}

export const BANDIT_INSTALL_HINT = 'bandit is not installed: apt-get install bandit (or pip install bandit)';

export class BanditScanner implements Scanner {
  readonly name = 'bandit';
  private readonly executable: string;
  private readonly runner: ProcessRunner;
  private readonly chunkSize: number;
  private readonly timeoutMs: number;
  private readonly skip: string[];

  constructor(options: BanditOptions = {}) {
    this.executable = options.executable ?? 'bandit';
    this.runner = options.runner ?? spawnRunner;
    this.chunkSize = options.chunkSize ?? 200;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.skip = options.skip ?? [];
    if (!(this.chunkSize >= 1)) throw new RangeError(`bandit chunkSize must be at least 1, got ${this.chunkSize}`);
  }

  async unavailableReason(): Promise<string | null> {
    if (await findExecutable(this.executable)) return null;
    return missingToolReason(this.executable, 'bandit', BANDIT_INSTALL_HINT);
  }

  async describe(): Promise<ScannerInfo> {
    return {
      tool: { name: 'bandit', version: await this.version(), informationUri: 'https://bandit.readthedocs.io/' },
      rules: BANDIT_TESTS.map((test) => ({
        id: test.id,
        name: test.name,
        shortDescription: `Bandit ${test.id}: ${test.name}`,
        help: test.hint,
        cwes: [test.cwe],
      })),
    };
  }

  /**
   * Known blind spots of the installed Bandit, found by scanning a probe file. Bandit 1.6.x on
   * Python 3.8+ never sees string literals (they parse as ast.Constant), so B104, B105, B106,
   * B107, B108 and B608 stay silent; the CLI should tell the user. Empty when none.
   */
  async limitations(): Promise<string[]> {
    this.limitationsProbe ??= this.probeStringTests();
    return this.limitationsProbe;
  }

  private limitationsProbe?: Promise<string[]>;

  private async probeStringTests(): Promise<string[]> {
    const probe = 'password = "hunter2"\nquery = "SELECT * FROM users WHERE name = \'" + name + "\'"\n';
    const scanner = new BanditScanner({ executable: this.executable, runner: this.runner, timeoutMs: this.timeoutMs });
    const result = await scanner.scan([{ path: 'probe.py', content: probe }]);
    const fired = new Set(result.findings.map((finding) => finding.ruleId));
    if (fired.has('B105') || fired.has('B608')) return [];
    const version = (await this.version()) ?? 'unknown';
    return [
      `bandit ${version} does not check string literals on this Python (hard-coded passwords B105-B107, SQL strings B608, ` +
        'bind-all B104 and temp paths B108 never fire); install bandit >= 1.7 (pip install bandit) for those tests',
    ];
  }

  /** The installed Bandit's version (`1.6.2`), or undefined when it cannot be read. */
  async version(): Promise<string | undefined> {
    const executable = await findExecutable(this.executable);
    if (!executable) return undefined;
    try {
      const outcome = await this.runner({ command: executable, args: ['--version'], timeoutMs: 30_000 });
      return /bandit\s+(\S+)/i.exec(outcome.stdout + outcome.stderr)?.[1];
    } catch {
      return undefined;
    }
  }

  async scan(files: SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
    const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
    if (files.length === 0) return result;
    const executable = await requireExecutable('bandit', this.executable, () => this.unavailableReason());

    return withWorkspace(
      'bandit',
      files,
      async (workspace) => {
        for (const [index, part] of chunk(workspace.files, this.chunkSize).entries()) {
          options.signal?.throwIfAborted();
          const reportPath = path.join(workspace.root, `report-${index}.json`);
          const args = ['-f', 'json', '-q', '-o', reportPath];
          if (this.skip.length > 0) args.push('-s', this.skip.join(','));
          args.push(...part.map((file) => path.relative(workspace.sourceRoot, file.absPath)));
          const outcome = await this.runner({
            command: executable,
            args,
            cwd: workspace.sourceRoot,
            signal: options.signal,
            timeoutMs: this.timeoutMs,
          });
          // Bandit exits 1 when it finds issues; that is a normal outcome.
          if (outcome.exitCode !== 0 && outcome.exitCode !== 1) {
            throw new ScannerError('bandit', `exited with code ${outcome.exitCode}: ${tailOf(outcome.stderr || outcome.stdout)}`);
          }
          let reportText: string;
          try {
            reportText = await readFile(reportPath, 'utf8');
          } catch (error) {
            throw new ScannerError('bandit', `wrote no report: ${tailOf(outcome.stderr || outcome.stdout)}`, { cause: error });
          }
          const part_ = parseBanditReport(reportText, workspace);
          result.findings.push(...part_.findings);
          result.diagnostics.push(...part_.diagnostics);
          result.suppressed += part_.suppressed;
        }
        return result;
      },
      { subfolder: 'src' },
    );
  }
}

interface BanditJson {
  errors?: Array<{ filename?: string; reason?: string }>;
  metrics?: Record<string, { nosec?: number }>;
  results?: BanditIssue[];
}

interface BanditIssue {
  filename: string;
  test_id: string;
  test_name?: string;
  issue_text?: string;
  issue_severity?: string;
  issue_confidence?: string;
  issue_cwe?: { id?: number };
  line_number: number;
  line_range?: number[];
  col_offset?: number;
  end_col_offset?: number;
}

/** Reads Bandit's JSON report (1.6 or 1.7+ layout) and maps paths back to the batch's files. */
export function parseBanditReport(text: string, workspace: Pick<Workspace, 'lookup'>): ScanResult {
  let report: BanditJson;
  try {
    report = JSON.parse(text) as BanditJson;
  } catch (error) {
    throw new ScannerError('bandit', `report is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];

  for (const issue of report.results ?? []) {
    const staged = workspace.lookup(issue.filename);
    if (!staged) {
      diagnostics.push({ scanner: 'bandit', message: `result for unknown file ${issue.filename} ignored` });
      continue;
    }
    findings.push(toFinding(issue, staged.source));
  }
  for (const error of report.errors ?? []) {
    const staged = error.filename ? workspace.lookup(error.filename) : undefined;
    diagnostics.push({
      scanner: 'bandit',
      file: staged?.source.path,
      message: error.reason ?? 'bandit could not scan this file',
    });
  }
  const suppressed = report.metrics?._totals?.nosec ?? 0;
  return { findings, diagnostics, suppressed };
}

function toFinding(issue: BanditIssue, source: SourceFile): Finding {
  const test = banditTest(issue.test_id);
  const printedCwe = issue.issue_cwe?.id;
  const cwes = printedCwe && printedCwe > 0 ? [printedCwe] : test ? [test.cwe] : [];
  const line = issue.line_number;
  const range = issue.line_range?.length ? issue.line_range : [line];
  const endLine = Math.max(line, ...range);
  const column = issue.col_offset !== undefined ? issue.col_offset + 1 : undefined;
  const endColumn = issue.end_col_offset !== undefined && issue.end_col_offset >= 0 ? issue.end_col_offset + 1 : undefined;
  return {
    scanner: 'bandit',
    ruleId: issue.test_id,
    cwes,
    severity: toLevel(issue.issue_severity),
    confidence: toLevel(issue.issue_confidence),
    message: issue.issue_text ?? `Bandit ${issue.test_id} (${issue.test_name ?? test?.name ?? 'unknown test'})`,
    fixHint: test?.hint,
    file: source.path,
    ...findingSpan(source.content, line, endLine, column, endColumn),
  };
}

function toLevel(value: string | undefined): Level {
  const lower = value?.toLowerCase();
  return lower === 'high' || lower === 'medium' ? lower : 'low';
}
