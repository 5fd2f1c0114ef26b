// `secagent study ...` and `secagent report ...` as a user runs them (a child process), the
// models being a local OpenAI-compatible server that replays the study's recorded answers and
// the judge secagent's own analyzer (builtin).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinScanner } from '../../src/scanners/builtin.js';
import { PUBLISHED } from '../../src/study/published.js';
import { CodeJudge } from '../../src/study/experiments/index.js';
import { cleanEnv, runCli } from '../cli/helpers/cli.js';
import { loadRecordedTasks, recordedModel, writeTasksJsonl } from '../agent/helpers/recorded-study.js';
import { startFakeOpenAI, type FakeServer } from '../helpers/fake-openai.js';
import { ROOT, SIX_TASKS, loadStudyData, studyReplay, type StudyData } from './helpers/study-replay.js';

const GPT35 = 'openai:gpt-3.5-turbo';
const GPT4 = 'openai:gpt-4';

describe('secagent study tables', () => {
  it('prints the published figures as JSON, and Markdown with the notes', async () => {
    const json = await runCli(['study', 'tables', '--artifacts', ROOT, '--format', 'json'], { env: cleanEnv() });
    expect(json.code).toBe(0);
    const t = JSON.parse(json.stdout);
    // Every cell is the paper's figure, or off by one (0.2 points in Table 5) with a note saying so.
    const noted = (table: string, row: string | undefined, column: string) =>
      t.notes.some((n: { table: string; row?: string; column: string }) => n.table === table && n.row === row && n.column === column);
    const check = (table: string, row: string | undefined, column: string, artifact: number, published: number, slack: number) => {
      if (artifact === published) return;
      expect(Math.abs(artifact - published), `${table} ${row} ${column}`).toBeLessThanOrEqual(slack);
      expect(noted(table, row, column), `${table} ${row} ${column} has a note`).toBe(true);
    };
    for (const [g, n] of Object.entries(PUBLISHED.table2)) {
      expect(t.table2[g].total).toBe(121);
      check('table2', undefined, g, t.table2[g].vulnerable, n!, 1);
    }
    for (const [d, row] of Object.entries(PUBLISHED.table3)) {
      for (const [g, n] of Object.entries(row!)) {
        expect(t.table3[d][g].total).toBe(121);
        check('table3', d, g, t.table3[d][g].correct, n!, 1);
      }
    }
    for (const [r, row] of Object.entries(PUBLISHED.table4)) {
      for (const [g, cell] of Object.entries(row!)) {
        check('table4', r, g, t.table4[r][g].fixed, cell!.fixed, 1);
        check('table4', r, g, t.table4[r][g].vulnerable, cell!.vulnerable, 1);
      }
    }
    for (const [r, row] of Object.entries(PUBLISHED.table5)) {
      for (const [g, pct] of Object.entries(row!)) check('table5', r, g, Math.round(t.table5[r][g] * 1000) / 10, pct!, 0.2);
    }
    const md = await runCli(['study', 'tables', '--artifacts', ROOT, '--format', 'markdown'], { env: cleanEnv() });
    expect(md.stdout).toContain('### Table 2. Vulnerable code generated (RQ1)');
    expect(md.stdout).toContain('92/121');
  }, 60_000);

  it('a folder that is not the artifacts is named in a one-line error with exit 2', async () => {
    const securityEval = join(ROOT, '..', 'securityeval');
    const wrong = await runCli(['study', 'tables', '--artifacts', securityEval], { env: cleanEnv() });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(`secagent: ${securityEval}: not the study's artifacts folder (no RQ1/ to RQ4/ inside); pass --artifacts <path to llmsecurecode>`);
    const missing = await runCli(['study', 'import', '--artifacts', join(tmpdir(), 'secagent-no-such-artifacts')], { env: cleanEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/secagent-no-such-artifacts: no such folder; --artifacts takes/);
  });

  it('--rejudge builtin puts the analyzer\'s Tables 2 and 4 beside the study\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secagent-tables-'));
    const r = await runCli(['--store', join(dir, 's.db'), 'study', 'tables', '--artifacts', ROOT, '--format', 'json', '--rejudge', 'builtin'], { env: cleanEnv() });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.table2.gpt4).toEqual({ vulnerable: 91, total: 121 });
    expect(t.rejudged.judge).toBe('builtin (task-cwe)');
    for (const g of ['gpt3.5', 'gpt4', 'codellama', 'codegeex2']) {
      const a = t.rejudged.agreement[g];
      expect(a.both + a.studyOnly + a.judgeOnly + a.neither).toBe(121);
      expect(t.rejudged.table2[g].vulnerable).toBe(a.both + a.judgeOnly);
      expect(t.rejudged.table2[g].total).toBe(121);
      expect(t.rejudged.table4.gpt4[g].vulnerable).toBe(t.table2[g].vulnerable);
    }
    const md = await runCli(['--store', join(dir, 's.db'), 'study', 'tables', '--artifacts', ROOT, '--format', 'markdown', '--rejudge', 'builtin'], { env: cleanEnv() });
    expect(md.stdout).toContain('## Re-judged by builtin (task-cwe)');
    expect(md.stdout).toMatch(/\| builtin \(task-cwe\) \| \d+\/121 /);
  }, 120_000);
});

