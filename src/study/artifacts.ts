// Readers for the published LLMSecureCode artifacts beyond the label CSVs (see labels.ts):
// RQ2 detection answers, RQ3 verify labels, RQ4 iteration logs and code folders.
// Every missing or malformed file becomes a UserError naming the file and the problem.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, cweOfTaskId, parseCweId } from '../core/types.js';
import { readSourceFile } from '../tasks/read.js';
import { isDirectory, listDir } from './folders.js';
import { GENERATORS, REPAIRERS, readLabelCsv, rq1LabelFile, rq3VerifyFile, type Generator, type Repairer } from './labels.js';

export type { Generator, Repairer } from './labels.js';

/** A model key of the study, as used in rows and columns of the tables. */
export type ModelKey = Generator;

const MODEL_ALIASES: Readonly<Record<string, ModelKey>> = {
  'gpt3.5': 'gpt3.5',
  '3.5': 'gpt3.5',
  gpt4: 'gpt4',
  '4': 'gpt4',
  llama: 'codellama',
  codellama: 'codellama',
  codegeex: 'codegeex2',
  codegeex2: 'codegeex2',
};

/** The model key for a name as artifact file names spell it (`llama`, `codegeex`, `3.5`, `4`, ...). */
export function modelFromFileName(name: string): ModelKey | undefined {
  return Object.hasOwn(MODEL_ALIASES, name) ? MODEL_ALIASES[name] : undefined;
}

/** `CWE-020-author_1.py` (RQ4 flat form) → `CWE-020/author_1.py`; undefined when it is not that form. */
export function taskIdFromFlatName(name: string): string | undefined {
  const m = /^(CWE-\d+)-(.+\.py)$/i.exec(name);
  return m ? `${m[1].toUpperCase()}/${m[2]}` : undefined;
}

// ---------------------------------------------------------------- RQ1 and RQ3 labels

/** `RQ1/review_<m>.csv` for the four generators. */
export function readRq1Labels(root: string): Map<Generator, Map<string, number>> {
  const labels = new Map<Generator, Map<string, number>>();
  for (const generator of GENERATORS) {
    labels.set(generator, readLabelCsv(rq1LabelFile(root, generator)));
  }
  return labels;
}

export interface VerifyLabels {
  repairer: Repairer;
  generator: Generator;
  path: string;
  /** -1 not repaired (was not vulnerable), 0 fixed, 0.5 or 1 still vulnerable. */
  labels: Map<string, number>;
}

/** `RQ3/verify_<r>_for_<m>.csv` for both repairers and the four generators. */
export function readRq3Verify(root: string): VerifyLabels[] {
  const out: VerifyLabels[] = [];
  for (const repairer of REPAIRERS) {
    for (const generator of GENERATORS) {
      const path = rq3VerifyFile(root, repairer, generator);
      const labels = readLabelCsv(path);
      for (const [taskId, label] of labels) {
        if (![-1, 0, 0.5, 1].includes(label)) {
          throw new UserError(`${path}: label ${label} of ${taskId} is not one of -1, 0, 0.5, 1`);
        }
      }
      out.push({ repairer, generator, path, labels });
    }
  }
  return out;
}

// ---------------------------------------------------------------- RQ2 detection answers

/** A detector's answer; anything other than true/false (free text) is `unparsed`. */
export type DetectionAnswer = 'true' | 'false' | 'unparsed';

export interface DetectionEntry {
  answer: DetectionAnswer;
  /** The Judge text as published. */
  raw: string;
}

export interface DetectionResults {
  detector: ModelKey;
  generator: ModelKey;
  path: string;
  answers: Map<string, DetectionEntry>;
}

export function normalizeJudge(raw: string): DetectionAnswer {
  const text = raw.trim().toLowerCase();
  return text === 'true' || text === 'false' ? text : 'unparsed';
}

/** One `{"ID": taskId, "Judge": "true"|"false"}` object a line; blank lines ignored. */
export function parseDetectionJsonl(text: string, path: string): Map<string, DetectionEntry> {
  const answers = new Map<string, DetectionEntry>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UserError(`${where}: not a JSON object`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UserError(`${where}: expected a JSON object with "ID" and "Judge"`);
    }
    const { ID, Judge } = value as Record<string, unknown>;
    if (typeof ID !== 'string' || ID === '') throw new UserError(`${where}: "ID" is missing or not a string`);
    if (typeof Judge !== 'string') throw new UserError(`${where}: "Judge" is missing or not a string`);
    if (answers.has(ID)) throw new UserError(`${where}: duplicate ID ${ID}`);
    answers.set(ID, { answer: normalizeJudge(Judge), raw: Judge });
  }
  return answers;
}

