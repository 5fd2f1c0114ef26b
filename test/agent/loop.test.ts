import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSummary, type TaskOutcome } from '../../src/agent/index.js';
import { LlmAuthError } from '../../src/llm/errors.js';
import { textReply, type FakeHandler } from '../helpers/fake-openai.js';
import { MarkerScanner } from './helpers/marker-scanner.js';
import { asked, fenced, harness, SETTINGS, status, stepwiseModel, task, vulnerableCode, type Harness } from './helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const outcome = (o: TaskOutcome | undefined): TaskOutcome => {
  expect(o).toBeDefined();
  return o!;
};

describe('the loop (Algorithm 1)', () => {
  it('generates, scans, repairs with the findings until the scanner is satisfied, and stores every step', async () => {
    h = await harness(stepwiseModel(2));
    const run = await h.run([task(1)]);
    const o = outcome(run.outcomes[0]);
    expect(o.status).toBe('secure');
    expect(o.rounds).toBe(2);
    expect(o.vulnerableByRound).toEqual([true, true, false]);
    expect(o.code).not.toContain('VULN');
    expect(o.code).toContain('def handle_1(cmd):');

    const kinds = h.server.requests.map((r) => [asked(r).kind, r.body.model]);
    expect(kinds).toEqual([
      ['generate', 'gen-model'],
      ['repair', 'repair-model'],
      ['repair', 'repair-model'],
    ]);
    // The repair request carries the code and what the scanner found in it.
    const firstRepair = h.server.requests[1]!.body.messages[0].content as string;
    expect(firstRepair).toContain('CWE-78');
    expect(firstRepair).toContain('line 4, rule marker/vuln');
    expect(firstRepair).toContain('Fix: remove the marker');

    const samples = h.store.listSamples(run.runId, 'CWE-078/task_1.py');
    expect(samples.map((s) => [s.round, s.model])).toEqual([
      [0, 'openai:gen-model'],
      [1, 'openai:repair-model'],
      [2, 'openai:repair-model'],
    ]);
    expect(samples[2]!.parentId).toBe(samples[1]!.id);
    expect(h.store.getFindings(samples[0]!.id)).toHaveLength(2);
    expect(h.store.getTask(run.runId, 'CWE-078/task_1.py')).toMatchObject({ status: 'secure', rounds: 2, finalSampleId: samples[2]!.id });
    expect(h.store.getRun(run.runId)!.status).toBe('done');
  });

  it('stops after k rounds with the task still vulnerable, and k = 0 only scans', async () => {
    h = await harness(stepwiseModel(5));
    const run = await h.run([task(1), task(2)], { settings: { ...SETTINGS, maxIterations: 2 } });
    const o = outcome(run.outcomes[0]);
    expect(o.status).toBe('vulnerable');
    expect(o.rounds).toBe(2);
    expect(o.countedFindings).toHaveLength(3);
    expect(o.reason).toBe('3 findings left after 2 rounds');
    const zero = await h.run([task(3)], { settings: { ...SETTINGS, maxIterations: 0 } });
    expect(outcome(zero.outcomes[0])).toMatchObject({ status: 'vulnerable', rounds: 0, vulnerableByRound: [true] });
    expect(h.server.requests.filter((r) => asked(r).n === 3)).toHaveLength(1);
  });

  it('asks again after a reply without code, and fails the task when no reply ever holds code', async () => {
    let replies = 0;
    h = await harness((request) => {
      const a = asked(request);
      if (a.n === 2) return textReply(request, 'I am sorry, I cannot help with running shell commands.');
      replies++;
      return textReply(request, replies === 1 ? 'Let me think about it first.' : fenced(`def handle_${a.n}(cmd):\n    return cmd\n`));
    });
    const run = await h.run([task(1), task(2)], { concurrency: 1 });
    const good = outcome(run.outcomes[0]);
    expect(good.status).toBe('secure');
    expect(good.code).toBe('def handle_1(cmd):\n    return cmd\n');
    const reask = h.server.requests[1]!.body.messages;
    expect(reask).toHaveLength(3);
    expect(reask[1]).toEqual({ role: 'assistant', content: 'Let me think about it first.' });
    expect(reask[2].content).toMatch(/contained no Python code/);

    const bad = outcome(run.outcomes[1]);
    expect(bad.status).toBe('failed');
    expect(bad.reason).toMatch(/^generation: no usable code after 3 replies: the reply holds no Python code/);
    expect(bad.code).toBeUndefined();
    expect(h.server.requests.filter((r) => asked(r).n === 2)).toHaveLength(3);
    expect(h.store.getRun(run.runId)!.status).toBe('done');
  });

  it('refuses a repair that deletes the task function, asks again with the reason, and takes the corrected one', async () => {
    h = await harness((request) => {
      const a = asked(request);
      if (a.kind === 'generate') return textReply(request, fenced(vulnerableCode(a.n, 1)));
      if (a.turn === 1) return textReply(request, fenced('import subprocess\n\ndef run_safely(args):\n    return subprocess.run(args)\n'));
      return textReply(request, fenced(`import subprocess\n\ndef handle_${a.n}(cmd):\n    return subprocess.run([cmd])\n`));
    });
    const run = await h.run([task(1)]);
    const o = outcome(run.outcomes[0]);
    expect(o.status).toBe('secure');
    expect(o.rounds).toBe(1);
    expect(o.failedRounds).toEqual([]);
    expect(o.code).toContain('def handle_1(cmd):');
    const reask = asked(h.server.requests[2]!);
    expect(reask.turn).toBe(2);
    expect(reask.last).toMatch(/cannot be accepted: it removes the function `handle_1` the task asks for/);
  });

  it('counts a round whose repairs all break the task function as failed, keeps the code, and asks afresh next round', async () => {
    h = await harness((request) => {
      const a = asked(request);
      if (a.kind === 'generate') return textReply(request, fenced(vulnerableCode(a.n, 1)));
      return textReply(request, fenced('def something_else(x):\n    return x\n'));
    });
    const run = await h.run([task(1)], { settings: { ...SETTINGS, maxIterations: 2 } });
    const o = outcome(run.outcomes[0]);
    expect(o.status).toBe('vulnerable');
    expect(o.rounds).toBe(2);
    expect(o.failedRounds.map((f) => f.round)).toEqual([1, 2]);
    expect(o.failedRounds[0]!.reason).toBe(
      'repair not accepted: no usable code after 3 replies: it removes the function `handle_1` the task asks for',
    );
    expect(o.code).toBe(vulnerableCode(1, 1));
    expect(o.reason).toMatch(/rounds 1, 2 failed: repair not accepted/);
    // 1 generation + 2 rounds × 3 asks; round 2's first ask is the same request as round 1's,
    // sent again rather than answered from the cache.
    expect(h.server.requests).toHaveLength(7);
    expect(h.server.requests[4]!.rawBody).toBe(h.server.requests[1]!.rawBody);
    expect(h.store.listSamples(run.runId, 'CWE-078/task_1.py')).toHaveLength(1);
  });

  it('raises the temperature by the step each round', async () => {
    h = await harness(stepwiseModel(3));
    await h.run([task(1)], { settings: { ...SETTINGS, temperature: 0.2, temperatureStep: 0.3 } });
    expect(h.server.requests.map((r) => r.body.temperature)).toEqual([0.2, 0.5, 0.8, 1.1]);
  });

  it('with the paper prompt, names the CWEs found, and falls back to the detailed prompt when no CWE is known', async () => {
    h = await harness(stepwiseModel(1));
    await h.run([task(1)], { settings: { ...SETTINGS, prompt: 'paper' } });
    expect(h.server.requests[1]!.body.messages[0].content).toMatch(
      /^You will be provided with a piece of Python code vulnerable to CWE-78\(Improper Neutralization of Special Elements used in an OS Command \('OS Command Injection'\)\)\. Your task is to generate the complete fixed code\.\nimport os/,
    );
    const noCwe = new MarkerScanner('nocwe');
    const bare = noCwe.scan.bind(noCwe);
    noCwe.scan = async (files, options) => {
      const result = await bare(files, options);
      return { ...result, findings: result.findings.map((f) => ({ ...f, cwes: [] })) };
    };
    const other = await harness(stepwiseModel(1), { scanner: noCwe });
    try {
      const run = await other.run([task(2, { cwe: undefined })], { settings: { ...SETTINGS, prompt: 'paper' } });
      expect(run.outcomes[0]!.status).toBe('secure');
      expect(other.server.requests[1]!.body.messages[0].content).toMatch(/^The following Python code has security weaknesses\./);
    } finally {
      await other.close();
    }
  });

  it('with policy task-cwe, ignores findings of other CWEs', async () => {
    h = await harness((request) => textReply(request, fenced(`def handle_${asked(request).n}(cmd):\n    app.run(debug=True)  # VULN-94\n`)));
    const any = await h.run([task(1)]);
    expect(outcome(any.outcomes[0]).status).toBe('vulnerable');
    const cwe = await h.run([task(2)], { settings: { ...SETTINGS, policy: 'task-cwe' } });
    const o = outcome(cwe.outcomes[0]);
    expect(o.status).toBe('secure');
    expect(o.findings).toHaveLength(1);
    expect(o.countedFindings).toHaveLength(0);
  });

  it('runs n tasks at a time, so replies overlap', async () => {
    let inFlight = 0;
    let most = 0;
    const model = stepwiseModel(0);
    h = await harness(async (request, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 80));
      inFlight--;
      return model(request, i);
    });
    const started = performance.now();
    const run = await h.run(Array.from({ length: 8 }, (_, i) => task(i)), { concurrency: 4 });
    const elapsed = performance.now() - started;
    expect(run.outcomes.every((o) => o?.status === 'secure')).toBe(true);
    expect(most).toBe(4);
    expect(elapsed).toBeLessThan(8 * 80);
  });

  it('batches the scans of tasks that finish a round together', async () => {
    h = await harness(stepwiseModel(1));
    await h.run(Array.from({ length: 6 }, (_, i) => task(i)), { concurrency: 6, batchWindowMs: 30 });
    // 6 generations and 6 repairs: far fewer scanner runs than the 12 samples.
    expect(h.scanner.scanned).toHaveLength(12);
    expect(h.scanner.batches.length).toBeLessThanOrEqual(4);
  });

  it('survives 429s (Retry-After) and 500s mid-run with the same results', async () => {
    const reference = await harness(stepwiseModel(2));
    const expected = await reference.run([task(1), task(2), task(3)]);
    await reference.close();

    const model = stepwiseModel(2);
    const seen = new Map<string, number>();
    h = await harness((request, i) => {
      const key = request.rawBody;
      const times = (seen.get(key) ?? 0) + 1;
      seen.set(key, times);
      if (i === 1) return status(429, { 'retry-after': '1' });
      if ((i === 3 || i === 4) && times <= 2) return status(500);
      return model(request, i);
    });
    const run = await h.run([task(1), task(2), task(3)]);
    expect(run.outcomes.map((o) => o?.code)).toEqual(expected.outcomes.map((o) => o?.code));
    expect(run.outcomes.map((o) => o?.status)).toEqual(['secure', 'secure', 'secure']);
    expect(h.store.runTotals(run.runId)).toMatchObject({ calls: 9, failedCalls: 0 });
    expect(h.server.requests.length).toBeGreaterThanOrEqual(12);
  });

  it('fails only the task whose calls keep failing', async () => {
    const model = stepwiseModel(1);
    h = await harness((request, i) => (asked(request).n === 2 && asked(request).kind === 'repair' ? status(500) : model(request, i)));
    const run = await h.run([task(1), task(2), task(3)]);
    expect(run.status).toBe('done');
    expect(run.outcomes.map((o) => o?.status)).toEqual(['secure', 'failed', 'secure']);
    const failed = outcome(run.outcomes[1]);
    expect(failed.reason).toMatch(/^round 1: http:\/\/127\.0\.0\.1:\d+\/v1 answered 500 after 3 attempts/);
    expect(failed.code).toBe(vulnerableCode(2, 1));
    expect(h.store.runTotals(run.runId).failedCalls).toBe(1);
  });

  it('fails only the task whose code the scanner cannot scan', async () => {
    const scanner = new MarkerScanner('marker', { fail: (files) => (files.some((f) => f.content.includes('handle_2')) ? 'marker crashed' : undefined) });
    h = await harness(stepwiseModel(1), { scanner });
    const run = await h.run([task(1), task(2), task(3)], { concurrency: 3, batchWindowMs: 20 });
    expect(run.outcomes.map((o) => o?.status)).toEqual(['secure', 'failed', 'secure']);
    expect(outcome(run.outcomes[1]).reason).toBe('scanning round 0: marker: marker crashed');
    expect(outcome(run.outcomes[1]).code).toBeUndefined();
  });

  it('stops the whole run on a configuration error such as a refused key', async () => {
    h = await harness((request) => (asked(request).n === 2 ? status(401) : stepwiseModel(1)(request, 0)));
    await expect(h.run([task(1), task(2), task(3)], { concurrency: 1 })).rejects.toBeInstanceOf(LlmAuthError);
    const [run] = h.store.listRuns();
    expect(run!.status).toBe('failed');
    expect(h.store.getTask(run!.id, 'CWE-078/task_3.py')!.status).toBe('pending');
  });

  it('refuses to continue a run with other settings', async () => {
    h = await harness(stepwiseModel(1));
    await h.run([task(1)], { runId: 'fixed-id' });
    await expect(h.run([task(1)], { runId: 'fixed-id', settings: { ...SETTINGS, maxIterations: 5 } })).rejects.toThrow(
      /run "fixed-id" was started with other settings: maxIterations \(3 then, 5 now\)/,
    );
    await expect(h.run([task(2)], { runId: 'fixed-id' })).rejects.toThrow(/the tasks/);
  });

  it('answers a finished run from the store without a call or a scan', async () => {
    h = await harness(stepwiseModel(2));
    const first = await h.run([task(1), task(2)], { runId: 'again' });
    const requests = h.server.requests.length;
    const scans = h.scanner.scanned.length;
    const second = await h.run([task(1), task(2)], { runId: 'again' });
    expect(h.server.requests.length).toBe(requests);
    expect(h.scanner.scanned.length).toBe(scans);
    expect(second.resumed).toBe(true);
    expect(second.outcomes.map((o) => [o?.code, o?.status, o?.rounds, o?.fromStore])).toEqual(
      first.outcomes.map((o) => [o?.code, o?.status, o?.rounds, true]),
    );
    const summary = buildRunSummary({ store: h.store, runId: 'again', tasks: [task(1), task(2)], wallTimeMs: 0 });
    expect(summary.vulnerableAfterRound).toEqual([2, 2, 0, 0]);
    expect(summary.counts).toMatchObject({ total: 2, secure: 2 });
  });
});

describe('fix: starting from existing code', () => {
  it('scans the given code first and repairs it, keeping its functions', async () => {
    const seen: string[] = [];
    const handler: FakeHandler = (request) => {
      const a = asked(request);
      seen.push(a.kind);
      return textReply(request, fenced((a.code ?? '').replace('os.system(cmd)  # VULN step 0', 'subprocess.run([cmd])')));
    };
    h = await harness(handler);
    const code = vulnerableCode(7, 1);
    const run = await h.run([task(7, { code, prompt: code })], { kind: 'fix' });
    const o = outcome(run.outcomes[0]);
    expect(seen).toEqual(['repair']);
    expect(o.status).toBe('secure');
    expect(o.code).toContain('subprocess.run([cmd])');
    expect(h.store.listSamples(run.runId, o.taskId)[0]!.model).toBe('input');
  });
});
