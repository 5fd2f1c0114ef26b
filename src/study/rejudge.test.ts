import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { studyArtifactsDir } from '../tasks/datasets.js';
import { readRq1Labels, readRq3Verify } from './artifacts.js';
import { GENERATOR_FILE_NAME } from './labels.js';
import { rejudgeArtifacts, type Judge } from './rejudge.js';
import { computeStudyTables } from './tables.js';

const root = studyArtifactsDir();

describe('rejudgeArtifacts', () => {
  it('reproduces the study where the judge answers with the published labels', async () => {
    const rq1 = readRq1Labels(root);
    const verify = readRq3Verify(root);
    // A judge that knows the labels: RQ1 files by review label, RQ3 files by verify label.
    const oracle: Judge = async (_code, _cwe, path) => {
      const parts = path.split(sep);
      const taskId = parts.slice(-2).join('/');
      const folder = parts[parts.length - 3];
      const rq1Folder = /^generatedCode_(.+)$/.exec(folder);
      if (rq1Folder) return rq1.get(rq1Folder[1] as 'gpt4')!.get(taskId)! > 0;
      const v = verify.find((x) => folder === `fixedCodes_${x.repairer}_for_${GENERATOR_FILE_NAME[x.generator]}`)!;
      return v.labels.get(taskId) !== 0;
    };
    let progress = 0;
    const judged = await rejudgeArtifacts(root, oracle, { concurrency: 8, onProgress: (done) => (progress = done) });
    const study = computeStudyTables(root);

    expect(judged.table2).toEqual(study.table2);
    expect(judged.samples).toHaveLength(484 + 2 * (92 + 91 + 91 + 95));
    expect(progress).toBe(judged.samples.length);
    // Same cells as the study, except where a "fixed" verify label belongs to a sample with no
    // repaired file (GPT-4 fixing GPT-3.5: CWE-295/codeql_1.py, labelled 0 in RQ1).
    const expected = structuredClone(study.table4);
    expected.gpt4!['gpt3.5'] = { fixed: 55, vulnerable: 92 };
    expect(judged.table4).toEqual(expected);
    expect(judged.table4JudgeBase).toEqual(expected);
    expect(judged.ci.table4.gpt4!.gpt4!.p).toBeCloseTo(50 / 91, 12);
  });

  it('passes code, CWE and path to any judge and counts what it says', async () => {
    const seen: { cwe: number; hasCode: boolean }[] = [];
    const yamlLoad: Judge = async (code, cwe) => {
      seen.push({ cwe, hasCode: code.length > 0 });
      return /yaml\.load\(/.test(code) && !/SafeLoader|safe_load/.test(code);
    };
    const judged = await rejudgeArtifacts(root, yamlLoad);
    expect(seen.every((s) => s.hasCode && Number.isInteger(s.cwe) && s.cwe > 0)).toBe(true);
    const flagged = judged.samples.filter((s) => s.set === 'rq1' && s.vulnerable);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThan(40);
    expect(Object.values(judged.table2).reduce((n, c) => n + c!.vulnerable, 0)).toBe(flagged.length);
    // Few repaired files still call yaml.load unsafely: nearly all of the repair set counts as fixed.
    const cell = judged.table4.gpt4!.gpt4!;
    expect(cell.vulnerable).toBe(91);
    expect(cell.fixed).toBeGreaterThan(80);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const slow: Judge = async () => {
      controller.abort();
      return false;
    };
    await expect(rejudgeArtifacts(root, slow, { concurrency: 1, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describe('re-judged tables in the report', () => {
  it('puts the judge beside the study for Tables 2 and 4', async () => {
    const { buildArtifactsReport } = await import('./report.js');
    const { renderStudyMarkdown } = await import('../report/html-markdown.js');
    const nothing: Judge = async () => false;
    const rejudged = await rejudgeArtifacts(root, nothing);
    expect(rejudged.table2.gpt4).toEqual({ vulnerable: 0, total: 121 });
    expect(rejudged.table4.gpt4!.gpt4).toEqual({ fixed: 91, vulnerable: 91 });
    const data = await buildArtifactsReport(root, { rejudged, judgeName: 'never-vulnerable', runs: [] });
    const md = renderStudyMarkdown(data);
    expect(md).toContain('### Table 2 re-judged: vulnerable samples by never-vulnerable vs. the study');
    expect(md).toMatch(/\| never-vulnerable \| 0\/121 \(0\.0%\) \| 0\/121/);
    expect(md).toMatch(/\| GPT-4 \| never-vulnerable \| 92\/92 \(100\.0%\) \(—\) \| 91\/91 /);
    expect(data.drilldown).toEqual([]);
  });
});