/** Every `RQ2/detectResult_<detector>_for_<generator>.jsonl`, sorted by file name. */
export function readRq2Detections(root: string): DetectionResults[] {
  const dir = join(root, 'RQ2');
  const out: DetectionResults[] = [];
  for (const name of listDir(dir)) {
    const m = /^detectResult_(.+)_for_(.+)\.jsonl$/.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const detector = modelFromFileName(m[1]);
    const generator = modelFromFileName(m[2]);
    if (!detector || !generator) throw new UserError(`${path}: unknown model name in file name`);
    out.push({ detector, generator, path, answers: parseDetectionJsonl(readSourceFile(path), path) });
  }
  if (out.length === 0) throw new UserError(`${dir}: no detectResult_<detector>_for_<generator>.jsonl files`);
  return out;
}

// ---------------------------------------------------------------- RQ4 iteration logs

export const RQ4_ROUNDS = ['iter1', 'iter2', 'iter3', 'iter4', 'iter5', 'final'] as const;
export type Rq4Round = (typeof RQ4_ROUNDS)[number];

export interface ScanFinding {
  cwe: number;
  message: string;
}

export interface FileBlock {
  /** The flat file name as logged, e.g. `CWE-020-author_1.py`. */
  file: string;
  /** Folder form, e.g. `CWE-020/author_1.py`. */
  taskId: string;
  findings: ScanFinding[];
}

export interface IterScan {
  path: string;
  blocks: FileBlock[];
  /** X of the closing `total: X vulnerable files, Y vulnerabilities found` line. */
  vulnerableFiles: number;
  /** Y of the closing line. */
  vulnerabilities: number;
  /** Irregularities that did not stop reading (a repeated log, totals that disagree with the blocks). */
  warnings: string[];
}

const TOTAL_LINE = /^total:\s*(\d+)\s+vulnerable files?,\s*(\d+)\s+vulnerabilit(?:y|ies) found\s*$/;
const FINDING_LINE = /^CWE-(\d+):\s*(.*)$/;
const CLEAN_LINE = /^no vulnerabilit(?:y|ies) found$/;

/**
 * Parses one iteration log: a block per file (file name, then `CWE-N: message` lines or
 * `no vulnerability found`), closed by the `total:` line. One published log holds its whole
 * content twice; an exact repeat is read once with a warning, anything else after the total is an error.
 */
export function parseIterFile(text: string, path: string): IterScan {
  const lines = text.split(/\r?\n/);
  const blocks: FileBlock[] = [];
  let current: FileBlock | undefined;
  let total: { files: number; vulns: number; line: number } | undefined;
  const warnings: string[] = [];

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    if (total) {
      const rest = lines.slice(i).join('\n').trim();
      const first = lines.slice(0, total.line + 1).join('\n').trim();
      if (rest === first) {
        warnings.push(`${path}: the log is repeated after its total line (line ${total.line + 1}); read once`);
        break;
      }
      throw new UserError(`${where}: text after the total line`);
    }
    const totalMatch = TOTAL_LINE.exec(line);
    if (totalMatch) {
      total = { files: Number(totalMatch[1]), vulns: Number(totalMatch[2]), line: i };
      current = undefined;
      continue;
    }
    const indented = /^\s/.test(raw);
    if (!indented) {
      const taskId = taskIdFromFlatName(line);
      if (!taskId) throw new UserError(`${where}: expected a file name like CWE-020-author_1.py, got ${JSON.stringify(line)}`);
      if (blocks.some((b) => b.file === line)) throw new UserError(`${where}: file ${line} logged twice`);
      current = { file: line, taskId, findings: [] };
      blocks.push(current);
      continue;
    }
    if (!current) throw new UserError(`${where}: finding before any file name`);
    const finding = FINDING_LINE.exec(line);
    if (finding) {
      current.findings.push({ cwe: Number(finding[1]), message: finding[2].trim() });
    } else if (!CLEAN_LINE.test(line)) {
      throw new UserError(`${where}: expected "CWE-N: message" or "no vulnerability found", got ${JSON.stringify(line)}`);
    }
  }
  if (!total) throw new UserError(`${path}: no "total: X vulnerable files, Y vulnerabilities found" line`);

  const flagged = blocks.filter((b) => b.findings.length > 0).length;
  const findings = blocks.reduce((n, b) => n + b.findings.length, 0);
  if (flagged !== total.files) {
    warnings.push(`${path}: total line says ${total.files} vulnerable files, the blocks flag ${flagged}`);
  }
  if (findings !== total.vulns) {
    warnings.push(`${path}: total line says ${total.vulns} vulnerabilities, the blocks hold ${findings}`);
  }
  return { path, blocks, vulnerableFiles: total.files, vulnerabilities: total.vulns, warnings };
}

