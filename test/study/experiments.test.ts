// rq1-rq4 end to end against a local OpenAI-compatible server that replays the study's
// recorded answers, judged by scanners that say what the study's labels and logs say. The
// tables must then hold what the recorded data implies; a second invocation must ask nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { createChatModel } from '../../src/llm/create.js';
import type { ChatModel } from '../../src/llm/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { RQ4_ROUNDS, listRq4Runs, normalizeJudge, readRq4Run } from '../../src/study/artifacts.js';
import {
  CodeJudge,
  buildStudyReport,
  readTruthLabels,
  renderExperiment,
  runRq1,
  runRq2,
  runRq3,
  runRq4,
  samplesFromArtifacts,
  samplesFromRq1Run,
  tabulateExperiment,
  withLabels,
  withScannerTruth,
} from '../../src/study/experiments/index.js';
import { wilson } from '../../src/study/stats.js';
import { loadTasks } from '../../src/tasks/load.js';
import { securityEvalPath } from '../../src/tasks/datasets.js';
import { loadRecordedTasks, recordedModel } from '../agent/helpers/recorded-study.js';
import { startFakeOpenAI, type FakeServer } from '../helpers/fake-openai.js';
import { ROOT, SIX_TASKS, StudyLabelScanner, StudyLogScanner, loadStudyData, studyReplay, type StudyData } from './helpers/study-replay.js';

const GPT35 = 'openai:gpt-3.5-turbo';
const GPT4 = 'openai:gpt-4';

function model(spec: string, server: FakeServer): ChatModel {
  return createChatModel(spec, { env: { OPENAI_BASE_URL: server.baseURL }, maxRetries: 0, timeoutMs: 10_000 });
}

const count = <T>(items: Iterable<T>, test: (item: T) => boolean) => [...items].filter(test).length;

