import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRunSummary } from '../../src/agent/index.js';
import { openStore } from '../../src/store/index.js';
import type { FakeHandler } from '../helpers/fake-openai.js';
import { asked, harness, requestKey, SETTINGS, stepwiseModel, task, type Harness } from './helpers/harness.js';
import { MarkerScanner } from './helpers/marker-scanner.js';

const TASKS = Array.from({ length: 12 }, (_, i) => task(i));
const settings = { ...SETTINGS, maxIterations: 3 };

function count(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

let dir: string;
const open: Harness[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-resume-'));
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('interrupting and resuming a run', () => {
  it('continues without repeating a completed call or scan and ends as an uninterrupted run', async () => {
    // Reference: the same run, uninterrupted, in its own store.
    const reference = await harness(stepwiseModel(2), { storeFile: join(dir, 'reference.db') });
    open.push(reference);
    const expected = await reference.run(TASKS, { settings, concurrency: 3, runId: 'r' });
    expect(expected.status).toBe('done');
    const referenceKeys = reference.server.requests.map(requestKey);

    // Interrupted: after 17 answers the model stops answering; then Ctrl-C (the signal).
    const model = stepwiseModel(2);
    let answered = 0;
    const answeredKeys: string[] = [];
    const stalling: FakeHandler = (request, i) => {
      if (answered >= 17) return { hang: true };
      answered++;
      answeredKeys.push(requestKey(request));
      return model(request, i);
    };
    const scanner = new MarkerScanner();
    const first = await harness(stalling, { storeFile: join(dir, 'run.db'), scanner });
    open.push(first);
    const controller = new AbortController();
    const running = first.run(TASKS, { settings, concurrency: 3, runId: 'r', signal: controller.signal });
    while (answered < 17) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 150)); // every answered reply is processed and stored
    controller.abort();
    const interrupted = await running;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.outcomes.some((o) => o === undefined)).toBe(true);
    expect(first.store.getRun('r')!.status).toBe('interrupted');
    const scannedBefore = new Set(scanner.scanned);
    await first.close();
    open.pop();

    // Resumed: a new process would open the same store file.
    const scannerAfter = new MarkerScanner();
    const second = await harness(stepwiseModel(2), { storeFile: join(dir, 'run.db'), scanner: scannerAfter });
    open.push(second);
    const resumed = await second.run(TASKS, { settings, concurrency: 3, runId: 'r' });
    expect(resumed.status).toBe('done');
    expect(resumed.resumed).toBe(true);

    const resumedKeys = second.server.requests.map(requestKey);
    const answeredBefore = new Set(answeredKeys);
    expect(resumedKeys.filter((k) => answeredBefore.has(k))).toEqual([]);
    expect(count([...answeredKeys, ...resumedKeys])).toEqual(count(referenceKeys));
    expect(scannerAfter.scanned.filter((c) => scannedBefore.has(c))).toEqual([]);

    expect(resumed.outcomes.map((o) => [o?.taskId, o?.status, o?.rounds, o?.code])).toEqual(
      expected.outcomes.map((o) => [o?.taskId, o?.status, o?.rounds, o?.code]),
    );
    const summaryOf = (file: string) => {
      const store = openStore(join(dir, file));
      try {
        const s = buildRunSummary({ store, runId: 'r', tasks: TASKS, wallTimeMs: 0 });
        const samples = store.raw.prepare("SELECT count(*) AS n FROM samples WHERE run_id = 'r'").get() as { n: number };
        return {
          after: s.vulnerableAfterRound,
          counts: s.counts,
          calls: s.calls,
          samples: samples.n,
          tasks: s.tasks.map((t) => [t.id, t.status, t.rounds, t.calls]),
        };
      } finally {
        store.close();
      }
    };
    const resumedSummary = summaryOf('run.db');
    expect(resumedSummary).toEqual(summaryOf('reference.db'));
    expect(resumedSummary.after).toEqual([12, 12, 0, 0]);
  });

  it('replays a re-ask after a bad reply from the cache when resuming', async () => {
    // Each repair is refused once (it drops the function), then given properly.
    let calls = 0;
    const model: FakeHandler = (request, i) => {
      calls++;
      const a = asked(request);
      if (a.kind === 'repair' && a.turn === 1) {
        return { status: 200, body: { choices: [{ index: 0, message: { role: 'assistant', content: '```python\ndef other():\n    pass\n```' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 }, model: 'm' } };
      }
      return stepwiseModel(1)(request, i);
    };
    const file = join(dir, 'reask.db');
    const a = await harness(model, { storeFile: file });
    open.push(a);
    await a.run([task(1)], { settings, runId: 'x' });
    expect(calls).toBe(3); // generate, refused repair, re-ask
    // Forget that the task finished: the store still has its calls and samples.
    a.store.updateTask('x', 'CWE-078/task_1.py', { status: 'pending', finalSampleId: null, rounds: 0 });
    a.store.raw.prepare("DELETE FROM samples WHERE run_id = 'x' AND round > 0").run();
    const again = await a.run([task(1)], { settings, runId: 'x' });
    expect(calls).toBe(3);
    expect(again.outcomes[0]!.status).toBe('secure');
    expect(a.store.runTotals('x')).toMatchObject({ calls: 3, cachedCalls: 2 });
  });
});
