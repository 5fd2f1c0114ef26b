// The study's recorded RQ4 run (GPT-3.5 generations, GPT-4 repairs) as a fake model.
//
// `codeSpace/patched/<flat id>` is what GPT-3.5 first generated; `codeSpace/fixedK/<flat id>`
// is GPT-4's repair in round K. The fake model decides what a request is about from its
// content alone, as a real model would: a generation request holds a task's prompt; a
// repair request holds some recorded version of a task's code, and is answered with the
// next recorded version (or the same one when the study recorded none after it).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { securityEvalPath, studyArtifactsDir } from '../../../src/tasks/datasets.js';
import { textReply, type FakeHandler, type FakeReply, type RecordedRequest } from '../../helpers/fake-openai.js';

export const RQ4_CODESPACE = join(studyArtifactsDir(), 'RQ4', '4_for_3.5_1', 'codeSpace');

export interface RecordedTask {
  /** Folder form, `CWE-020/author_1.py`. */
  id: string;
  /** The dataset's form, `CWE-020_author_1.py`. */
  datasetId: string;
  /** RQ4's flat form, `CWE-020-author_1.py`. */
  flatId: string;
  prompt: string;
  /** versions[0] = patched (generated), versions[K] = fixedK, while the study recorded them. */
  versions: string[];
}

export function loadRecordedTasks(): RecordedTask[] {
  const prompts = new Map<string, string>();
  for (const line of readFileSync(securityEvalPath(), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { ID: string; Prompt: string };
    prompts.set(row.ID, row.Prompt);
  }
  const flatIds = readdirSync(join(RQ4_CODESPACE, 'patched'))
    .filter((f) => f.endsWith('.py'))
    .sort();
  return flatIds.map((flatId) => {
    const m = /^(CWE-\d+)-(.+)$/.exec(flatId)!;
    const datasetId = `${m[1]}_${m[2]}`;
    const prompt = prompts.get(datasetId);
    if (prompt === undefined) throw new Error(`${datasetId} is not in SecurityEval`);
    const versions = [readFileSync(join(RQ4_CODESPACE, 'patched', flatId), 'utf8')];
    for (let k = 1; existsSync(join(RQ4_CODESPACE, `fixed${k}`, flatId)); k++) {
      versions.push(readFileSync(join(RQ4_CODESPACE, `fixed${k}`, flatId), 'utf8'));
    }
    return { id: `${m[1]}/${m[2]}`, datasetId, flatId, prompt, versions };
  });
}

/** A SecurityEval-format JSONL of the tasks (ID and Prompt as in the dataset). */
export function writeTasksJsonl(tasks: readonly RecordedTask[], file: string): string {
  writeFileSync(file, tasks.map((t) => JSON.stringify({ ID: t.datasetId, Prompt: t.prompt })).join('\n') + '\n', 'utf8');
  return file;
}

/** Whitespace-insensitive at line ends and blank lines, which code extraction and prompts may change. */
export function normalizeCode(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
}

export interface Understood {
  kind: 'generate' | 'repair';
  taskId: string;
  /** For a repair: the recorded version the request holds. */
  stage?: number;
  /** The version answered. */
  answerStage: number;
  model: string;
  /** 1 for a first ask, more for a re-ask after an unusable reply. */
  turn: number;
}

export interface RecordedModel {
  /** Decides what a request is about and which recorded code answers it. */
  understand(request: RecordedRequest): Understood | undefined;
  reply(request: RecordedRequest): FakeReply;
  handler: FakeHandler;
  /** Every request understood, in arrival order. */
  log: Understood[];
}

/** The reply text the fake model sends for a piece of code. */
export function replyText(code: string): string {
  return `Here is the code:\n\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\`\n`;
}

export function codeReply(request: RecordedRequest, code: string): FakeReply {
  return textReply(request, replyText(code));
}

export function recordedModel(tasks: readonly RecordedTask[]): RecordedModel {
  const prompts = tasks.map((t) => ({ task: t, text: normalizeCode(t.prompt) }));
  const versions = tasks.flatMap((t) => t.versions.map((v, stage) => ({ task: t, stage, text: normalizeCode(v) })));
  const log: Understood[] = [];

  const understand = (request: RecordedRequest): Understood | undefined => {
    const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
    const first = messages.find((m) => m.role === 'user')?.content ?? '';
    const text = normalizeCode(first);
    const model = String(request.body?.model ?? '');
    const turn = messages.filter((m) => m.role === 'user').length;
    if (first.startsWith('You are a programming assistant')) {
      const hit = longest(prompts.filter((p) => text.includes(p.text)));
      return hit && { kind: 'generate', taskId: hit.task.id, answerStage: 0, model, turn };
    }
    const candidates = versions.filter((v) => text.includes(v.text));
    const hit = longest(candidates, (a, b) => a.stage - b.stage);
    if (!hit) return undefined;
    const answerStage = Math.min(hit.stage + 1, hit.task.versions.length - 1);
    return { kind: 'repair', taskId: hit.task.id, stage: hit.stage, answerStage, model, turn };
  };

  const byId = new Map(tasks.map((t) => [t.id, t]));
  const reply = (request: RecordedRequest): FakeReply => {
    const understood = understand(request);
    if (!understood) return { status: 400, body: { error: { message: 'fake model: cannot tell which task this is about' } } };
    log.push(understood);
    return codeReply(request, byId.get(understood.taskId)!.versions[understood.answerStage]!);
  };

  return { understand, reply, handler: (request) => reply(request), log };
}

function longest<T extends { text: string }>(items: T[], tie: (a: T, b: T) => number = () => 0): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (!best || item.text.length > best.text.length || (item.text.length === best.text.length && tie(item, best) > 0)) best = item;
  }
  return best;
}