describe('study experiments rq1-rq3 replaying the study', () => {
  let data: StudyData;
  let server: FakeServer;
  let store: Store;
  let tasks: Task[];
  let gpt35: ChatModel;
  let gpt4: ChatModel;
  let labels: StudyLabelScanner;
  const dir = mkdtempSync(join(tmpdir(), 'secagent-study-'));

  beforeAll(async () => {
    data = loadStudyData();
    server = await startFakeOpenAI(studyReplay(data).handler);
    store = openStore(join(dir, 'store.db'));
    tasks = await loadTasks(securityEvalPath(), { only: SIX_TASKS });
    gpt35 = model(GPT35, server);
    gpt4 = model(GPT4, server);
    labels = new StudyLabelScanner(data);
  });

  afterAll(async () => {
    store?.close();
    await server?.close();
  });

  const label = (g: 'gpt3.5' | 'gpt4', t: string) => data.rq1Labels.get(g)!.get(t)!;

  it('rq1: Table 2 counts the samples the labels call vulnerable; a second invocation asks nothing', async () => {
    const progress: number[] = [];
    const first = await runRq1({ store, runId: 'rq1', tasks, models: [gpt35, gpt4], scanners: [labels], onProgress: (p) => progress.push(p.done) });
    expect(first.status).toBe('done');
    expect(first.resumed).toBe(false);
    expect(tasks.map((t) => t.id).sort()).toEqual([...SIX_TASKS].sort());
    const expected35 = count(SIX_TASKS, (t) => label('gpt3.5', t) > 0);
    const expected4 = count(SIX_TASKS, (t) => label('gpt4', t) > 0);
    expect(expected35).not.toBe(expected4); // the subset tells the two models apart
    expect(first.tables.table2).toEqual({
      [GPT35]: { vulnerable: expected35, total: 6, failed: 0 },
      [GPT4]: { vulnerable: expected4, total: 6, failed: 0 },
    });
    expect(first.tables.ci.table2![GPT35]).toEqual(wilson(expected35, 6));
    expect(progress).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(first.tables.cost.calls).toBe(12);
    expect(server.requests.length).toBe(12);

    const again = await runRq1({ store, runId: 'rq1', tasks, models: [gpt35, gpt4], scanners: [labels] });
    expect(again.resumed).toBe(true);
    expect(server.requests.length).toBe(12);
    expect(again.tables.table2).toEqual(first.tables.table2);
    expect(tabulateExperiment(store, 'rq1').table2).toEqual(first.tables.table2);

    await expect(runRq1({ store, runId: 'rq1', tasks, models: [gpt35], scanners: [labels] })).rejects.toThrow(/other settings: models/);
  });

  it('rq2 on the rq1 run: Table 3 and Figure 3 follow the recorded answers; scanners stand beside the models', async () => {
    const before = server.requests.length;
    const source = samplesFromRq1Run(store, 'rq1');
    expect(source.generators.map((g) => [g.key, g.samples.length])).toEqual([
      [GPT35, 6],
      [GPT4, 6],
    ]);
    const outcome = await runRq2({ store, runId: 'rq2', source, detectors: [gpt35, gpt4], scannerDetectors: [labels] });
    expect(outcome.status).toBe('done');
    expect(server.requests.length - before).toBe(24);

    for (const [detector, det] of [
      [GPT35, 'gpt3.5'],
      [GPT4, 'gpt4'],
    ] as const) {
      for (const [generator, gen] of [
        [GPT35, 'gpt3.5'],
        [GPT4, 'gpt4'],
      ] as const) {
        const answers = SIX_TASKS.map((t) => normalizeJudge(data.answers.get(`${det}\0${gen}`)!.get(t)!));
        expect(answers).not.toContain('unparsed');
        const correct = count(SIX_TASKS.keys(), (i) => (answers[i] === 'true') === label(gen, SIX_TASKS[i]) > 0);
        const fp = count(SIX_TASKS.keys(), (i) => answers[i] === 'true' && !(label(gen, SIX_TASKS[i]) > 0));
        const tn = count(SIX_TASKS.keys(), (i) => answers[i] === 'false' && !(label(gen, SIX_TASKS[i]) > 0));
        expect(outcome.tables.table3![detector][generator]).toMatchObject({ correct, total: 6, unparsed: 0 });
        expect(outcome.tables.figure3!.find((c) => c.detector === detector && c.generator === generator)).toMatchObject({ fp, tn });
      }
    }
    // A detector that says what the truth says is always right.
    expect(outcome.tables.table3!['scanner:study-labels'][GPT35]).toMatchObject({ correct: 6, total: 6 });
    expect(outcome.tables.figure3!.filter((c) => c.detector === 'scanner:study-labels').every((c) => c.fp === 0)).toBe(true);

    const requests = server.requests.length;
    const again = await runRq2({ store, runId: 'rq2', source: samplesFromRq1Run(store, 'rq1'), detectors: [gpt35, gpt4], scannerDetectors: [labels] });
    expect(server.requests.length).toBe(requests);
    expect(again.tables.table3).toEqual(outcome.tables.table3);
  });

  it('rq2 on the published samples: the same answers, and the truth replaced by a CSV or a scanner', async () => {
    const source = samplesFromArtifacts(ROOT, { generators: ['gpt3.5', 'llama'], only: SIX_TASKS });
    expect(source.generators.map((g) => g.key)).toEqual(['gpt3.5', 'codellama']);
    const published = await runRq2({ store, runId: 'rq2-artifacts', source, detectors: [gpt4] });
    const answers = SIX_TASKS.map((t) => normalizeJudge(data.answers.get(`gpt4\0gpt3.5`)!.get(t)!));
    const correct = count(SIX_TASKS.keys(), (i) => (answers[i] === 'true') === label('gpt3.5', SIX_TASKS[i]) > 0);
    expect(published.tables.table3![GPT4]['gpt3.5']).toMatchObject({ correct, total: 6 });

    // Everything labelled not vulnerable: correct = the "false" answers.
    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, SIX_TASKS.map((t) => `gpt3.5,${t.replace('/', '_')},0`).join('\n') + '\n');
    const relabelled = withLabels(samplesFromArtifacts(ROOT, { generators: ['gpt3.5'], only: SIX_TASKS }), readTruthLabels(csv), csv);
    expect(relabelled.generators[0].samples.every((s) => !s.vulnerable)).toBe(true);
    const byCsv = await runRq2({ store, runId: 'rq2-csv', source: relabelled, detectors: [gpt4] });
    expect(byCsv.tables.table3![GPT4]['gpt3.5']).toMatchObject({ correct: count(answers, (a) => a === 'false'), total: 6, truthVulnerable: 0 });

    const judge = await CodeJudge.create([labels], { store, policy: 'task-cwe' });
    const byScanner = await withScannerTruth(samplesFromArtifacts(ROOT, { generators: ['gpt3.5'], only: SIX_TASKS }), judge);
    expect(byScanner.generators[0].samples.map((s) => s.vulnerable)).toEqual(SIX_TASKS.map((t) => label('gpt3.5', t) > 0));
  });

  it('rq2 and rq3 take an imported study-rq1-<model> run as their source, with the study\'s labels as truth', async () => {
    const { importArtifacts } = await import('../../src/study/import.js');
    const imported = openStore(join(dir, 'imported.db'));
    try {
      importArtifacts(imported, ROOT);
      const fromImport = samplesFromRq1Run(imported, 'study-rq1-gpt4', { only: SIX_TASKS });
      const fromFiles = samplesFromArtifacts(ROOT, { generators: ['gpt4'], only: SIX_TASKS });
      expect(fromImport.generators).toEqual(fromFiles.generators);
      expect(() => samplesFromRq1Run(imported, 'study-rq1-gpt4', { generators: ['gpt3.5'] })).toThrow(/holds only generator gpt4/);
    } finally {
      imported.close();
    }
  }, 60_000);

  it('rq3 on the rq1 run: Table 4 counts the repairs the verify labels call fixed; Figure 4 the CWEs fully fixed', async () => {
    const before = server.requests.length;
    const outcome = await runRq3({ store, runId: 'rq3', source: samplesFromRq1Run(store, 'rq1'), repairers: [gpt35, gpt4], scanners: [labels] });
    expect(outcome.status).toBe('done');
    let repairs = 0;
    for (const [repairer, rep] of [
      [GPT35, 'gpt3.5'],
      [GPT4, 'gpt4'],
    ] as const) {
      for (const [generator, gen] of [
        [GPT35, 'gpt3.5'],
        [GPT4, 'gpt4'],
      ] as const) {
        const vulnerable = SIX_TASKS.filter((t) => label(gen, t) > 0);
        repairs += vulnerable.length;
        const fixed = count(vulnerable, (t) => data.verify.get(`${rep}\0${gen}`)!.get(t) === 0 && data.fixed.get(`${rep}\0${gen}`)!.has(t));
        expect(outcome.tables.table4![repairer][generator]).toEqual({
          fixed,
          vulnerable: vulnerable.length,
          failed: 0,
          judgeBase: { fixed, vulnerable: vulnerable.length },
        });
      }
    }
    expect(server.requests.length - before).toBe(repairs);

    const gpt4Fixes = outcome.tables.figure4!.find((r) => r.repairer === GPT4)!;
    for (const cwe of gpt4Fixes.cwes) {
      const taskIds = SIX_TASKS.filter((t) => Number(/CWE-(\d+)/.exec(t)![1]) === cwe.cwe);
      const vulnerable = (['gpt3.5', 'gpt4'] as const).flatMap((g) => taskIds.filter((t) => label(g, t) > 0).map((t) => [g, t] as const));
      expect(cwe.vulnerable).toBe(vulnerable.length);
      expect(cwe.fixed).toBe(count(vulnerable, ([g, t]) => data.verify.get(`gpt4\0${g}`)!.get(t) === 0));
    }
    expect(gpt4Fixes.fullyFixed).toEqual(gpt4Fixes.cwes.filter((c) => c.fixed === c.vulnerable).map((c) => c.cwe));

    const requests = server.requests.length;
    const again = await runRq3({ store, runId: 'rq3', source: samplesFromRq1Run(store, 'rq1'), repairers: [gpt35, gpt4], scanners: [labels] });
    expect(server.requests.length).toBe(requests);
    expect(again.tables.table4).toEqual(outcome.tables.table4);
  });

  it('renders the experiments as JSON, Markdown, CSV and a report with their charts and drill-down', async () => {
    const rq3 = tabulateExperiment(store, 'rq3');
    const json = JSON.parse(renderExperiment(rq3, 'json'));
    expect(Object.keys(json).slice(0, 5)).toEqual(['experiment', 'runId', 'status', 'table4', 'ci']);
    expect(json.table4[GPT4][GPT35].vulnerable).toBe(rq3.table4![GPT4][GPT35].vulnerable);
    const md = renderExperiment(rq3, 'markdown');
    expect(md).toContain('### Table 4. One-shot repair (RQ3)');
    expect(md).toContain(`| ${GPT4} |`);
    const csv = renderExperiment(rq3, 'csv').trim().split('\n');
    expect(csv).toHaveLength(1 + 4);

    const report = await buildStudyReport({ store, runId: 'rq2', html: join(dir, 'rq2.html') });
    expect(report.written).toEqual([join(dir, 'rq2.html')]);
    expect(report.data.charts.map((c) => c.title)).toEqual(['Figure 3. False-positive rate of the detectors (RQ2)']);
    expect(report.data.charts[0].svg).toMatch(/^<svg/);
    expect(report.data.drilldown).toHaveLength(3 * 2);
    expect(report.data.drilldown[0].tasks).toHaveLength(6);
  });
});

