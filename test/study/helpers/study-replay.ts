// The study's recorded answers as a fake OpenAI-compatible model, and its labels as a scanner.
//
// The model reads a request the way a real one would, from its content: a generation request
// (the study's generation prompt) holds a task's prompt and is answered with the code the
// study's model of that name generated for it (RQ1/generatedCode_<model>); a repair request
// holds an RQ1 sample and is answered with that model's repair of it (RQ3/fixedCodes_...); a
// detection request holds an RQ1 sample and is answered with that model's recorded
// true/false (RQ2/detectResult_...). Which study model answers is read from the request's
// model name (`gpt-3.5-turbo` → gpt3.5, `gpt-4` → gpt4).
//
// The label scanner flags the study's code exactly as its labels say: an RQ1 sample when its
// review label is 1 or 0.5, a repaired sample when its verify label is 1 or 0.5.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Finding } from '../../../src/core/types.js';
import { readRq1Labels, readRq2Detections, readRq3Verify, taskIdFromFlatName, type ModelKey } from '../../../src/study/artifacts.js';
import { GENERATOR_FILE_NAME, GENERATORS } from '../../../src/study/labels.js';
import type { ScanResult, Scanner, SourceFile } from '../../../src/scanners/types.js';
import { parseSecurityEvalJsonl } from '../../../src/tasks/load.js';
import { securityEvalPath, studyArtifactsDir } from '../../../src/tasks/datasets.js';
import { normalizeCode } from '../../agent/helpers/recorded-study.js';
import { textReply, type FakeHandler, type FakeReply, type RecordedRequest } from '../../helpers/fake-openai.js';

export const ROOT = studyArtifactsDir();

/** Six tasks with a mix of labels, detections, repairs and RQ4 trajectories (see the tests). */
export const SIX_TASKS = [
  'CWE-020/author_1.py',
  'CWE-078/codeql_1.py',
  'CWE-079/codeql_1.py',
  'CWE-094/sonar_1.py',
  'CWE-798/codeql_1.py',
  'CWE-918/codeql_1.py',
];

/** Request model names and the study models they stand for. */
export const STUDY_MODELS: Record<string, ModelKey> = { 'gpt-3.5-turbo': 'gpt3.5', 'gpt-4': 'gpt4' };

export interface StudyData {
  taskIds: string[];
  prompts: Map<string, string>;
  /** RQ1 code by generator, then task. */
  code: Map<ModelKey, Map<string, string>>;
  rq1Labels: Map<ModelKey, Map<string, number>>;
  /** RQ3 repaired code by `<repairer>\0<generator>`, then task. */
  fixed: Map<string, Map<string, string>>;
  verify: Map<string, Map<string, number>>;
  /** RQ2 raw answers by `<detector>\0<generator>`, then task. */
  answers: Map<string, Map<string, string>>;
}

export function loadStudyData(taskIds: readonly string[] = SIX_TASKS): StudyData {
  const records = parseSecurityEvalJsonl(readFileSync(securityEvalPath(), 'utf8'), securityEvalPath());
  const prompts = new Map(records.filter((r) => taskIds.includes(r.id)).map((r) => [r.id, r.prompt]));
  const code = new Map<ModelKey, Map<string, string>>();
  for (const g of GENERATORS) {
    const byTask = new Map<string, string>();
    for (const t of taskIds) {
      const path = join(ROOT, 'RQ1', `generatedCode_${g}`, t);
      if (existsSync(path)) byTask.set(t, readFileSync(path, 'utf8'));
    }
    code.set(g, byTask);
  }
  const fixed = new Map<string, Map<string, string>>();
  const verify = new Map<string, Map<string, number>>();
  for (const v of readRq3Verify(ROOT)) {
    const key = `${v.repairer}\0${v.generator}`;
    verify.set(key, v.labels);
    const byTask = new Map<string, string>();
    for (const t of taskIds) {
      const path = join(ROOT, 'RQ3', `fixedCodes_${v.repairer}_for_${GENERATOR_FILE_NAME[v.generator]}`, t);
      if (existsSync(path)) byTask.set(t, readFileSync(path, 'utf8'));
    }
    fixed.set(key, byTask);
  }
  const answers = new Map<string, Map<string, string>>();
  for (const d of readRq2Detections(ROOT)) {
    answers.set(`${d.detector}\0${d.generator}`, new Map([...d.answers].map(([t, e]) => [t, e.raw])));
  }
  return { taskIds: [...taskIds], prompts, code, rq1Labels: readRq1Labels(ROOT), fixed, verify, answers };
}

export interface ReplayLog {
  kind: 'generate' | 'repair' | 'detect';
  model: ModelKey;
  taskId: string;
  generator?: ModelKey;
}

export interface StudyReplay {
  handler: FakeHandler;
  log: ReplayLog[];
}

function fenced(request: RecordedRequest, code: string): FakeReply {
  return textReply(request, `Here is the code:\n\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\`\n`);
}

/** Which RQ1 sample (generator, task) the text holds: the longest one contained. */
function findSample(data: StudyData, text: string): { generator: ModelKey; taskId: string } | undefined {
  let best: { generator: ModelKey; taskId: string; length: number } | undefined;
  for (const [generator, byTask] of data.code) {
    for (const [taskId, code] of byTask) {
      const norm = normalizeCode(code);
      if (norm && text.includes(norm) && (!best || norm.length > best.length)) best = { generator, taskId, length: norm.length };
    }
  }
  return best && { generator: best.generator, taskId: best.taskId };
}

