// `secagent run` end to end against the study's recorded RQ4 run (GPT-3.5 generations,
// GPT-4 repairs) served by a local OpenAI-compatible endpoint, with the built-in analyzer
// and the installed Bandit as scanners.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPythonCode } from '../../src/llm/extract.js';
import { createScanners, scanAll } from '../../src/scanners/index.js';
import { outputFileName } from '../../src/agent/index.js';
import { startFakeOpenAI, textReply, type FakeHandler, type FakeServer, type RecordedRequest } from '../helpers/fake-openai.js';
import { loadRecordedTasks, normalizeCode, recordedModel, replyText, writeTasksJsonl, type RecordedTask } from '../agent/helpers/recorded-study.js';
import { cleanEnv, runCli, spawnCli } from './helpers/cli.js';

const SCANNERS =
  process.env.SECAGENT_TEST_SCANNERS ?? (existsSync(join(__dirname, '../../src/scanners/builtin.ts')) ? 'builtin,bandit' : 'bandit');

let dir: string;
let tasks: RecordedTask[];
let jsonl: string;
const servers: FakeServer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-run-'));
  tasks = loadRecordedTasks();
  jsonl = writeTasksJsonl(tasks, join(dir, 'rq4-tasks.jsonl'));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(handler: FakeHandler): Promise<FakeServer> {
  const server = await startFakeOpenAI(handler);
  servers.push(server);
  return server;
}

function args(name: string, extra: string[] = []): string[] {
  return [
    '--store', join(dir, `${name}.db`),
    'run', '--tasks', jsonl,
    '--model', 'openai:gpt-3.5-turbo', '--repair-model', 'openai:gpt-4',
    '--max-iterations', '5', '--concurrency', '8',
    '--scanners', SCANNERS,
    '--out', join(dir, name),
    ...extra,
  ];
}

const requestKey = (r: RecordedRequest) => JSON.stringify({ model: r.body.model, messages: r.body.messages, temperature: r.body.temperature });

function multiset(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function codeFiles(folder: string): Map<string, string> {
  return new Map(
    readdirSync(folder)
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => [f, readFileSync(join(folder, f), 'utf8')]),
  );
}

const summaryOf = (name: string) => JSON.parse(readFileSync(join(dir, name, 'summary.json'), 'utf8'));

/** What the scanners say about a piece of code, asked directly (not through the agent). */
async function flagged(codes: string[]): Promise<boolean[]> {
  const { scanners } = await createScanners(SCANNERS.split(','));
  const files = codes.map((content, i) => ({ path: `f${i}.py`, content }));
  const result = await scanAll(scanners, files);
  return files.map((f) => result.findings.some((x) => x.file === f.path));
}

let reference: { files: Map<string, string>; keys: string[]; summary: any };