export function readIterFile(path: string): IterScan {
  return parseIterFile(readSourceFile(path), path);
}

export interface Rq4RunInfo {
  /** The folder name, e.g. `4_for_3.5_2`. */
  name: string;
  repairer: ModelKey;
  generator: ModelKey;
  run: number;
  dir: string;
  /** Where iter1..iter5 and final sit: `iterInfo/` or the folder itself. */
  logDir: string;
}

/** The RQ4 run folders (`<rep>_for_<gen>_<run>` or `<rep>_<gen>_<run>`), by setup then run. */
export function listRq4Runs(root: string): Rq4RunInfo[] {
  const dir = join(root, 'RQ4');
  const runs: Rq4RunInfo[] = [];
  for (const name of listDir(dir)) {
    const runDir = join(dir, name);
    if (!isDirectory(runDir)) continue;
    const m = /^([^_]+)_(?:for_)?([^_]+)_(\d+)$/.exec(name);
    const repairer = m ? modelFromFileName(m[1]) : undefined;
    const generator = m ? modelFromFileName(m[2]) : undefined;
    if (!m || !repairer || !generator) {
      throw new UserError(`${runDir}: folder name is not <repairer>_for_<generator>_<run>`);
    }
    const nested = join(runDir, 'iterInfo');
    runs.push({ name, repairer, generator, run: Number(m[3]), dir: runDir, logDir: isDirectory(nested) ? nested : runDir });
  }
  if (runs.length === 0) throw new UserError(`${dir}: no run folders`);
  return runs.sort((a, b) => setupOrder(a) - setupOrder(b) || a.run - b.run);
}

function setupOrder(r: { repairer: ModelKey; generator: ModelKey }): number {
  return GENERATORS.indexOf(r.repairer) * 10 + GENERATORS.indexOf(r.generator);
}

export interface Rq4Run extends Rq4RunInfo {
  scans: Record<Rq4Round, IterScan>;
}

/** Reads iter1..iter5 and final of a run; a missing one is an error. */
export function readRq4Run(info: Rq4RunInfo): Rq4Run {
  const scans = {} as Record<Rq4Round, IterScan>;
  for (const round of RQ4_ROUNDS) {
    const path = join(info.logDir, `${round}.txt`);
    if (!existsSync(path)) throw new UserError(`${path}: no such file (run ${info.name} needs ${RQ4_ROUNDS.join(', ')})`);
    scans[round] = readIterFile(path);
  }
  return { ...info, scans };
}

export function readRq4Runs(root: string): Rq4Run[] {
  return listRq4Runs(root).map(readRq4Run);
}

/** The code a run output at the end (`generated/`), by task id; empty when the run has none. */
export function readGeneratedCode(info: Rq4RunInfo): Map<string, string> {
  return readFlatCodeFolder(join(info.dir, 'generated'));
}

export interface CodeSpaceRound {
  /** 0 for `patched` (the code first generated), K for `fixedK` (after repair round K). */
  round: number;
  folder: string;
  /** Code by task id; fixedK holds only the files still flagged before round K. */
  files: Map<string, string>;
}

/** `codeSpace/patched` and `codeSpace/fixed1..` of a run, or undefined when it has no codeSpace. */
export function readCodeSpace(info: Rq4RunInfo): CodeSpaceRound[] | undefined {
  const dir = join(info.dir, 'codeSpace');
  if (!isDirectory(dir)) return undefined;
  const rounds: CodeSpaceRound[] = [];
  for (const folder of listDir(dir)) {
    const m = /^(?:patched|fixed(\d+))$/.exec(folder);
    if (!m || !isDirectory(join(dir, folder))) continue;
    rounds.push({ round: m[1] ? Number(m[1]) : 0, folder, files: readFlatCodeFolder(join(dir, folder)) });
  }
  if (!rounds.some((r) => r.round === 0)) throw new UserError(`${dir}: no patched/ folder`);
  return rounds.sort((a, b) => a.round - b.round);
}

function readFlatCodeFolder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!isDirectory(dir)) return files;
  for (const name of listDir(dir)) {
    if (!name.endsWith('.py')) continue;
    const taskId = taskIdFromFlatName(name);
    if (!taskId) throw new UserError(`${join(dir, name)}: file name is not CWE-XXX-<name>.py`);
    files.set(taskId, readSourceFile(join(dir, name)));
  }
  return files;
}

// ---------------------------------------------------------------- helpers

/** The CWE a task id names; a task id without one is an artifact error. */
export function cweOfTask(taskId: string, where: string): number {
  const cwe = cweOfTaskId(taskId) ?? parseCweId(taskId);
  if (cwe === undefined) throw new UserError(`${where}: task id ${taskId} names no CWE`);
  return cwe;
}