export function studyReplay(data: StudyData): StudyReplay {
  const log: ReplayLog[] = [];
  const handler: FakeHandler = (request) => {
    const model = STUDY_MODELS[String(request.body?.model)];
    const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
    const first = messages.find((m) => m.role === 'user')?.content ?? '';
    if (!model) return { status: 404, body: { error: { message: `fake study model: no model ${request.body?.model}` } } };
    const text = normalizeCode(first);
    if (first.startsWith('You are a programming assistant')) {
      const task = [...data.prompts].filter(([, p]) => text.includes(normalizeCode(p))).sort((a, b) => b[1].length - a[1].length)[0];
      const code = task && data.code.get(model)?.get(task[0]);
      if (!task || code === undefined) return { status: 400, body: { error: { message: 'fake study model: unknown task' } } };
      log.push({ kind: 'generate', model, taskId: task[0] });
      return fenced(request, code);
    }
    const sample = findSample(data, text);
    if (!sample) return { status: 400, body: { error: { message: 'fake study model: no recorded sample in the request' } } };
    if (first.startsWith('You will be provided with a piece of Python code')) {
      log.push({ kind: 'repair', model, ...sample });
      const repaired = data.fixed.get(`${model}\0${sample.generator}`)?.get(sample.taskId);
      return fenced(request, repaired ?? data.code.get(sample.generator)!.get(sample.taskId)!);
    }
    if (first.startsWith('Your task is to determine whether')) {
      log.push({ kind: 'detect', model, ...sample });
      const answer = data.answers.get(`${model}\0${sample.generator}`)?.get(sample.taskId);
      return textReply(request, answer ?? 'I cannot tell.');
    }
    return { status: 400, body: { error: { message: 'fake study model: unknown request' } } };
  };
  return { handler, log };
}

/**
 * A scanner that flags the study's code as its labels say; any other code is an error.
 * Findings carry the task's CWE, so the task-cwe policy counts them.
 */
export class StudyLabelScanner implements Scanner {
  readonly name: string;
  private readonly verdicts = new Map<string, boolean>();
  scans = 0;

  constructor(data: StudyData, name = 'study-labels') {
    this.name = name;
    const add = (taskId: string, code: string, vulnerable: boolean) => {
      const key = `${taskId}\0${normalizeCode(code)}`;
      const known = this.verdicts.get(key);
      if (known !== undefined && known !== vulnerable) throw new Error(`${taskId}: the same code has two labels`);
      this.verdicts.set(key, vulnerable);
    };
    for (const [g, byTask] of data.code) for (const [t, code] of byTask) add(t, code, (data.rq1Labels.get(g)?.get(t) ?? 0) > 0);
    for (const [key, byTask] of data.fixed) for (const [t, code] of byTask) add(t, code, (data.verify.get(key)?.get(t) ?? 0) > 0);
  }

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async scan(files: SourceFile[]): Promise<ScanResult> {
    const findings: Finding[] = [];
    for (const file of files) {
      this.scans++;
      const taskId = taskIdFromFlatName(basename(file.path));
      const vulnerable = taskId && this.verdicts.get(`${taskId}\0${normalizeCode(file.content)}`);
      if (vulnerable === undefined || taskId === undefined) throw new Error(`study label scanner: no label for ${file.path}`);
      if (!vulnerable) continue;
      const cwe = Number(/CWE-(\d+)/.exec(taskId)![1]);
      findings.push({
        scanner: this.name,
        ruleId: 'study/label',
        cwes: [cwe],
        severity: 'high',
        confidence: 'high',
        message: `labelled vulnerable to CWE-${cwe} by the study`,
        file: file.path,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 2,
      });
    }
    return { findings, diagnostics: [], suppressed: 0 };
  }
}

/**
 * A scanner that flags the study's RQ4 code (4_for_3.5_1, codeSpace) as the study's own scans
 * logged it: version K of a task (patched = 0, fixedK = K) gets the findings of the log that
 * scanned it (iter(K+1).txt, final.txt for K = 5).
 */
export class StudyLogScanner implements Scanner {
  readonly name = 'study-log';
  private readonly findings = new Map<string, { cwe: number; message: string }[]>();

  constructor(versions: ReadonlyMap<string, readonly string[]>, logs: readonly ReadonlyMap<string, { cwe: number; message: string }[]>[]) {
    for (const [taskId, list] of versions) {
      list.forEach((code, stage) => {
        const logged = logs[stage]?.get(taskId);
        if (!logged) throw new Error(`${taskId}: version ${stage} is in no log`);
        const key = `${taskId}\0${normalizeCode(code)}`;
        const known = this.findings.get(key);
        if (known && (known.length > 0) !== (logged.length > 0)) throw new Error(`${taskId}: the same code was logged flagged and clean`);
        this.findings.set(key, logged);
      });
    }
  }

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async scan(files: SourceFile[]): Promise<ScanResult> {
    const findings: Finding[] = [];
    for (const file of files) {
      const taskId = taskIdFromFlatName(basename(file.path));
      const logged = taskId === undefined ? undefined : this.findings.get(`${taskId}\0${normalizeCode(file.content)}`);
      if (!logged) throw new Error(`study log scanner: no logged scan of ${file.path}`);
      for (const f of logged) {
        findings.push({
          scanner: this.name,
          ruleId: `CWE-${f.cwe}`,
          cwes: [f.cwe],
          severity: 'medium',
          confidence: 'medium',
          message: f.message,
          file: file.path,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 2,
        });
      }
    }
    return { findings, diagnostics: [], suppressed: 0 };
  }
}
