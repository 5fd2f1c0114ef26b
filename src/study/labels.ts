// Reading the published LLMSecureCode labels (RQ1 reviews, RQ3 verifications) and listing
// the labelled code samples they refer to. `root` is the artifacts folder
// (`../shared/datasets/llmsecurecode`, see studyArtifactsDir()).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, cweOfTaskId } from '../core/types.js';
import { readSourceFile } from '../tasks/read.js';
import { isDirectory, listDir } from './folders.js';

/** The four code generators of the study, named as in the RQ1 code folders. */
export type Generator = 'gpt3.5' | 'gpt4' | 'codellama' | 'codegeex2';
/** The two repairers of RQ3. */
export type Repairer = 'gpt3.5' | 'gpt4';

export const GENERATORS: readonly Generator[] = ['gpt3.5', 'gpt4', 'codellama', 'codegeex2'];
export const REPAIRERS: readonly Repairer[] = ['gpt3.5', 'gpt4'];

/** The short name a generator has in label file names (`review_<m>.csv`, `verify_<r>_for_<m>.csv`, `fixedCodes_<r>_for_<m>`). */
export const GENERATOR_FILE_NAME: Readonly<Record<Generator, string>> = {
  'gpt3.5': 'gpt3.5',
  gpt4: 'gpt4',
  codellama: 'llama',
  codegeex2: 'codegeex',
};

/** `RQ1/review_<m>.csv`: the published labels of a generator's RQ1 code. */
export function rq1LabelFile(root: string, generator: Generator): string {
  return join(root, 'RQ1', `review_${GENERATOR_FILE_NAME[generator]}.csv`);
}

/** `RQ1/generatedCode_<model>`: a generator's RQ1 code, one folder per CWE. */
export function rq1CodeDir(root: string, generator: Generator): string {
  return join(root, 'RQ1', `generatedCode_${generator}`);
}

/** `RQ3/verify_<r>_for_<m>.csv`: the labels of a repairer's one-shot repairs of a generator's code. */
export function rq3VerifyFile(root: string, repairer: Repairer, generator: Generator): string {
  return join(root, 'RQ3', `verify_${repairer}_for_${GENERATOR_FILE_NAME[generator]}.csv`);
}

/** `RQ3/fixedCodes_<r>_for_<m>`: a repairer's one-shot repairs of a generator's code, one folder per CWE. */
export function rq3CodeDir(root: string, repairer: Repairer, generator: Generator): string {
  return join(root, 'RQ3', `fixedCodes_${repairer}_for_${GENERATOR_FILE_NAME[generator]}`);
}

export interface StudySample {
  set: 'rq1' | 'rq3';
  generator: Generator;
  /** Only for RQ3: the model that repaired the generator's code. */
  repairer?: Repairer;
  /** Folder form, e.g. `CWE-020/author_1.py`. */
  taskId: string;
  /** The CWE the sample is judged against (the one in its task id). */
  cwe: number;
  /** Path of the Python file: `root` joined with the code folder and the task id. */
  path: string;
  /** The published label: 1 or 0.5 vulnerable, 0 not vulnerable (RQ3: 0 = fixed). */
  label: number;
  vulnerable: boolean;
}

/** A label or file that did not make a sample (RQ3 has a few of each). */
export interface SkippedSample {
  set: 'rq1' | 'rq3';
  generator: Generator;
  repairer?: Repairer;
  taskId: string;
  reason: 'excluded' | 'no-file' | 'no-label';
}

export interface ListOptions {
  /** Called for each label without a file and each file without a usable label. */
  onSkip?: (skipped: SkippedSample) => void;
}

/** A published label counts as vulnerable when it is above 0 (1 and 0.5); -1 marks "excluded". */
export function isVulnerableLabel(label: number): boolean {
  return label > 0;
}

