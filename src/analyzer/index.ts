// The built-in Python analyzer: parse, model, taint, rules, suppressions.
import { Parser, type Language, type Tree } from 'web-tree-sitter';
import { type Finding, UserError } from '../core/types.js';
import { cweMatches } from '../cwe/index.js';
import type { Diagnostic } from '../scanners/types.js';
import { copyDump, copyTree, isSkippedToken, syntaxProblemsIn, type CopiedTree, type NodeArena } from './ast.js';
import { runRules } from './engine.js';
import { ModuleModel } from './model.js';
import { nativeParser, type NativeParser } from './native-parser.js';
import { loadPython } from './parser.js';
import type { Rule } from './rule.js';
import { allRules } from './rules/index.js';
import { isSuppressed, readSuppressions } from './suppress.js';
import { TaintEngine } from './taint.js';

export { allRules } from './rules/index.js';
export { analyzeInWorkers, defaultWorkerCount, MAX_WORKERS, prestartWorkers, WorkerStartError, type BatchFile, type BatchOutcome, type PoolOptions } from './pool.js';
export type { Rule, RuleMeta, RuleContext, RuleVisitors } from './rule.js';

export interface AnalyzeOptions {
  /** Path shown in findings (default `<input>`). */
  file?: string;
  /** Keep only findings whose CWE is this one or its parent/child in MITRE's hierarchy. */
  cwe?: number;
  /** Run only these rule ids (`py/sql-injection`); unknown ids are a UserError. */
  rules?: string[];
}

export interface AnalysisResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Findings silenced by `# nosec` or `# secagent: ignore[...]`. */
  suppressed: number;
}

let language: Language | undefined;
let native: NativeParser | undefined;
let prepared = false;

/**
 * Loads a parser: the native one when it was built (see native-parser.ts), else the
 * WebAssembly grammar. After it resolves, `analyzeSourceSync` may be used.
 */
export async function prepareAnalyzer(): Promise<void> {
  if (prepared) return;
  native = nativeParser(isSkippedToken);
  if (!native) language ??= await loadPython();
  prepared = true;
}

// Node objects reused from one analysis to the next (see NodeArena): an analysis keeps no node
// once it returned, and analyses run one at a time (analyzeSourceSync is synchronous).
const arena: NodeArena = [];

/** The syntax tree of `code`, copied into PyNodes; undefined when tree-sitter gave none. */
function parseAndCopy(code: string): CopiedTree | undefined {
  if (native) return copyDump(native.parse(code), code, native, arena);
  const tree = parse(language!, code);
  if (!tree) return undefined;
  try {
    return copyTree(tree, code, arena);
  } finally {
    tree.delete();
  }
}

/** Findings for one piece of Python source (never executed). */
export async function analyze(code: string, options: AnalyzeOptions = {}): Promise<Finding[]> {
  return (await analyzeSource(code, options)).findings;
}

export async function analyzeSource(code: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  await prepareAnalyzer();
  return analyzeSourceSync(code, options);
}

// One parser for every synchronous analysis: parsing is synchronous, so calls cannot
// interleave, and creating a parser per file costs about 5% of parsing.
let sharedParser: Parser | undefined;

function parse(lang: Language, code: string): Tree | null {
  sharedParser ??= makeParser(lang);
  try {
    const tree = sharedParser.parse(code);
    if (tree) return tree;
  } catch (error) {
    dropParser();
    throw error;
  }
  dropParser();
  return null;
}

function makeParser(lang: Language): Parser {
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

/** After a failed parse the parser may hold state; the next call starts with a new one. */
function dropParser(): void {
  sharedParser?.delete();
  sharedParser = undefined;
}

/** Synchronous analysis; call `await prepareAnalyzer()` once before. */
export function analyzeSourceSync(code: string, options: AnalyzeOptions = {}): AnalysisResult {
  if (!prepared) throw new Error('analyzeSourceSync called before prepareAnalyzer() resolved');
  const file = options.file ?? '<input>';
  const rules = selectRules(options.rules);
  const copied = parseAndCopy(code);
  if (!copied) return { findings: [], diagnostics: [{ scanner: 'builtin', file, message: 'tree-sitter could not parse the file' }], suppressed: 0 };
  const diagnostics: Diagnostic[] = [];
  for (const p of syntaxProblemsIn(copied, 5)) diagnostics.push({ scanner: 'builtin', file, line: p.line, message: `${p.message} (line ${p.line}, column ${p.column}); analysed what parsed` });
  const model = new ModuleModel(copied.root, copied.nodes);
  const taint = new TaintEngine(model);
  const { findings, failures } = runRules(rules, model, taint, file);
  for (const f of failures) diagnostics.push({ scanner: 'builtin', file, message: `rule ${f.ruleId} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}` });

  const suppressions = readSuppressions(model.byType('comment'));
  const banditIds = new Map(rules.map((r) => [r.meta.id, r.meta.bandit ?? []]));
  let suppressed = 0;
  const kept: Finding[] = [];
  for (const f of findings) {
    if (options.cwe !== undefined && !f.cwes.some((c) => cweMatches(c, options.cwe!))) continue;
    if (isSuppressed(f, banditIds.get(f.ruleId) ?? [], suppressions)) {
      suppressed++;
      continue;
    }
    kept.push(f);
  }
  kept.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings: kept, diagnostics, suppressed };
}

/** Throws a UserError naming the first unknown rule id. */
export function checkRuleIds(ids: readonly string[] | undefined): void {
  selectRules(ids);
}

function selectRules(ids: readonly string[] | undefined): readonly Rule[] {
  if (!ids) return allRules;
  const byId = new Map(allRules.map((r) => [r.meta.id, r]));
  return ids.map((id) => {
    const rule = byId.get(id);
    if (!rule) throw new UserError(`unknown rule id ${JSON.stringify(id)}; known: ${[...byId.keys()].join(', ')}`);
    return rule;
  });
}