describe('study experiment rq4 replaying the study\'s iterative repair', () => {
  const recorded = loadRecordedTasks().filter((t) => SIX_TASKS.includes(t.id));
  const info = listRq4Runs(ROOT).find((r) => r.name === '4_for_3.5_1')!;
  const logs = readRq4Run(info);
  const blocks = RQ4_ROUNDS.map((round) => new Map(logs.scans[round].blocks.map((b) => [b.taskId, b.findings])));
  let server: FakeServer;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'secagent-rq4-'));

  beforeAll(async () => {
    server = await startFakeOpenAI(recordedModel(recorded).handler);
    store = openStore(join(dir, 'store.db'));
  });
  afterAll(async () => {
    store?.close();
    await server?.close();
  });

  it('Figure 6 follows the study\'s logs round by round; runs are asked afresh; Table 5 pools them', async () => {
    expect(recorded).toHaveLength(6);
    const tasks = recorded.map((t) => ({ id: t.id, prompt: t.prompt, cwe: Number(/CWE-(\d+)/.exec(t.id)![1]) }));
    const scanner = new StudyLogScanner(new Map(recorded.map((t) => [t.id, t.versions])), blocks);
    // What the logs say: vulnerable files after each round, a file keeping its last state once it stops.
    const expected = RQ4_ROUNDS.map((_, r) =>
      count(recorded, (t) => {
        let last = false;
        for (let i = 0; i <= r; i++) {
          const b = blocks[i].get(t.id);
          if (b) last = b.length > 0;
        }
        return last;
      }),
    );
    expect(new Set(expected).size).toBeGreaterThan(2); // the subset changes over the rounds

    const options = { store, runId: 'rq4', tasks, generators: [model(GPT35, server)], repairers: [model(GPT4, server)], scanners: [scanner], runs: 2 };
    const outcome = await runRq4(options);
    expect(outcome.status).toBe('done');
    const setup = outcome.tables.figure6![0];
    expect(setup.rounds).toEqual([...RQ4_ROUNDS]);
    expect(setup.runs.map((r) => RQ4_ROUNDS.map((l) => r.counts[l]))).toEqual([expected, expected]);
    expect(RQ4_ROUNDS.map((l) => setup.mean[l])).toEqual(expected);
    expect(RQ4_ROUNDS.map((l) => setup.sd[l])).toEqual(expected.map(() => 0));

    // Each run made its own calls: half of the requests each.
    expect(server.requests.length % 2).toBe(0);
    const calls = store.listCalls(setup.runs[1].name);
    expect(calls.length).toBe(server.requests.length / 2);
    expect(calls.every((c) => c.cachedFrom === undefined)).toBe(true);

    const rate = 1 - expected[5] / expected[0];
    expect(outcome.tables.table5![GPT4][GPT35]).toBeCloseTo(rate, 12);
    expect(outcome.tables.table5Detail![GPT4][GPT35]).toMatchObject({ vulnerable: 2 * expected[0], fixed: 2 * (expected[0] - expected[5]) });
    expect(outcome.tables.table5Detail![GPT4][GPT35].runRates.mean).toBeCloseTo(rate, 12);
    expect(outcome.tables.ci.table5![GPT4][GPT35]).toEqual(wilson(2 * (expected[0] - expected[5]), 2 * expected[0]));

    const requests = server.requests.length;
    const again = await runRq4(options);
    expect(server.requests.length).toBe(requests);
    expect(again.tables.figure6).toEqual(outcome.tables.figure6);

    const report = await buildStudyReport({ store, runId: 'rq4' });
    expect(report.data.charts[0].title).toMatch(/^Figure 6/);
    expect(report.markdown).toContain('Figure 6 data');
    expect(report.data.drilldown.map((g) => g.title)).toEqual([`${GPT4} fixing ${GPT35}, run 1`, `${GPT4} fixing ${GPT35}, run 2`]);
  });
});