/**
 * Reads a `taskId,label` CSV without header (blank lines ignored, CRLF accepted).
 * Bad lines, non-numeric labels and duplicate ids throw UserError naming file and line.
 */
export function readLabelCsv(path: string): Map<string, number> {
  const text = readSourceFile(path);
  const labels = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 2 || cells[0] === '') {
      throw new UserError(`${where}: expected "taskId,label", got ${JSON.stringify(line)}`);
    }
    const [taskId, rawLabel] = cells;
    const label = Number(rawLabel);
    if (rawLabel === '' || !Number.isFinite(label)) {
      throw new UserError(`${where}: label ${JSON.stringify(rawLabel)} is not a number`);
    }
    if (labels.has(taskId)) throw new UserError(`${where}: duplicate task id ${taskId}`);
    labels.set(taskId, label);
  }
  return labels;
}

/** The 484 RQ1 samples: `RQ1/generatedCode_<model>/<taskId>` with `RQ1/review_<m>.csv`. */
export function listRq1Samples(root: string, options: ListOptions = {}): StudySample[] {
  const samples: StudySample[] = [];
  for (const generator of GENERATORS) {
    samples.push(...pairLabelsWithFiles('rq1', generator, undefined, rq1LabelFile(root, generator), rq1CodeDir(root, generator), options));
  }
  return samples;
}

/**
 * The RQ3 samples: `RQ3/fixedCodes_<r>_for_<m>/<taskId>` with `RQ3/verify_<r>_for_<m>.csv`.
 * A sample needs both a file and a label other than -1; the published data has 738 files and
 * 734 such labels, which agree on 732 samples (the rest go to `onSkip`).
 */
export function listRq3Samples(root: string, options: ListOptions = {}): StudySample[] {
  const samples: StudySample[] = [];
  for (const repairer of REPAIRERS) {
    for (const generator of GENERATORS) {
      samples.push(...pairLabelsWithFiles('rq3', generator, repairer, rq3VerifyFile(root, repairer, generator), rq3CodeDir(root, repairer, generator), options));
    }
  }
  return samples;
}

function pairLabelsWithFiles(
  set: 'rq1' | 'rq3',
  generator: Generator,
  repairer: Repairer | undefined,
  labelFile: string,
  codeDir: string,
  { onSkip }: ListOptions,
): StudySample[] {
  if (!isDirectory(codeDir)) throw new UserError(`${codeDir}: no such folder`);
  const labels = readLabelCsv(labelFile);
  const samples: StudySample[] = [];
  const skip = (taskId: string, reason: SkippedSample['reason']) =>
    onSkip?.({ set, generator, ...(repairer ? { repairer } : {}), taskId, reason });

  for (const [taskId, label] of [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const path = join(codeDir, taskId);
    const hasFile = existsSync(path);
    if (label < 0) {
      if (hasFile) skip(taskId, 'excluded');
      continue;
    }
    if (!hasFile) {
      skip(taskId, 'no-file');
      continue;
    }
    const cwe = cweOfTaskId(taskId);
    if (cwe === undefined) throw new UserError(`${labelFile}: task id ${taskId} names no CWE`);
    samples.push({
      set,
      generator,
      ...(repairer ? { repairer } : {}),
      taskId,
      cwe,
      path,
      label,
      vulnerable: isVulnerableLabel(label),
    });
  }
  for (const taskId of listPythonFiles(codeDir)) {
    if (!labels.has(taskId)) skip(taskId, 'no-label');
  }
  return samples;
}

/** Task ids (`CWE-XXX/name.py`) of the Python files one level of CWE folders below `dir`. */
function listPythonFiles(dir: string): string[] {
  const ids: string[] = [];
  for (const sub of listDir(dir)) {
    const subPath = join(dir, sub);
    if (!isDirectory(subPath)) continue;
    for (const file of listDir(subPath)) {
      if (file.endsWith('.py')) ids.push(`${sub}/${file}`);
    }
  }
  return ids;
}
