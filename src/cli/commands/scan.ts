// `secagent scan <paths...>`: scan Python files and folders with the chosen scanners and
// write a text, JSON or SARIF report. Exit 0 when nothing was found, 1 when something was,
// 2 for bad input.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import fg from 'fast-glob';
import { UserError, type Finding } from '../../core/types.js';
import { cweMatches } from '../../cwe/index.js';
import { scanAll, type CombinedScanResult } from '../../scanners/combine.js';
import { describeScanners } from '../../scanners/metadata.js';
import { createScanners, parseScannerList, type ScannerName } from '../../scanners/registry.js';
import type { SourceFile } from '../../scanners/types.js';
import { toJson } from '../../report/json.js';
import type { ReportInput } from '../../report/model.js';
import { toSarifText } from '../../report/sarif.js';
import { summaryLine, toText } from '../../report/text.js';
import { readSourceFile } from '../../tasks/read.js';
import { cweValue } from '../cwe-option.js';
import { note } from '../output.js';
import type { ScanJudge } from './scan-judge.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface ScanCliOptions {
  format: Format;
  output?: string;
  scanners: string;
  cwe?: number;
  bandit?: string;
  codeql?: string;
  semgrepConfig?: string[];
  judgeModel?: string;
  exclude?: string[];
  exitZero?: boolean;
  color?: boolean;
}

/** Folders never worth scanning: dependencies, caches, version control. */
const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**', '**/__pycache__/**', '**/.venv/**', '**/venv/**', '**/.tox/**'];

export interface CollectedFiles {
  files: SourceFile[];
  /** Files found inside folders that could not be read as UTF-8 text: skipped, with why. */
  skipped: { path: string; reason: string }[];
}

/**
 * The Python files named by the arguments: files as given (any extension), folders walked
 * for `*.py`. A named file that is missing or not UTF-8 is an error; a bad file found while
 * walking a folder is skipped and reported, so one odd file does not stop a large scan.
 */
export async function collectPythonFiles(paths: string[], exclude: string[] = []): Promise<CollectedFiles> {
  const files: SourceFile[] = [];
  const skipped: CollectedFiles['skipped'] = [];
  const seen = new Set<string>();
  const add = (path: string, content: string) => {
    if (seen.has(resolve(path))) return;
    seen.add(resolve(path));
    files.push({ path, content });
  };
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new UserError(`${path}: no such file or folder`);
    }
    if (!isDir) {
      add(path, readSourceFile(path));
      continue;
    }
    const found = await fg('**/*.py', { cwd: path, ignore: [...IGNORED_DIRS, ...exclude.flatMap(excludePatterns)], onlyFiles: true, followSymbolicLinks: false, dot: false });
    found.sort();
    for (const relative of found) {
      const file = `${path.replace(/\/+$/, '')}/${relative}`;
      try {
        add(file, readSourceFile(file));
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        skipped.push({ path: file, reason: err.message });
      }
    }
  }
  return { files, skipped };
}