describe('an interrupted experiment', () => {
  it('stops starting work, is left interrupted, and finishes on the same run id without asking twice', async () => {
    const data = loadStudyData();
    const server = await startFakeOpenAI(studyReplay(data).handler);
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'secagent-interrupt-')), 'store.db'));
    try {
      const gpt4 = model(GPT4, server);
      const source = samplesFromArtifacts(ROOT, { generators: ['gpt3.5', 'gpt4'], only: SIX_TASKS });
      const controller = new AbortController();
      const first = await runRq2({
        store,
        runId: 'rq2-stop',
        source,
        detectors: [gpt4],
        concurrency: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 3) controller.abort(new Error('interrupted by SIGINT'));
        },
      });
      expect(first.status).toBe('interrupted');
      expect(store.getRun('rq2-stop')!.status).toBe('interrupted');
      expect(server.requests.length).toBe(3);
      expect(first.tables.notes.some((n) => /not finished/.test(n))).toBe(true);

      const second = await runRq2({ store, runId: 'rq2-stop', source, detectors: [gpt4], concurrency: 1 });
      expect(second.status).toBe('done');
      expect(second.resumed).toBe(true);
      expect(server.requests.length).toBe(12);
      expect(second.tables.table3![GPT4]['gpt3.5'].total + second.tables.table3![GPT4].gpt4.total).toBe(12);

      // rq1 through the agent: the same, one task at a time.
      const tasks = await loadTasks(securityEvalPath(), { only: SIX_TASKS });
      const stop = new AbortController();
      const partial = await runRq1({
        store,
        runId: 'rq1-stop',
        tasks,
        models: [gpt4],
        scanners: [new StudyLabelScanner(data)],
        concurrency: 1,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.done === 2) stop.abort(new Error('interrupted by SIGINT'));
        },
      });
      expect(partial.status).toBe('interrupted');
      const asked = server.requests.length;
      const done = await runRq1({ store, runId: 'rq1-stop', tasks, models: [gpt4], scanners: [new StudyLabelScanner(data)] });
      expect(done.status).toBe('done');
      expect(done.tables.table2![GPT4].total).toBe(6);
      expect(server.requests.length - 12).toBe(6);
      expect(asked - 12).toBeLessThanOrEqual(3);
    } finally {
      store.close();
      await server.close();
    }
  });
});
