// npm run eval: scoring, floors, sample collection and the command itself on a small data tree.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/types.js';
import { BanditScanner } from '../src/scanners/bandit.js';
import { builtinDetector } from '../bench/lib/detectors.js';
import { collectSamples, type EvalSample } from '../bench/lib/samples.js';
import { applyAudit, readLabelAudit, withAuditedLabels } from '../bench/lib/audit.js';
import { auditedView, buildReport, checkFloors, confusionOf, judge, ratesOf } from '../bench/lib/score.js';
import { UserError } from '../src/core/types.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');

function finding(file: string, cwes: number[], ruleId = 'R1'): Finding {
  return {
    scanner: 'test', ruleId, cwes, severity: 'high', confidence: 'high', message: 'm',
    file, line: 1, column: 1, endLine: 1, endColumn: 2,
  };
}

function sample(path: string, cwe: number, vulnerable: boolean, set: EvalSample['set'] = 'rq1', group = 'gpt4'): EvalSample {
  return { set, group, taskId: path, cwe, path, location: path, code: '', vulnerable };
}

describe('judging samples', () => {
  it('flags a sample only for a finding whose CWE matches the task CWE', () => {
    const samples = [
      sample('a.py', 89, true), // exact CWE -> TP
      sample('b.py', 78, true), // parent 77 -> TP
      sample('c.py', 78, true), // grandparent 74 only -> FN
      sample('d.py', 79, false), // unrelated CWE-89 finding -> TN
      sample('e.py', 79, false), // child 80 -> FP
      sample('f.py', 22, true), // nothing -> FN
    ];
    const outcomes = judge(samples, [
      finding('a.py', [89]),
      finding('b.py', [20, 77]),
      finding('c.py', [74]),
      finding('d.py', [89]),
      finding('e.py', [80]),
      finding('elsewhere.py', [22]),
    ]);
    expect(outcomes.map((o) => o.flagged)).toEqual([true, true, false, false, true, false]);
    const c = confusionOf(outcomes);
    expect(c).toEqual({ tp: 2, fp: 1, fn: 2, tn: 1 });
    expect(ratesOf(c)).toEqual({ precision: 2 / 3, recall: 0.5, accuracy: 0.5 });
    expect(judge(samples, [finding('c.py', [74])], { depth: 2 })[2].flagged).toBe(true);
  });

  it('leaves precision undefined when nothing is flagged', () => {
    expect(ratesOf({ tp: 0, fp: 0, fn: 3, tn: 1 })).toEqual({ precision: null, recall: 0, accuracy: 0.25 });
  });
});

describe('the report and its floors', () => {
  const meta = { scanner: 't', dataDir: '/d', matchDepth: 1, diagnosticMessages: [], seconds: { scan: 0, total: 0 } };

  it('passes and fails floors on the measured figures', () => {
    const insecure = Array.from({ length: 121 }, (_, i) => sample(`i${i}.py`, 89, true, 'insecure', 'securityeval'));
    const flaggedFirst = (n: number) => insecure.slice(0, n).map((s) => finding(s.path, [89]));
    const report115 = buildReport(judge(insecure, flaggedFirst(115)), meta);
    expect(report115.insecure).toMatchObject({ flagged: 115, total: 121 });
    expect(report115.insecure?.missed).toHaveLength(6);
    expect(report115.floors).toEqual([
      expect.objectContaining({ id: 'insecure', value: 115, threshold: 115, passed: true }),
    ]);
    expect(buildReport(judge(insecure, flaggedFirst(114)), meta).floors[0].passed).toBe(false);
    expect(
      checkFloors({
        rq1: { group: 'overall', samples: 1, confusion: { tp: 0, fp: 0, fn: 1, tn: 0 }, rates: { precision: null, recall: 0.95, accuracy: 0 }, groups: [] },
      }).map((f) => [f.id, f.passed]),
    ).toEqual([
      ['rq1-precision', false],
      ['rq1-recall', true],
    ]);
  });

  it('groups by model, tabulates per CWE and lists misses and false alarms', () => {
    const samples = [
      sample('g1.py', 89, true, 'rq1', 'gpt4'),
      sample('g2.py', 89, false, 'rq1', 'gpt4'),
      sample('c1.py', 78, true, 'rq1', 'codellama'),
    ];
    const report = buildReport(judge(samples, [finding('g2.py', [89], 'B608'), finding('c1.py', [502], 'B301')]), meta);
    expect(report.rq1?.groups.map((g) => [g.group, g.confusion])).toEqual([
      ['gpt4', { tp: 0, fp: 1, fn: 1, tn: 0 }],
      ['codellama', { tp: 0, fp: 0, fn: 1, tn: 0 }],
    ]);
    expect(report.rq3).toBeUndefined();
    expect(report.perCwe.find((r) => r.cwe === 89)).toMatchObject({ vulnerable: 1, missed: 1, clean: 1, falsePositives: 1 });
    expect(report.issues).toEqual([
      expect.objectContaining({ kind: 'miss', location: 'g1.py', reported: [] }),
      expect.objectContaining({ kind: 'false-alarm', location: 'g2.py', reported: ['B608 CWE-89 line 1'] }),
      expect.objectContaining({ kind: 'miss', location: 'c1.py', reported: ['B301 CWE-502 line 1'] }),
    ]);
  });
});