describe('secagent study rq1-rq3 and report against a local endpoint', () => {
  let data: StudyData;
  let server: FakeServer;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'secagent-study-cli-'));
  const store = join(dir, 'store.db');
  const tasksFile = join(dir, 'tasks.jsonl');
  const expectedBuiltin = new Map<string, boolean>();

  beforeAll(async () => {
    data = loadStudyData();
    server = await startFakeOpenAI(studyReplay(data).handler);
    env = cleanEnv({ OPENAI_BASE_URL: server.baseURL });
    writeFileSync(tasksFile, SIX_TASKS.map((id) => JSON.stringify({ ID: id.replace('/', '_'), Prompt: data.prompts.get(id) })).join('\n') + '\n');
    // What the analyzer says of the study's RQ1 code, judged against the task's CWE.
    const judge = await CodeJudge.create([new BuiltinScanner()], { policy: 'task-cwe' });
    for (const g of ['gpt3.5', 'gpt4'] as const) {
      for (const t of SIX_TASKS) {
        const v = await judge.judge(t, Number(/CWE-(\d+)/.exec(t)![1]), data.code.get(g)!.get(t)!);
        expectedBuiltin.set(`${g}\0${t}`, v.vulnerable);
      }
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const study = (...args: string[]) => runCli(['--store', store, 'study', ...args], { env });

  it('rq1 prints Table 2 as the analyzer judges the generated code; run again, it asks nothing', async () => {
    const args = ['rq1', '--models', `${GPT35},${GPT4}`, '--tasks', tasksFile, '--scanners', 'builtin', '--run-id', 'cli-rq1'];
    const r = await study(...args);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.experiment).toBe('rq1');
    for (const [id, g] of [
      [GPT35, 'gpt3.5'],
      [GPT4, 'gpt4'],
    ] as const) {
      const vulnerable = SIX_TASKS.filter((task) => expectedBuiltin.get(`${g}\0${task}`)).length;
      expect(t.table2[id]).toEqual({ vulnerable, total: 6, failed: 0 });
    }
    expect(r.stderr).toMatch(/\[12\/12\]/);
    expect(r.stderr).toMatch(/rq1 run cli-rq1 done: 12 LLM calls/);
    const requests = server.requests.length;
    expect(requests).toBe(12);

    const again = await study(...args, '--format', 'markdown');
    expect(again.code).toBe(0);
    expect(server.requests.length).toBe(requests);
    expect(again.stderr).toMatch(/cli-rq1 \(continued\) done/);
    expect(again.stdout).toContain('### Table 2. Vulnerable code generated (RQ1)');
  }, 60_000);

  it('rq2 judges the rq1 samples against their verdicts, a scanner beside the model', async () => {
    const before = server.requests.length;
    const r = await study('rq2', '--from', 'cli-rq1', '--detectors', `${GPT4},scanner:builtin`, '--run-id', 'cli-rq2');
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(server.requests.length - before).toBe(12);
    // The analyzer judging its own verdicts is always right.
    expect(t.table3['scanner:builtin'][GPT35]).toMatchObject({ correct: 6, total: 6 });
    for (const [id, g] of [
      [GPT35, 'gpt3.5'],
      [GPT4, 'gpt4'],
    ] as const) {
      const correct = SIX_TASKS.filter((task) => (data.answers.get(`gpt4\0${g}`)!.get(task)!.trim().toLowerCase() === 'true') === expectedBuiltin.get(`${g}\0${task}`)).length;
      expect(t.table3[GPT4][id]).toMatchObject({ correct, total: 6 });
    }
  }, 60_000);

  it('rq3 on the published samples repairs what the study labelled vulnerable', async () => {
    const before = server.requests.length;
    const only = SIX_TASKS.flatMap((t) => ['--only', t]);
    const r = await study('rq3', '--artifacts', ROOT, '--generators', 'gpt4', ...only, '--repairers', GPT4, '--scanners', 'builtin', '--run-id', 'cli-rq3', '--format', 'csv');
    expect(r.code, r.stderr).toBe(0);
    const vulnerable = SIX_TASKS.filter((t) => data.rq1Labels.get('gpt4')!.get(t)! > 0);
    expect(vulnerable.length).toBeLessThan(6);
    expect(server.requests.length - before).toBe(vulnerable.length);
    const judge = await CodeJudge.create([new BuiltinScanner()], { policy: 'task-cwe' });
    let fixed = 0;
    for (const t of vulnerable) {
      const repaired = data.fixed.get('gpt4\0gpt4')!.get(t)!;
      if (!(await judge.judge(t, Number(/CWE-(\d+)/.exec(t)![1]), repaired)).vulnerable) fixed++;
    }
    const row = r.stdout.trim().split('\n').find((l) => l.startsWith('table4,'))!.split(',');
    expect(row.slice(0, 5)).toEqual(['table4', GPT4, 'gpt4', String(fixed), String(vulnerable.length)]);
  }, 120_000);

  it('bad input is a one-line error with exit 2', async () => {
    const noSource = await study('rq2', '--detectors', GPT4);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/^secagent: which samples\? give --from/);
    const wrongRun = await study('rq3', '--from', 'cli-rq2', '--repairers', GPT4, '--scanners', 'builtin');
    expect(wrongRun.code).toBe(2);
    expect(wrongRun.stderr).toMatch(/cli-rq2" is a study-rq2 run, not an rq1 run/);
    const noOutput = await runCli(['--store', store, 'report', 'cli-rq1'], { env });
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toMatch(/give --html <file> and\/or --format markdown/);
  }, 60_000);

  it('report writes an experiment run as HTML with its chart, and the artifacts as HTML and Markdown', async () => {
    const html = join(dir, 'rq2.html');
    const r = await runCli(['--store', store, 'report', 'cli-rq2', '--html', html], { env });
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Table 3. Correct answers');
    expect(page).toContain('<svg');
    expect(page).toContain('scanner:builtin');

    const studyHtml = join(dir, 'study.html');
    const studyMd = join(dir, 'study.md');
    const a = await runCli(['--store', store, 'report', '--artifacts', ROOT, '--html', studyHtml, '--format', 'markdown', '--output', studyMd], { env });
    expect(a.code, a.stderr).toBe(0);
    expect(existsSync(studyHtml)).toBe(true);
    expect(readFileSync(studyHtml, 'utf8').match(/<svg/g)?.length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(studyMd, 'utf8')).toContain('92/121');
  }, 120_000);
});

