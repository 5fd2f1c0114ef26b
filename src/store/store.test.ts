import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../core/types.js';
import { UserError } from '../core/types.js';
import { codeHash } from './hash.js';
import { generateRunId, openStore, type Store } from './store.js';

const finding = (over: Partial<Finding> = {}): Finding => ({
  scanner: 'builtin',
  ruleId: 'PY-SQLI',
  cwes: [89],
  severity: 'high',
  confidence: 'medium',
  message: 'SQL built from request data',
  fixHint: 'use a parameterized query',
  file: 'task.py',
  line: 4,
  column: 5,
  endLine: 4,
  endColumn: 40,
  snippet: 'cur.execute("SELECT * FROM u WHERE n=" + name)',
  flow: [
    { line: 2, column: 5, message: 'name = request.args["n"]' },
    { line: 4, column: 5, endLine: 4, endColumn: 40, message: 'execute(...)' },
  ],
  ...over,
});

describe('Store', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(':memory:');
  });
  afterEach(() => store.close());

  describe('runs', () => {
    it('creates a run, then returns the same run for the same id', () => {
      const first = store.openRun({ id: 'exp-1', kind: 'study-rq1', config: { models: ['gpt-4o'], k: 5, temperature: 0.2 } });
      expect(first.created).toBe(true);
      expect(first.run).toMatchObject({ id: 'exp-1', kind: 'study-rq1', status: 'running', config: { k: 5 } });
      expect(first.run.finishedAt).toBeUndefined();
      const again = store.openRun({ id: 'exp-1', kind: 'study-rq1', config: { k: 99 } });
      expect(again.created).toBe(false);
      expect(again.run.config).toEqual({ models: ['gpt-4o'], k: 5, temperature: 0.2 });
    });

    it('refuses to reuse a run id for another kind of run', () => {
      store.openRun({ id: 'exp-1', kind: 'generate' });
      expect(() => store.openRun({ id: 'exp-1', kind: 'fix' })).toThrow(UserError);
    });

    it('generates sortable ids when none is given', () => {
      const { run } = store.openRun({ kind: 'run' });
      expect(run.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
      expect(generateRunId(new Date('2026-11-25T14:30:12Z'))).toMatch(/^20261125-143012-[0-9a-f]{6}$/);
    });

    it('never stores an API key in the config', () => {
      const { run } = store.openRun({
        id: 'r',
        kind: 'run',
        config: { models: [{ id: 'openai:gpt-4o', apiKey: 'sk-live-1234567890abcdef' }], maxTokens: 512, note: 'key sk-proj-0123456789abcdefXYZ' },
      });
      const raw = (store.raw.prepare('SELECT config FROM runs WHERE id = ?').get('r') as { config: string }).config;
      expect(raw).not.toContain('1234567890abcdef');
      expect(raw).not.toContain('0123456789abcdef');
      expect(run.config).toEqual({ models: [{ id: 'openai:gpt-4o', apiKey: '[redacted]' }], maxTokens: 512, note: 'key [redacted]' });
    });

    it('updates status and config, stamps finished_at, clears it on resume, lists newest first', () => {
      store.openRun({ id: 'a', kind: 'generate' });
      store.openRun({ id: 'b', kind: 'fix' });
      store.setRunStatus('a', 'interrupted', 'SIGINT');
      expect(store.getRun('a')).toMatchObject({ status: 'interrupted', error: 'SIGINT' });
      expect(store.getRun('a')!.finishedAt).toBeDefined();
      store.setRunStatus('a', 'running');
      expect(store.getRun('a')!.finishedAt).toBeUndefined();
      store.setRunConfig('b', { k: 3 });
      expect(store.getRun('b')!.config).toEqual({ k: 3 });
      expect(store.listRuns().map((r) => r.id)).toEqual(['b', 'a']);
      expect(store.listRuns({ kind: 'generate' }).map((r) => r.id)).toEqual(['a']);
      expect(store.listRuns({ limit: 1 })).toHaveLength(1);
      expect(() => store.setRunStatus('zzz', 'done')).toThrow(/no run with id "zzz"/);
    });
  });

  describe('tasks', () => {
    beforeEach(() => {
      store.openRun({ id: 'r', kind: 'run' });
    });

    it('upserts without losing progress and updates status', () => {
      store.upsertTask({ runId: 'r', taskId: 'CWE-089/a.py', prompt: 'p1', cwe: 89 });
      store.updateTask('r', 'CWE-089/a.py', { status: 'vulnerable', rounds: 2, reason: 'B608 remains' });
      const again = store.upsertTask({ runId: 'r', taskId: 'CWE-089/a.py', prompt: 'p2', cwe: 89 });
      expect(again).toMatchObject({ prompt: 'p2', status: 'vulnerable', rounds: 2, reason: 'B608 remains' });

      const sampleId = store.insertSample({ runId: 'r', taskId: 'CWE-089/a.py', round: 0, model: 'm', code: 'x = 1\n' });
      const done = store.updateTask('r', 'CWE-089/a.py', { status: 'secure', reason: null, finalSampleId: sampleId });
      expect(done).toMatchObject({ status: 'secure', rounds: 2, finalSampleId: sampleId });
      expect(done.reason).toBeUndefined();
      expect(() => store.updateTask('r', 'nope', { status: 'failed' })).toThrow(UserError);
    });

    it('lists and counts by status', () => {
      for (const id of ['b', 'a', 'c']) store.upsertTask({ runId: 'r', taskId: id, prompt: id });
      store.updateTask('r', 'c', { status: 'failed', reason: 'no code in reply' });
      expect(store.listTasks('r').map((t) => t.taskId)).toEqual(['a', 'b', 'c']);
      expect(store.listTasks('r', { status: 'pending' }).map((t) => t.taskId)).toEqual(['a', 'b']);
      expect(store.taskCounts('r')).toEqual({ pending: 2, secure: 0, vulnerable: 0, failed: 1 });
    });

    it('rejects an unknown status', () => {
      store.upsertTask({ runId: 'r', taskId: 't', prompt: 'p' });
      expect(() => store.updateTask('r', 't', { status: 'maybe' as never })).toThrow(/CHECK/);
    });
  });

  describe('samples', () => {
    beforeEach(() => {
      store.openRun({ id: 'r', kind: 'run' });
    });

    it('keeps lineage through parents and finds the latest round', () => {
      const g = store.insertSample({ runId: 'r', taskId: 't', round: 0, model: 'gpt-4o', code: 'v0' });
      const r1 = store.insertSample({ runId: 'r', taskId: 't', round: 1, model: 'gpt-4o', code: 'v1', parentId: g });
      const r2 = store.insertSample({ runId: 'r', taskId: 't', round: 2, model: 'gpt-4o', code: 'v2', parentId: r1 });
      const other = store.insertSample({ runId: 'r', taskId: 'u', round: 0, model: 'gpt-4o', code: 'u0' });

      expect(store.getSample(r1)).toMatchObject({ parentId: g, codeHash: codeHash('v1'), round: 1 });
      expect(store.lineage(r2).map((s) => s.code)).toEqual(['v0', 'v1', 'v2']);
      expect(store.lineage(g).map((s) => s.id)).toEqual([g]);
      expect(store.lineage(other).map((s) => s.id)).toEqual([other]);
      expect(store.latestSample('r', 't')?.id).toBe(r2);
      expect(store.latestSample('r', 'none')).toBeUndefined();
      expect(store.listSamples('r', 't').map((s) => s.round)).toEqual([0, 1, 2]);
      expect(store.getSample(9999)).toBeUndefined();
    });

    it('refuses a parent that does not exist', () => {
      expect(() => store.insertSample({ runId: 'r', taskId: 't', round: 1, model: 'm', code: 'c', parentId: 42 })).toThrow(/FOREIGN KEY/);
    });
  });

  describe('findings and verdicts', () => {
    let sampleId: number;
    beforeEach(() => {
      store.openRun({ id: 'r', kind: 'run' });
      sampleId = store.insertSample({ runId: 'r', taskId: 't', round: 0, model: 'm', code: 'code' });
    });

    it('round-trips findings, with and without optional fields', () => {
      const bare: Finding = { ...finding({ scanner: 'bandit', ruleId: 'B608', cwes: [] }) };
      delete bare.fixHint;
      delete bare.snippet;
      delete bare.flow;
      const ids = store.insertFindings(sampleId, [finding(), bare]);
      expect(ids).toHaveLength(2);
      const stored = store.getFindings(sampleId);
      expect(stored.map(({ id: _id, sampleId: _s, ...f }) => f)).toEqual([finding(), bare]);
      expect(stored[1]!.flow).toBeUndefined();
      expect(store.getFindings(sampleId, { scanner: 'bandit' })).toHaveLength(1);
      expect(store.deleteFindings(sampleId, { scanner: 'builtin' })).toBe(1);
      expect(store.getFindings(sampleId).map((f) => f.scanner)).toEqual(['bandit']);
    });

    it('writes a batch of findings all or nothing', () => {
      const bad = finding({ severity: 'critical' as never });
      expect(() => store.insertFindings(sampleId, [finding(), finding(), bad])).toThrow(/CHECK/);
      expect(store.getFindings(sampleId)).toEqual([]);
    });

    it('keeps one verdict per judge and CWE, the latest', () => {
      store.putVerdict({ sampleId, judge: 'bandit', cwe: 89, vulnerable: true, detail: { rules: ['B608'] } });
      store.putVerdict({ sampleId, judge: 'bandit', cwe: 89, vulnerable: false });
      store.putVerdict({ sampleId, judge: 'openai:gpt-4o', vulnerable: true, detail: 'says so' });
      store.putVerdict({ sampleId, judge: 'openai:gpt-4o', vulnerable: false, detail: 'changed its mind' });
      const verdicts = store.getVerdicts(sampleId);
      expect(verdicts).toHaveLength(2);
      expect(verdicts[0]).toMatchObject({ judge: 'bandit', cwe: 89, vulnerable: false });
      expect(verdicts[1]).toMatchObject({ judge: 'openai:gpt-4o', vulnerable: false, detail: 'changed its mind' });
      expect(verdicts[1]!.cwe).toBeUndefined();
      expect(store.listVerdicts('r', { judge: 'bandit' })).toHaveLength(1);
      expect(store.listVerdicts('other')).toEqual([]);
    });
  });

  describe('scan cache', () => {
    it('returns a stored scan only for the same scanner, version and code', () => {
      const hash = codeHash('import os\n');
      const key = { scanner: 'bandit', version: '1.6.2', codeHash: hash };
      expect(store.getCachedScan(key)).toBeUndefined();
      const result = { findings: [finding({ scanner: 'bandit' })], diagnostics: [{ scanner: 'bandit', message: 'warn' }], suppressed: 2 };
      store.putCachedScan(key, result);
      expect(store.getCachedScan(key)).toMatchObject(result);
      expect(store.getCachedScan({ ...key, version: '1.7.0' })).toBeUndefined();
      expect(store.getCachedScan({ ...key, scanner: 'builtin' })).toBeUndefined();
      expect(store.getCachedScan({ ...key, codeHash: codeHash('import sys\n') })).toBeUndefined();
      store.putCachedScan(key, { findings: [], diagnostics: [], suppressed: 0 });
      expect(store.getCachedScan(key)?.findings).toEqual([]);
    });
  });

  describe('LLM calls and totals', () => {
    const call = (over: Record<string, unknown> = {}) => ({
      requestHash: 'h1',
      provider: 'openai',
      model: 'gpt-4o',
      request: { messages: [] },
      response: 'ok',
      inputTokens: 100,
      outputTokens: 50,
      latencyMs: 1200,
      costUsd: 0.002,
      ...over,
    });

    it('finds only successful paid calls as cache entries', () => {
      expect(store.findCachedCall('h1')).toBeUndefined();
      store.recordCall(call({ response: undefined, error: 'timeout' }));
      expect(store.findCachedCall('h1')).toBeUndefined();
      const paid = store.recordCall(call());
      store.recordCall(call({ cachedFrom: paid, latencyMs: 0, costUsd: 0 }));
      expect(store.findCachedCall('h1')?.id).toBe(paid);
      expect(() => store.recordCall(call({ error: 'both' }))).toThrow(TypeError);
    });

    it('sums tokens, cost and calls per run and model, keeping cache hits and failures apart', () => {
      store.openRun({ id: 'r', kind: 'run' });
      store.openRun({ id: 'other', kind: 'run' });
      const paid = store.recordCall(call({ runId: 'r', purpose: 'generate' }));
      store.recordCall(call({ runId: 'r', requestHash: 'h2', inputTokens: 10, outputTokens: 5, costUsd: 0.001 }));
      store.recordCall(call({ runId: 'r', model: 'claude', requestHash: 'h3', costUsd: undefined }));
      store.recordCall(call({ runId: 'r', cachedFrom: paid, latencyMs: 0, costUsd: 0 }));
      store.recordCall(call({ runId: 'r', response: undefined, error: 'HTTP 500', inputTokens: 0, outputTokens: 0, latencyMs: 300, costUsd: undefined }));
      store.recordCall(call({ runId: 'other' }));

      const totals = store.runTotals('r');
      expect(totals).toMatchObject({
        calls: 3,
        cachedCalls: 1,
        failedCalls: 1,
        inputTokens: 210,
        outputTokens: 105,
        cachedInputTokens: 100,
        cachedOutputTokens: 50,
        unpricedCalls: 1,
        latencyMs: 1200 * 3 + 300,
      });
      expect(totals.costUsd).toBeCloseTo(0.003);
      expect(Object.keys(totals.byModel)).toEqual(['claude', 'gpt-4o']);
      expect(totals.byModel['gpt-4o']).toMatchObject({ calls: 2, cachedCalls: 1, failedCalls: 1, inputTokens: 110 });
      expect(store.runTotals('empty')).toMatchObject({ calls: 0, costUsd: 0, byModel: {} });
      expect(store.listCalls('r')).toHaveLength(5);
    });
  });

  describe('transaction', () => {
    it('commits together or rolls back together', () => {
      store.transaction(() => {
        store.openRun({ id: 'a', kind: 'run' });
        store.upsertTask({ runId: 'a', taskId: 't', prompt: 'p' });
      });
      expect(() =>
        store.transaction(() => {
          store.upsertTask({ runId: 'a', taskId: 'u', prompt: 'p' });
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.listTasks('a').map((t) => t.taskId)).toEqual(['t']);
    });

    it('refuses an async function and rolls its writes back', () => {
      store.openRun({ id: 'a', kind: 'run' });
      expect(() =>
        store.transaction(() => {
          store.upsertTask({ runId: 'a', taskId: 'x', prompt: 'p' });
          return Promise.resolve();
        }),
      ).toThrow(/synchronous/);
      expect(store.listTasks('a')).toEqual([]);
    });
  });
});