describe('the label audit', () => {
  const meta = { scanner: 't', dataDir: '/d', matchDepth: 1, diagnosticMessages: [], seconds: { scan: 0, total: 0 } };
  const entry = (path: string, kind: string, verdict: string, cwe = 89) => ({ set: 'rq1', path, cwe, kind, verdict, reason: 'r' });

  it('flips only the labels it overturns, and names entries that do not fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify([
        entry('miss.py', 'miss', 'label-error'), // vulnerable -> clean
        entry('alarm.py', 'false-alarm', 'label-error'), // clean -> vulnerable
        entry('real.py', 'miss', 'still-missed'), // stays vulnerable
        entry('nowhere.py', 'miss', 'label-error'),
        entry('alarm.py', 'false-alarm', 'label-error'),
        entry('other.py', 'miss', 'label-error', 79),
        entry('clean.py', 'miss', 'label-error'),
      ]),
    );
    const samples = [sample('miss.py', 89, true), sample('alarm.py', 89, false), sample('real.py', 89, true), sample('other.py', 89, true), sample('clean.py', 89, false)];
    const audit = applyAudit(readLabelAudit(dir), samples);
    expect([...audit.overturned]).toEqual(['rq1:miss.py', 'rq1:alarm.py']);
    expect(audit.problems).toEqual([
      'a.json: rq1 nowhere.py: no such sample',
      'a.json: rq1 alarm.py: audited twice',
      'a.json: rq1 other.py: the sample\'s CWE is 89, not 79',
      'a.json: rq1 clean.py: a miss needs a sample labelled vulnerable',
    ]);
    expect(withAuditedLabels(samples, audit).map((s) => s.vulnerable)).toEqual([false, true, true, true, false]);
    const findings = [finding('alarm.py', [89])];
    expect(buildReport(judge(samples, findings), meta).rq1?.confusion).toEqual({ tp: 0, fp: 1, fn: 3, tn: 1 });
    const view = auditedView(audit, judge(withAuditedLabels(samples, audit), findings));
    expect(view).toMatchObject({ entries: 7, overturned: { rq1: 2, rq3: 0 }, verdicts: { 'label-error': 6, 'still-missed': 1 } });
    expect(view.rq1?.confusion).toEqual({ tp: 1, fp: 0, fn: 2, tn: 2 });
  });

  it('reads no folder as an empty audit, and rejects a malformed file naming it', () => {
    expect(readLabelAudit(join(tmpdir(), 'no-such-audit-dir'))).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ ...entry('x.py', 'miss', 'maybe') }]));
    expect(() => readLabelAudit(dir)).toThrow(UserError);
    expect(() => readLabelAudit(dir)).toThrow(/bad\.json: entry 0: verdict: /);
  });
});