describe('secagent study rq4 against a local endpoint', () => {
  it('runs Algorithm 1 twice per setup and prints Figure 6 and Table 5', async () => {
    const recorded = loadRecordedTasks().filter((t) => SIX_TASKS.includes(t.id));
    const server = await startFakeOpenAI(recordedModel(recorded).handler);
    const dir = mkdtempSync(join(tmpdir(), 'secagent-rq4-cli-'));
    try {
      const tasks = writeTasksJsonl(recorded, join(dir, 'tasks.jsonl'));
      const args = ['--store', join(dir, 's.db'), 'study', 'rq4', '--generators', GPT35, '--repairers', GPT4, '--tasks', tasks, '--scanners', 'builtin', '-k', '2', '--runs', '2', '--run-id', 'cli-rq4'];
      const env = cleanEnv({ OPENAI_BASE_URL: server.baseURL });
      const r = await runCli(args, { env });
      expect(r.code, r.stderr).toBe(0);
      const t = JSON.parse(r.stdout);
      const setup = t.figure6[0];
      expect(setup.rounds).toEqual(['iter1', 'iter2', 'final']);
      expect(setup.runs).toHaveLength(2);
      // The replay answers both runs alike, so both runs count alike, and each asked for itself.
      expect(setup.runs[0].counts).toEqual(setup.runs[1].counts);
      expect(server.requests.length % 2).toBe(0);
      const { iter1, final } = setup.runs[0].counts;
      expect(iter1).toBeGreaterThanOrEqual(final);
      expect(t.table5Detail[GPT4][GPT35]).toMatchObject({ vulnerable: 2 * iter1, fixed: 2 * (iter1 - final) });
      const requests = server.requests.length;
      const again = await runCli(args, { env });
      expect(again.code).toBe(0);
      expect(server.requests.length).toBe(requests);
    } finally {
      await server.close();
    }
  }, 120_000);
});
