import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import { listRq4Runs, readCodeSpace } from './artifacts.js';
import { buildStudyReport } from './experiments/index.js';
import { IMPORT_KINDS, LABEL_JUDGE, RQ4_LOG_SCANNER, RQ4_SCAN_JUDGE, importArtifacts, importRunId, type ImportResult } from './import.js';
import { storeTables } from './store-tables.js';
import { computeStudyTables } from './tables.js';

const root = studyArtifactsDir();

describe('importArtifacts', () => {
  let store: Store;
  let first: ImportResult;
  const count = (table: string) => (store.raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  beforeAll(() => {
    store = openStore(':memory:');
    first = importArtifacts(store, root);
  }, 60_000);
  afterAll(() => store.close());

  it('creates one finished run per generator, detector file, repair setup and RQ4 run', () => {
    expect(first.skipped).toEqual([]);
    const kinds = Object.values(IMPORT_KINDS).map((kind) => store.listRuns({ kind }).length);
    expect(kinds).toEqual([4, 9, 8, 25]);
    expect(first.created).toHaveLength(46);
    expect(store.listRuns().every((r) => r.status === 'done')).toBe(true);
    expect(count('samples')).toBe(first.samples);
    expect(count('findings')).toBe(first.findings);
    expect(count('verdicts')).toBe(first.verdicts);
  });

  it('is idempotent: a second import adds nothing', () => {
    const before = ['runs', 'tasks', 'samples', 'findings', 'verdicts'].map(count);
    const again = importArtifacts(store, root);
    expect(again.created).toEqual([]);
    expect(again.skipped).toHaveLength(46);
    expect(again.samples + again.findings + again.verdicts).toBe(0);
    expect(['runs', 'tasks', 'samples', 'findings', 'verdicts'].map(count)).toEqual(before);
  });

  it('stores RQ1 tasks with SecurityEval prompts, the code and the published label as a verdict', () => {
    const runId = importRunId('rq1', 'codellama');
    expect(store.listTasks(runId)).toHaveLength(121);
    const task = store.getTask(runId, 'CWE-020/author_1.py')!;
    expect(task.prompt).toContain('yaml');
    expect(task.cwe).toBe(20);
    const [sample] = store.listSamples(runId, 'CWE-020/author_1.py');
    expect(sample.code).toBe(readFileSync(join(root, 'RQ1', 'generatedCode_codellama', 'CWE-020', 'author_1.py'), 'utf8'));
    expect(store.getVerdicts(sample.id)).toEqual([expect.objectContaining({ judge: LABEL_JUDGE, cwe: 20, vulnerable: true })]);
  });

  it('keeps RQ4 codeSpace rounds as a parent chain with the logged findings of each round', () => {
    const runId = importRunId('rq4', 'gpt4', 'for', 'gpt3.5', 1);
    const task = store.getTask(runId, 'CWE-020/codeql_3.py')!;
    expect(task).toMatchObject({ status: 'vulnerable', rounds: 5 });
    const chain = store.lineage(task.finalSampleId!);
    expect(chain.map((s) => [s.round, s.model])).toEqual([
      [0, 'gpt3.5'],
      [1, 'gpt4'],
      [2, 'gpt4'],
      [3, 'gpt4'],
      [4, 'gpt4'],
      [5, 'gpt4'],
    ]);
    const codeSpace = readCodeSpace(listRq4Runs(root).find((r) => r.name === '4_for_3.5_1')!)!;
    expect(chain.map((s) => s.code)).toEqual(codeSpace.map((r) => r.files.get('CWE-020/codeql_3.py')));
    const findings = store.getFindings(chain[0].id);
    expect(findings).toEqual([expect.objectContaining({ scanner: RQ4_LOG_SCANNER, cwes: [601], ruleId: 'CWE-601' })]);
    expect(store.getVerdicts(chain[0].id)).toEqual([expect.objectContaining({ judge: RQ4_SCAN_JUDGE, vulnerable: true })]);
    // Flagged at iter1 = samples of round 0 with findings.
    const flagged = store.listTasks(runId).filter((t) => store.getFindings(store.listSamples(runId, t.taskId)[0].id).length > 0);
    expect(flagged).toHaveLength(42);
  });

  it('keeps the final code of RQ4 runs without codeSpace, and says when none was published', () => {
    const withCode = store.getTask(importRunId('rq4', 'gpt4', 'for', 'gpt4', 1), 'CWE-020/author_1.py')!;
    expect(store.getSample(withCode.finalSampleId!)!.code.length).toBeGreaterThan(0);
    const without = store.getTask(importRunId('rq4', 'gpt3.5', 'for', 'gpt3.5', 1), 'CWE-020/author_1.py')!;
    expect(without.finalSampleId).toBeUndefined();
    expect(without.reason).toBe('code not published for this run');
  });

  it('tabulates Table 2 and Table 4 back from the stored verdicts', () => {
    const fromStore = storeTables(store);
    const study = computeStudyTables(root);
    expect(fromStore.table2).toEqual(study.table2);
    const expected = structuredClone(study.table4);
    // The 56th "fixed" label of GPT-4 fixing GPT-3.5 has no repaired file to attach to.
    expected.gpt4!['gpt3.5']!.fixed = 55;
    expect(fromStore.table4).toEqual(expected);
  });

  it('reports a stored run as HTML with its drill-down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-report-'));
    const runId = importRunId('rq4', 'gpt4', 'for', 'gpt3.5', 2);
    const report = await buildStudyReport({ store, runId, html: join(dir, 'r.html'), markdown: join(dir, 'r.md') });
    expect(report.written).toEqual([join(dir, 'r.html'), join(dir, 'r.md')]);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain(`secagent run ${runId}`);
    expect(html.match(/<details class="task"/g)).toHaveLength(67);
    expect(html).toContain('<pre class="diff">');
    expect(html).toMatch(/<svg[^>]*class="marks"/);
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toBe(report.markdown);
    expect(md).toMatch(/\| round 0 \| 41 \| 67 \|/);
  });
});
