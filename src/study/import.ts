// Writes the published artifacts into the run store as runs shaped like the project's own
// (tasks, samples by round with parent lineage, findings, verdicts), so they can be reported,
// tabulated and re-judged like any run. Each run is written in one transaction under a fixed
// id; a run already present is left alone, so importing twice adds nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatCwe, type Finding } from '../core/types.js';
import type { Store } from '../store/index.js';
import { securityEvalPath } from '../tasks/datasets.js';
import { parseSecurityEvalJsonl } from '../tasks/load.js';
import { readSourceFile } from '../tasks/read.js';
import {
  RQ4_ROUNDS,
  cweOfTask,
  listRq4Runs,
  readCodeSpace,
  readGeneratedCode,
  readRq2Detections,
  readRq3Verify,
  readRq4Run,
  type FileBlock,
  type ModelKey,
  type Rq4Run,
} from './artifacts.js';
import { GENERATOR_FILE_NAME, isVulnerableLabel, listRq1Samples, rq3CodeDir } from './labels.js';

export const IMPORT_KINDS = {
  rq1: 'study-import-rq1',
  rq2: 'study-import-rq2',
  rq3: 'study-import-rq3',
  rq4: 'study-import-rq4',
} as const;

/** Judge name of the published labels (RQ1 review, RQ3 verify). */
export const LABEL_JUDGE = 'study-label';
/** Judge name of the RQ4 scans (CodeQL + Bandit, as logged). */
export const RQ4_SCAN_JUDGE = 'study-codeql-bandit';
/** Scanner name of the findings read from the RQ4 logs. */
export const RQ4_LOG_SCANNER = 'study-codeql-bandit-log';

export interface ImportOptions {
  /** SecurityEval JSONL for the task prompts; default `<root>/../securityeval/dataset.jsonl` when present, else empty prompts. */
  securityEval?: string | false;
}

export interface ImportResult {
  created: string[];
  /** Runs already in the store, left as they were. */
  skipped: string[];
  samples: number;
  findings: number;
  verdicts: number;
}

export function importRunId(kind: 'rq1' | 'rq2' | 'rq3' | 'rq4', ...parts: (string | number)[]): string {
  return ['study', kind, ...parts].join('-');
}

export function importArtifacts(store: Store, root: string, options: ImportOptions = {}): ImportResult {
  const result: ImportResult = { created: [], skipped: [], samples: 0, findings: 0, verdicts: 0 };
  const prompts = loadPrompts(root, options);
  const rq1 = listRq1Samples(root);
  const importer = new RunImporter(store, result, prompts);

  for (const generator of unique(rq1.map((s) => s.generator))) {
    const samples = rq1.filter((s) => s.generator === generator);
    importer.run(importRunId('rq1', generator), IMPORT_KINDS.rq1, { source: 'llmsecurecode', generator }, (runId) => {
      for (const s of samples) {
        importer.task(runId, s.taskId, s.cwe, isVulnerableLabel(s.label) ? 'vulnerable' : 'secure', 0);
        const id = importer.sample(runId, s.taskId, 0, generator, readSourceFile(s.path));
        importer.verdict(id, s.cwe, isVulnerableLabel(s.label), { label: s.label, file: `RQ1/review_${GENERATOR_FILE_NAME[generator]}.csv` });
      }
    });
  }

  for (const d of readRq2Detections(root)) {
    const samples = rq1.filter((s) => s.generator === d.generator);
    const runId = importRunId('rq2', d.detector, 'for', d.generator);
    importer.run(runId, IMPORT_KINDS.rq2, { source: 'llmsecurecode', detector: d.detector, generator: d.generator }, () => {
      for (const s of samples) {
        importer.task(runId, s.taskId, s.cwe, isVulnerableLabel(s.label) ? 'vulnerable' : 'secure', 0);
        const id = importer.sample(runId, s.taskId, 0, d.generator, readSourceFile(s.path));
        importer.verdict(id, s.cwe, isVulnerableLabel(s.label), { label: s.label });
        const entry = d.answers.get(s.taskId);
        if (entry && entry.answer !== 'unparsed') {
          importer.verdict(id, s.cwe, entry.answer === 'true', { answer: entry.raw }, `study-rq2-${d.detector}`);
        }
      }
    });
  }

  for (const v of readRq3Verify(root)) {
    const runId = importRunId('rq3', v.repairer, 'for', v.generator);
    const codeDir = rq3CodeDir(root, v.repairer, v.generator);
    const original = new Map(rq1.filter((s) => s.generator === v.generator).map((s) => [s.taskId, s] as const));
    importer.run(runId, IMPORT_KINDS.rq3, { source: 'llmsecurecode', repairer: v.repairer, generator: v.generator }, () => {
      for (const [taskId, s] of original) {
        const verify = v.labels.get(taskId);
        const repairedPath = join(codeDir, taskId);
        const repaired = existsSync(repairedPath);
        // The repair set: samples RQ1 calls vulnerable, and any the verify file labels as repaired.
        if (!isVulnerableLabel(s.label) && !(verify !== undefined && verify >= 0)) continue;
        importer.task(runId, taskId, s.cwe, repaired && verify === 0 ? 'secure' : 'vulnerable', repaired ? 1 : 0);
        const first = importer.sample(runId, taskId, 0, v.generator, readSourceFile(s.path));
        importer.verdict(first, s.cwe, isVulnerableLabel(s.label), { label: s.label });
        if (!repaired) continue;
        const second = importer.sample(runId, taskId, 1, v.repairer, readSourceFile(repairedPath), first);
        if (verify !== undefined && verify >= 0) importer.verdict(second, s.cwe, verify > 0, { label: verify });
        importer.final(runId, taskId, second);
      }
    });
  }

  for (const info of listRq4Runs(root)) {
    const runId = importRunId('rq4', info.repairer, 'for', info.generator, info.run);
    importer.run(
      runId,
      IMPORT_KINDS.rq4,
      { source: 'llmsecurecode', repairer: info.repairer, generator: info.generator, run: info.run, folder: `RQ4/${info.name}`, k: 5 },
      () => importRq4Run(importer, runId, readRq4Run(info)),
    );
  }
  return result;
}