describe('secagent run over the 67 RQ4 tasks', () => {
  it('writes 67 files and a summary whose per-round counts match the scanners', async () => {
    const model = recordedModel(tasks);
    const server = await serve(model.handler);
    const result = await runCli(args('reference'), { env: cleanEnv({ OPENAI_BASE_URL: server.baseURL }) });
    expect(result.stderr).toMatch(/run \S+ done: 67 tasks/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');

    const files = codeFiles(join(dir, 'reference'));
    expect(files.size).toBe(67);
    const summary = summaryOf('reference');
    expect(summary).toMatchObject({
      status: 'done',
      models: { generate: 'openai:gpt-3.5-turbo', repair: 'openai:gpt-4' },
      scanners: SCANNERS.split(',').sort(),
      maxIterations: 5,
      counts: { total: 67, failed: 0, pending: 0 },
    });
    expect(summary.vulnerableAfterRound).toHaveLength(6);
    expect(summary.tasks).toHaveLength(67);

    // Every request was understood; generations went to GPT-3.5 once per task, repairs to GPT-4.
    expect(model.log).toHaveLength(server.requests.length);
    const generations = model.log.filter((l) => l.kind === 'generate');
    expect(generations).toHaveLength(67);
    expect(new Set(generations.map((g) => g.model))).toEqual(new Set(['gpt-3.5-turbo']));
    expect(new Set(model.log.filter((l) => l.kind === 'repair').map((g) => g.model))).toEqual(new Set(['gpt-4']));
    expect(summary.calls).toBe(server.requests.length);

    // Each file is one of its task's recorded versions, and the one its round count says.
    for (const task of tasks) {
      const entry = summary.tasks.find((t: any) => t.id === task.id);
      const written = files.get(outputFileName(task.id));
      expect(written, task.id).toBeDefined();
      const stage = task.versions.findIndex((v) => normalizeCode(v) === normalizeCode(written!));
      expect(stage, task.id).toBeGreaterThanOrEqual(0);
      expect(stage, task.id).toBeLessThanOrEqual(entry.rounds);
      expect(entry.status === 'secure' || entry.status === 'vulnerable').toBe(true);
    }

    // Round 0 counts the generated code as the scanners see it, the last round the written files.
    const generated = tasks.map((t) => (extractPythonCode(replyText(t.versions[0]!)) as { code: string }).code);
    const round0 = (await flagged(generated)).filter(Boolean).length;
    const final = (await flagged([...files.values()])).filter(Boolean).length;
    expect(summary.vulnerableAfterRound[0]).toBe(round0);
    expect(summary.vulnerableAfterRound[5]).toBe(final);
    expect(summary.counts.vulnerable).toBe(final);
    // GPT-4's recorded repair of CWE-502/author_1 renames the task's function: never accepted.
    const renamed = summary.tasks.find((t: any) => t.id === 'CWE-502/author_1.py');
    if (renamed.rounds > 0) {
      expect(renamed.reason).toMatch(/failed: repair not accepted: no usable code after 3 replies: it removes the function `makePickleData` the task asks for/);
      expect(files.get('CWE-502-author_1.py')).toContain('def makePickleData(payload: Payload)');
    }
    console.log(`RQ4 67 tasks, k=5, ${SCANNERS}: vulnerable after each round ${summary.vulnerableAfterRound.join(' → ')}; ${summary.calls} calls`);

    reference = { files, keys: server.requests.map(requestKey), summary };
  }, 120_000);

  it('survives 429s with Retry-After, 500s and a reply without code mid-run, with the same results', async () => {
    const model = recordedModel(tasks);
    const statuses: number[] = [];
    let prose = 0;
    // Faults fall on the first attempt of every 37th and 23rd distinct request, so a retry is
    // always answered: counting every attempt instead could fail one request three times in a
    // row when concurrent retries happen to land on faulty positions.
    const attempts = new Map<string, number>();
    const server = await serve((request) => {
      const understood = model.understand(request);
      if (understood?.taskId === 'CWE-020/author_1.py' && understood.kind === 'generate' && understood.turn === 1) {
        prose++;
        return textReply(request, 'I would load the YAML file with the yaml module and return what it holds.');
      }
      const key = requestKey(request);
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const n = attempts.size;
      if (attempt === 1 && n % 37 === 0) {
        statuses.push(429);
        return { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached' } } };
      }
      if (attempt === 1 && n % 23 === 0) {
        statuses.push(500);
        return { status: 500, body: { error: { message: 'The server had an error' } } };
      }
      return model.reply(request);
    });
    const result = await runCli(args('faults'), { env: cleanEnv({ OPENAI_BASE_URL: server.baseURL }) });
    expect(result.code).toBe(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThanOrEqual(5);
    expect(codeFiles(join(dir, 'faults'))).toEqual(reference.files);
    const summary = summaryOf('faults');
    expect(summary.vulnerableAfterRound).toEqual(reference.summary.vulnerableAfterRound);
    expect(summary.failedCalls).toBe(0);
    // The reply without code was answered with a request for code: one call more.
    expect(prose).toBe(1);
    expect(summary.calls).toBe(reference.summary.calls + 1);
    const reask = server.requests.find((r) => r.body.messages.length === 3 && /no Python code/.test(r.body.messages[2].content));
    expect(model.understand(reask!)).toMatchObject({ kind: 'generate', taskId: 'CWE-020/author_1.py', turn: 2 });
  }, 120_000);

  it('after a SIGKILL, --resume repeats no answered request and ends with the same files', async () => {
    const model = recordedModel(tasks);
    let stall = true;
    let answered = 0;
    const beforeKill: string[] = [];
    const afterKill: string[] = [];
    const server = await serve((request) => {
      if (stall) {
        if (answered >= 60) return { hang: true };
        answered++;
        beforeKill.push(requestKey(request));
      } else {
        afterKill.push(requestKey(request));
      }
      return model.reply(request);
    });
    const env = cleanEnv({ OPENAI_BASE_URL: server.baseURL });
    const first = spawnCli(args('killed', ['--run-id', 'killed-run']), { env });
    while (answered < 60) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500)); // let the process record what it was answered
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(codeFiles(join(dir, 'killed')).size).toBeLessThan(67);

    stall = false;
    // --resume alone continues the newest unfinished run in the store.
    const resumed = await runCli(args('killed', ['--resume']), { env });
    expect(resumed.stderr).toContain('run killed-run (continuing)');
    expect(resumed.code).toBe(0);

    // A request the uninterrupted run made once is made once in all; one it made n times (the
    // same code repaired again after a round that changed nothing) is made n times in all.
    const answeredBefore = new Set(beforeKill);
    const inReference = multiset(reference.keys);
    expect(afterKill.filter((k) => answeredBefore.has(k) && inReference.get(k) === 1)).toEqual([]);
    expect(multiset([...beforeKill, ...afterKill])).toEqual(inReference);
    expect(codeFiles(join(dir, 'killed'))).toEqual(reference.files);
    const summary = summaryOf('killed');
    expect(summary.vulnerableAfterRound).toEqual(reference.summary.vulnerableAfterRound);
    expect(summary.counts).toEqual(reference.summary.counts);
    expect(summary.calls).toBe(reference.summary.calls);
  }, 120_000);

  it('on Ctrl-C stops, exits 130 and prints the command that resumes it', async () => {
    const model = recordedModel(tasks);
    let stall = true;
    let answered = 0;
    const server = await serve((request) => {
      if (stall && answered >= 6) return { hang: true };
      answered++;
      return model.reply(request);
    });
    const env = cleanEnv({ OPENAI_BASE_URL: server.baseURL });
    const only = ['--only', 'CWE-0[0-7]*/*'];
    const first = spawnCli(args('sigint', only), { env });
    while (answered < 6) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    const hint = /interrupted; continue with: secagent (.*) --run-id (\S+) --resume\n/.exec(stopped.stderr);
    expect(hint, stopped.stderr).not.toBeNull();
    expect(summaryOf('sigint').status).toBe('interrupted');

    stall = false;
    const resumed = await runCli([...args('sigint', only), '--run-id', hint![2]!, '--resume'], { env });
    expect(resumed.code).toBe(0);
    const files = codeFiles(join(dir, 'sigint'));
    expect(files.size).toBe(summaryOf('sigint').counts.total);
    expect(files.size).toBeGreaterThan(10);
    for (const [name, code] of files) expect(code, name).toBe(reference.files.get(name));
  }, 120_000);
});