/** `test` or `test/` excludes that folder (and a file of that name); other globs are used as given. */
function excludePatterns(pattern: string): string[] {
  const trimmed = pattern.replace(/\/+$/, '');
  return /[*?[{]/.test(trimmed) ? [trimmed] : [trimmed, `${trimmed}/**`];
}

/** Whether `--scanners` asks for the built-in analyzer (an invalid list is reported later). */
function runsBuiltin(list: string): boolean {
  try {
    const names = parseScannerList(list);
    return names === 'auto' || names.includes('builtin');
  } catch {
    return false;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Starts the built-in analyzer's workers ahead of the scan; any problem is left for the scan itself to report. */
function prestartAnalyzerWorkers(): void {
  import('../../analyzer/pool.js').then(
    (pool) => pool.prestartWorkers(),
    () => undefined,
  );
}

/** Keeps the findings whose CWE matches `cwe` along the hierarchy. */
export function filterByCwe(result: CombinedScanResult, cwe: number): CombinedScanResult {
  const keep = (f: Finding) => f.cwes.some((c) => cweMatches(c, cwe));
  return {
    ...result,
    findings: result.findings.filter(keep),
    runs: result.runs.map((run) => ({ ...run, result: { ...run.result, findings: run.result.findings.filter(keep) } })),
  };
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('scan Python files or folders for CWE weaknesses')
    .argument('<paths...>', 'Python files and folders (folders are searched for *.py)')
    .addOption(new Option('--format <format>', 'report format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--scanners <list>', 'auto (every available one), or a list of builtin,bandit,codeql,semgrep,llm (llm needs --judge-model)', 'auto')
    .option('--cwe <id>', 'report only findings matching this CWE (same, parent or child)', cweValue)
    .option('--exclude <glob...>', 'inside folders, skip paths matching these globs (relative to the folder, e.g. test or "**/tests/**")')
    .option('--bandit <path>', 'the bandit executable to use')
    .option('--codeql <path>', 'the codeql executable to use')
    .option('--semgrep-config <config...>', 'semgrep rule configs (default p/python)')
    .option('--judge-model <spec>', 'with --scanners llm: the model asked the study\'s detection question about --cwe, or about the CWE in each file\'s name')
    .option('--exit-zero', 'exit 0 even when findings are reported')
    .option('--color', 'color the text report')
    .addHelpText('after', '\nExit codes: 0 nothing found (or --exit-zero); 1 findings reported; 2 bad input or configuration.\n')
    .action(async (paths: string[], options: ScanCliOptions, cmd: Command) => {
      // A folder is usually big enough for the analyzer's worker processes: start them now,
      // so they load the grammar while the files are found and read.
      if (runsBuiltin(options.scanners) && paths.some(isFolder)) prestartAnalyzerWorkers();
      const { files, skipped } = await collectPythonFiles(paths, options.exclude);
      for (const skip of skipped) note(`skipped ${skip.reason}`);
      if (files.length === 0) throw new UserError(`no Python files found in ${paths.join(', ')}`);

      const names = parseScannerList(options.scanners);
      let judge: ScanJudge | undefined;
      if (names !== 'auto' && names.includes('llm')) {
        // Loaded only for the LLM judge: it brings the LLM SDKs and the run store.
        const { scanJudge } = await import('./scan-judge.js');
        judge = scanJudge(options.judgeModel, options.cwe, (cmd.optsWithGlobals() as { store: string }).store);
      }
      try {
        await scanAndReport(files, names, options, judge);
      } finally {
        judge?.close();
      }
    });
}

/** Runs the scanners over the files and writes the report; sets the exit code. */
async function scanAndReport(files: SourceFile[], names: ScannerName[] | 'auto', options: ScanCliOptions, judge: ScanJudge | undefined): Promise<void> {
  const { scanners, skipped: unavailable } = await createScanners(names, {
    ...(options.bandit ? { bandit: { executable: options.bandit } } : {}),
    ...(options.codeql ? { codeql: { executable: options.codeql } } : {}),
    ...(options.semgrepConfig ? { semgrep: { configs: options.semgrepConfig } } : {}),
    ...(judge ? { llm: judge.options } : {}),
  });
  note(
    `scanning ${files.length} file${files.length === 1 ? '' : 's'} with ${scanners.map((s) => s.name).join(', ')}` +
      unavailable.map((s) => `; ${s.name} skipped: ${s.reason}`).join(''),
  );

  let result = await scanAll(scanners, files);
  if (options.cwe !== undefined) result = filterByCwe(result, options.cwe);
  const input: ReportInput = { files, ...result };
  const baseDir = process.cwd();

  let report: string;
  if (options.format === 'sarif') report = toSarifText(input, { tools: await describeScanners(scanners), baseDir });
  else if (options.format === 'json') report = toJson(input, { baseDir });
  else report = toText(input, { baseDir, color: options.color === true && !options.output });

  if (options.output) {
    mkdirSync(dirname(resolve(options.output)), { recursive: true });
    writeFileSync(options.output, report.endsWith('\n') ? report : `${report}\n`);
    note(`${summaryLine(input)}; report written to ${options.output}`);
  } else {
    process.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
    if (options.format !== 'text') note(summaryLine(input));
  }
  process.exitCode = result.findings.length > 0 && !options.exitZero ? 1 : 0;
}
