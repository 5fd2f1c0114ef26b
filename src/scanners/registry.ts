// Creating scanners by name (`--scanners builtin,bandit,...` or `auto`).
import { UserError } from '../core/types.js';
import { BanditScanner, type BanditOptions } from './bandit.js';
import { CodeqlScanner, type CodeqlOptions } from './codeql.js';
import { LlmJudgeScanner, type LlmJudgeOptions } from './llm-judge.js';
import { SemgrepScanner, type SemgrepOptions } from './semgrep.js';
import type { Scanner } from './types.js';

export const SCANNER_NAMES = ['builtin', 'bandit', 'codeql', 'semgrep', 'llm'] as const;
export type ScannerName = (typeof SCANNER_NAMES)[number];
/** What `auto` tries, in this order. The LLM judge costs money, so it is only used when named. */
export const AUTO_SCANNERS: readonly ScannerName[] = ['builtin', 'bandit', 'codeql', 'semgrep'];

export type BuiltinScannerClass = new (options?: unknown) => Scanner;

export interface CreateScannersOptions {
  builtin?: unknown;
  bandit?: BanditOptions;
  codeql?: CodeqlOptions;
  semgrep?: SemgrepOptions;
  /** Required when `llm` is named. */
  llm?: LlmJudgeOptions;
  /** How to load the built-in scanner class; default imports ./builtin.js. */
  loadBuiltin?: () => Promise<BuiltinScannerClass>;
}

export interface SkippedScanner {
  name: ScannerName;
  reason: string;
}

export interface CreatedScanners {
  scanners: Scanner[];
  /** With `auto`: the scanners left out and why, for the CLI to show. */
  skipped: SkippedScanner[];
}

/** `"builtin, bandit"` → ['builtin', 'bandit']; `"auto"` → 'auto'. Unknown names are a UserError. */
export function parseScannerList(text: string): ScannerName[] | 'auto' {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UserError(`--scanners is empty; use auto or a list of: ${SCANNER_NAMES.join(', ')}`);
  if (names.length === 1 && names[0] === 'auto') return 'auto';
  for (const name of names) {
    if (!(SCANNER_NAMES as readonly string[]).includes(name)) {
      throw new UserError(`unknown scanner "${name}"; known scanners: ${SCANNER_NAMES.join(', ')} (or auto)`);
    }
  }
  return [...new Set(names)] as ScannerName[];
}

export async function createScanners(
  names: readonly string[] | 'auto',
  options: CreateScannersOptions = {},
): Promise<CreatedScanners> {
  const requested = names === 'auto' ? 'auto' : parseScannerList(names.join(','));
  if (requested === 'auto') return createAvailable(options);

  const scanners = await Promise.all(
    requested.map(async (name) => {
      const scanner = await instantiate(name, options);
      const reason = await scanner.unavailableReason();
      if (reason !== null) throw new UserError(`scanner ${name} is not available: ${reason}`);
      return scanner;
    }),
  );
  return { scanners, skipped: [] };
}

async function createAvailable(options: CreateScannersOptions): Promise<CreatedScanners> {
  const attempts = await Promise.all(
    AUTO_SCANNERS.map(async (name): Promise<Scanner | SkippedScanner> => {
      let scanner: Scanner;
      try {
        scanner = await instantiate(name, options);
      } catch (error) {
        if (error instanceof UserError) return { name, reason: error.message };
        throw error;
      }
      const reason = await scanner.unavailableReason();
      return reason === null ? scanner : { name, reason };
    }),
  );
  const scanners: Scanner[] = [];
  const skipped: SkippedScanner[] = [];
  for (const attempt of attempts) {
    if ('scan' in attempt) scanners.push(attempt);
    else skipped.push(attempt);
  }
  if (scanners.length === 0) {
    throw new UserError(`no scanner is available: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  }
  return { scanners, skipped };
}

async function instantiate(name: ScannerName, options: CreateScannersOptions): Promise<Scanner> {
  switch (name) {
    case 'builtin': {
      const BuiltinScanner = await (options.loadBuiltin ?? (() => loadBuiltinScanner()))();
      return new BuiltinScanner(options.builtin);
    }
    case 'bandit':
      return new BanditScanner(options.bandit);
    case 'codeql':
      return new CodeqlScanner(options.codeql);
    case 'semgrep':
      return new SemgrepScanner(options.semgrep);
    case 'llm':
      if (!options.llm) throw new UserError('scanner llm needs a judge model; pass one (e.g. --judge-model openai:gpt-4o-mini)');
      return new LlmJudgeScanner(options.llm);
  }
}

/**
 * Imports the built-in analyzer's scanner class. The specifier is a variable so this module
 * compiles and runs while src/scanners/builtin.ts does not exist yet.
 */
export async function loadBuiltinScanner(specifier = './builtin.js'): Promise<BuiltinScannerClass> {
  let loaded: { BuiltinScanner?: unknown };
  try {
    loaded = (await import(specifier)) as { BuiltinScanner?: unknown };
  } catch (error) {
    if (isModuleMissing(error)) {
      throw new UserError(`the builtin scanner is missing (${specifier} could not be found); build it or choose other --scanners`, {
        cause: error,
      });
    }
    throw error;
  }
  if (typeof loaded.BuiltinScanner !== 'function') {
    throw new UserError(`the builtin scanner module ${specifier} does not export a BuiltinScanner class`);
  }
  return loaded.BuiltinScanner as BuiltinScannerClass;
}

function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|Does the file exist/i.test(message);
}