/** A data folder shaped like ../shared/datasets with one or two samples per set. */
function makeDataTree(): string {
  const data = mkdtempSync(join(tmpdir(), 'eval-data-'));
  const put = (rel: string, text: string) => {
    mkdirSync(join(data, rel, '..'), { recursive: true });
    writeFileSync(join(data, rel), text);
  };
  const sqli = 'def q(cursor, name):\n    cursor.execute("SELECT * FROM t WHERE n = \'%s\'" % name)\n';
  const safe = 'def q(cursor, name):\n    cursor.execute("SELECT * FROM t WHERE n = ?", (name,))\n';
  const shell = 'import os\n\ndef run(cmd):\n    os.system(cmd)\n';
  put(
    'securityeval/dataset.jsonl',
    [
      { ID: 'CWE-089_author_1.py', Prompt: 'def q(cursor, name):', Insecure_code: sqli },
      { ID: 'CWE-078_author_1.py', Prompt: 'import os', Insecure_code: shell },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  const generators = { 'gpt3.5': 'gpt3.5', gpt4: 'gpt4', codellama: 'llama', codegeex2: 'codegeex' };
  for (const [folder, short] of Object.entries(generators)) {
    put(`llmsecurecode/RQ1/generatedCode_${folder}/CWE-089/author_1.py`, sqli);
    put(`llmsecurecode/RQ1/generatedCode_${folder}/CWE-078/author_1.py`, safe);
    put(`llmsecurecode/RQ1/review_${short}.csv`, 'CWE-089/author_1.py,1\nCWE-078/author_1.py,0\n');
    for (const repairer of ['gpt3.5', 'gpt4']) {
      put(`llmsecurecode/RQ3/fixedCodes_${repairer}_for_${short}/CWE-089/author_1.py`, safe);
      put(`llmsecurecode/RQ3/verify_${repairer}_for_${short}.csv`, 'CWE-089/author_1.py,0\nCWE-078/author_1.py,-1\n');
    }
  }
  return data;
}

describe('collecting samples and scanning them', () => {
  it('reads Insecure_code, RQ1 and RQ3 samples from a data folder', async () => {
    const data = makeDataTree();
    const samples = await collectSamples(data);
    expect(samples.filter((s) => s.set === 'insecure').map((s) => [s.path, s.location])).toEqual([
      ['securityeval/CWE-089/author_1.py', 'securityeval/dataset.jsonl:1 (CWE-089_author_1.py)'],
      ['securityeval/CWE-078/author_1.py', 'securityeval/dataset.jsonl:2 (CWE-078_author_1.py)'],
    ]);
    expect(samples.filter((s) => s.set === 'rq1')).toHaveLength(8);
    expect(samples.filter((s) => s.set === 'rq3').map((s) => s.group)).toContain('gpt4 fixing codellama');
    expect(new Set(samples.map((s) => s.path)).size).toBe(samples.length);
    expect((await collectSamples(data, ['rq3'])).every((s) => s.set === 'rq3' && !s.vulnerable)).toBe(true);
  });

  it('scores an analyze() function end to end', async () => {
    const samples = await collectSamples(makeDataTree());
    const seen: string[] = [];
    const detector = builtinDetector(async (code, options) => {
      seen.push(options?.file ?? '');
      if (code.includes('% name')) return [finding(options!.file!, [89])];
      if (code.includes('os.system')) throw new Error('boom');
      return [];
    });
    const detection = await detector.detect(samples.map((s) => ({ path: s.path, content: s.code })));
    expect(seen).toEqual(samples.map((s) => s.path));
    expect(detection.diagnostics).toEqual([
      expect.objectContaining({ file: 'securityeval/CWE-078/author_1.py', message: 'analyzer failed: boom' }),
    ]);
    const report = buildReport(judge(samples, detection.findings), {
      scanner: 'builtin', dataDir: 'd', matchDepth: 1, diagnosticMessages: ['builtin x: boom'], seconds: { scan: 0, total: 0 },
    });
    expect(report.diagnostics).toBe(1);
    expect(report.insecure).toEqual({ flagged: 1, total: 2, missed: ['CWE-078/author_1.py'] });
    expect(report.rq1?.confusion).toEqual({ tp: 4, fp: 0, fn: 0, tn: 4 });
    expect(report.rq3?.confusion).toEqual({ tp: 0, fp: 0, fn: 0, tn: 8 });
  });
});

describe('npm run eval', () => {
  const bandit = new BanditScanner();

  it('prints JSON figures for Bandit and exits 1 under --strict when a floor fails', async (ctx) => {
    if (await bandit.unavailableReason()) ctx.skip();
    const data = makeDataTree();
    const tsx = join(repo, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, ['bench/eval.ts', '--data', data, '--scanner', 'bandit', '--json'], { cwd: repo });
    const report = JSON.parse(stdout);
    expect(report.scanner).toBe('bandit');
    expect(report.insecure.total).toBe(2);
    expect(report.insecure.missed).not.toContain('CWE-078/author_1.py'); // os.system: B605, CWE-78
    expect(report.rq1.samples).toBe(8);
    expect(report.rq3.samples).toBe(8);
    expect(report.rq3.confusion.tn + report.rq3.confusion.fp).toBe(8);
    expect(report.floors.map((f: { id: string }) => f.id)).toEqual([
      'insecure', 'rq1-precision', 'rq1-recall', 'rq3-precision', 'rq3-recall',
    ]);

    const strict = await run(tsx, ['bench/eval.ts', '--data', data, '--scanner', 'bandit', '--sets', 'insecure', '--strict', '--details'], {
      cwd: repo,
    }).then(() => 0, (err: { code?: number; stdout?: string }) => {
      expect(err.stdout).toMatch(/FAIL {2}SecurityEval Insecure_code flagged >= 115\/121/);
      return err.code;
    });
    expect(strict).toBe(1); // 2 samples can never reach the 115 floor
  });

  it('rejects a bad option value with a one-line message and exit code 2', async () => {
    const tsx = join(repo, 'node_modules', '.bin', 'tsx');
    const err = await run(tsx, ['bench/eval.ts', '--scanner', 'nope'], { cwd: repo }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr?.trim()).toBe('eval: unknown scanner "nope" (expected builtin, bandit)');
  });
});