/**
 * With codeSpace: round 0 = patched (scanned by iter1), round K = fixedK (scanned by iter(K+1),
 * round 5 by final), each the parent of the next. Without it, only the final code (`generated/`)
 * is published: one sample at the last round its file was scanned in, with that scan's findings.
 */
function importRq4Run(importer: RunImporter, runId: string, run: Rq4Run): void {
  const codeSpace = readCodeSpace(run);
  const generated = codeSpace ? undefined : readGeneratedCode(run);
  const scans = RQ4_ROUNDS.map((round) => new Map(run.scans[round].blocks.map((b) => [b.taskId, b])));
  for (const first of run.scans.iter1.blocks) {
    const cwe = cweOfTask(first.taskId, run.scans.iter1.path);
    const lastRound = scans.reduce((last, scan, index) => (scan.has(first.taskId) ? index : last), 0);
    const lastBlock = scans[lastRound].get(first.taskId)!;
    importer.task(runId, first.taskId, cwe, lastBlock.findings.length > 0 ? 'vulnerable' : 'secure', lastRound);
    if (codeSpace) {
      let parent: number | undefined;
      for (const space of codeSpace) {
        const code = space.files.get(first.taskId);
        if (code === undefined) continue;
        const model = space.round === 0 ? run.generator : run.repairer;
        parent = importer.sample(runId, first.taskId, space.round, model, code, parent);
        importer.scanned(parent, scans[space.round]?.get(first.taskId));
      }
      if (parent !== undefined) importer.final(runId, first.taskId, parent);
    } else {
      const code = generated?.get(first.taskId);
      if (code === undefined) {
        importer.note(runId, first.taskId, 'code not published for this run');
        continue;
      }
      const id = importer.sample(runId, first.taskId, lastRound, lastRound === 0 ? run.generator : run.repairer, code);
      importer.scanned(id, lastBlock);
      importer.final(runId, first.taskId, id);
    }
  }
}

class RunImporter {
  constructor(
    private readonly store: Store,
    private readonly result: ImportResult,
    private readonly prompts: Map<string, string>,
  ) {}

  run(id: string, kind: string, config: Record<string, unknown>, fill: (runId: string) => void): void {
    if (this.store.getRun(id)) {
      this.result.skipped.push(id);
      return;
    }
    const before = { ...this.result };
    try {
      this.store.transaction(() => {
        this.store.openRun({ id, kind, config });
        fill(id);
        this.store.setRunStatus(id, 'done');
      });
    } catch (err) {
      Object.assign(this.result, { samples: before.samples, findings: before.findings, verdicts: before.verdicts });
      throw err;
    }
    this.result.created.push(id);
  }

  task(runId: string, taskId: string, cwe: number, status: 'secure' | 'vulnerable', rounds: number): void {
    this.store.upsertTask({ runId, taskId, prompt: this.prompts.get(taskId) ?? '', cwe });
    this.store.updateTask(runId, taskId, { status, rounds });
  }

  note(runId: string, taskId: string, reason: string): void {
    this.store.updateTask(runId, taskId, { reason });
  }

  final(runId: string, taskId: string, sampleId: number): void {
    this.store.updateTask(runId, taskId, { finalSampleId: sampleId });
  }

  sample(runId: string, taskId: string, round: number, model: ModelKey, code: string, parentId?: number): number {
    this.result.samples++;
    return this.store.insertSample({ runId, taskId, round, model, code, ...(parentId !== undefined ? { parentId } : {}) });
  }

  verdict(sampleId: number, cwe: number | undefined, vulnerable: boolean, detail: unknown, judge = LABEL_JUDGE): void {
    this.result.verdicts++;
    this.store.putVerdict({ sampleId, judge, ...(cwe !== undefined ? { cwe } : {}), vulnerable, detail });
  }

  /** The logged findings of one scan of the sample, and the scan's verdict (any finding = vulnerable). */
  scanned(sampleId: number, block: FileBlock | undefined): void {
    if (!block) return;
    const findings = block.findings.map((f): Finding => ({
      scanner: RQ4_LOG_SCANNER,
      ruleId: formatCwe(f.cwe),
      cwes: [f.cwe],
      severity: 'medium',
      confidence: 'medium',
      message: f.message,
      file: block.file,
      // The logs give no location: 0 marks "unknown".
      line: 0,
      column: 0,
      endLine: 0,
      endColumn: 0,
    }));
    if (findings.length > 0) this.result.findings += this.store.insertFindings(sampleId, findings).length;
    this.verdict(sampleId, undefined, findings.length > 0, { findings: findings.length }, RQ4_SCAN_JUDGE);
  }
}

function loadPrompts(root: string, options: ImportOptions): Map<string, string> {
  if (options.securityEval === false) return new Map();
  const path = options.securityEval ?? securityEvalPath(join(root, '..'));
  if (options.securityEval === undefined && !existsSync(path)) return new Map();
  return new Map(parseSecurityEvalJsonl(readSourceFile(path), path).map((r) => [r.id, r.prompt]));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

