import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LlmCancelledError } from '../llm/errors.js';
import type { ChatRequest } from '../llm/types.js';
import { CachedChatModel } from './cached-model.js';
import { requestHash } from './hash.js';
import { openStore, type Store } from './store.js';
import { CountingModel, tempDir } from '../../test/store/helpers.js';

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'You write secure Python.' },
    { role: 'user', content },
  ],
  temperature: 0,
  maxTokens: 256,
  ...extra,
});

describe('CachedChatModel', () => {
  let store: Store;
  let inner: CountingModel;
  let model: CachedChatModel;

  beforeEach(() => {
    store = openStore(path.join(tempDir(), 'calls.db'));
    store.openRun({ id: 'r1', kind: 'generate' });
    inner = new CountingModel();
    model = new CachedChatModel(inner, store, { costOf: (_m, u) => (u.inputTokens + u.outputTokens) / 1000 });
  });
  afterEach(() => store.close());

  it('answers a second identical request from the store without calling the model', async () => {
    const first = await model.chat(ask('abc'), { runId: 'r1', taskId: 't1', round: 0, purpose: 'generate' });
    const second = await model.chat(ask('abc'), { runId: 'r1', taskId: 't1', round: 0, purpose: 'generate' });

    expect(inner.calls).toBe(1);
    expect(first.cached).toBe(false);
    expect(first.text).toBe('cba #1');
    expect(second).toMatchObject({ cached: true, text: 'cba #1', latencyMs: 0, costUsd: 0, cachedFrom: first.callId });
    expect(second.usage).toEqual(first.usage);
    expect(second.model).toBe('counting-snapshot');
  });

  it('misses on a different temperature, max tokens, message or attempt', async () => {
    await model.chat(ask('abc'));
    await model.chat(ask('abc', { temperature: 0.8 }));
    await model.chat(ask('abc', { maxTokens: 512 }));
    await model.chat(ask('abd'));
    await model.chat(ask('abc'), { attempt: 1 });
    expect(inner.calls).toBe(5);
    // attempt 0 is the first ask, the same cache entry as no attempt at all
    expect((await model.chat(ask('abc'), { attempt: 0 })).cached).toBe(true);
    expect((await model.chat(ask('abc', { temperature: 0.8 }))).cached).toBe(true);
    expect(inner.calls).toBe(5);
  });

  it('misses when the same model sits behind another endpoint, and the endpoint is stored without credentials', async () => {
    const local = Object.assign(new CountingModel(), { endpoint: 'http://127.0.0.1:8080/v1' });
    const remote = Object.assign(new CountingModel(), { endpoint: 'https://api.openai.com/v1' });
    await new CachedChatModel(local, store).chat(ask('abc'));
    const fromRemote = await new CachedChatModel(remote, store).chat(ask('abc'));
    expect(fromRemote.cached).toBe(false);
    expect(remote.calls).toBe(1);
    expect((await new CachedChatModel(local, store).chat(ask('abc'))).cached).toBe(true);
    expect(local.calls).toBe(1);
  });

  it('ignores the abort signal when hashing', async () => {
    await model.chat(ask('abc', { signal: new AbortController().signal }));
    expect((await model.chat(ask('abc'))).cached).toBe(true);
  });

  it('records the paid call with its context, tokens, cost and the canonical request before returning', async () => {
    const response = await model.chat(ask('hello'), { runId: 'r1', taskId: 'CWE-089/a.py', round: 2, purpose: 'repair' });
    const call = store.getCall(response.callId)!;
    expect(call).toMatchObject({
      runId: 'r1',
      taskId: 'CWE-089/a.py',
      round: 2,
      purpose: 'repair',
      provider: 'fake',
      model: 'counting',
      responseModel: 'counting-snapshot',
      response: 'olleh #1',
      inputTokens: 5,
      outputTokens: 8,
      latencyMs: 40,
      costUsd: 0.013,
    });
    expect(call.requestHash).toBe(requestHash({ provider: 'fake', model: 'counting', ...ask('hello') }));
    expect(call.request).toEqual({ provider: 'fake', model: 'counting', messages: ask('hello').messages, temperature: 0, maxTokens: 256 });
    expect(response.costUsd).toBeCloseTo(0.013);
  });

  it('withContext binds the run, task and purpose to every call', async () => {
    const bound = model.withContext({ runId: 'r1', taskId: 't9', purpose: 'detect' });
    const response = await bound.chat(ask('x'), { round: 3 });
    expect(store.getCall(response.callId)).toMatchObject({ runId: 'r1', taskId: 't9', round: 3, purpose: 'detect' });
    expect(bound.id).toBe('fake:counting');
    // the bound view shares the cache
    expect((await model.chat(ask('x'))).cached).toBe(true);
  });

  it('records a failed call with a redacted message, rethrows, and does not cache the failure', async () => {
    inner.failNext = new Error('401 Incorrect API key provided: sk-proj-abcdefghijklmnop1234 (Authorization: Bearer sk-proj-abcdefghijklmnop1234)');
    await expect(model.chat(ask('abc'), { runId: 'r1', taskId: 't1' })).rejects.toThrow(/401/);
    const [failed] = store.listCalls('r1');
    expect(failed!.error).toContain('401 Incorrect API key provided');
    expect(failed!.error).not.toContain('abcdefghijklmnop');
    expect(failed!.response).toBeUndefined();

    const retry = await model.chat(ask('abc'), { runId: 'r1', taskId: 't1' });
    expect(retry.cached).toBe(false);
    expect(inner.calls).toBe(2);
    expect(store.runTotals('r1')).toMatchObject({ calls: 1, failedCalls: 1, cachedCalls: 0 });
  });

  it('does not count a cancelled call (Ctrl-C) as a failed one', async () => {
    inner.failNext = new LlmCancelledError();
    await expect(model.chat(ask('cancel me'), { runId: 'r1', taskId: 't1' })).rejects.toBeInstanceOf(LlmCancelledError);
    expect(store.listCalls('r1')).toHaveLength(0);
    expect(store.runTotals('r1')).toMatchObject({ calls: 0, failedCalls: 0 });
  });

  it('makes one model call for identical requests in flight at the same time', async () => {
    inner.delayMs = 30;
    const answers = await Promise.all([1, 2, 3].map((i) => model.chat(ask('same'), { runId: 'r1', taskId: `t${i}` })));
    expect(inner.calls).toBe(1);
    expect(answers.map((a) => a.text)).toEqual(['emas #1', 'emas #1', 'emas #1']);
    expect(answers.filter((a) => a.cached)).toHaveLength(2);
    expect(store.listCalls('r1').map((c) => c.taskId)).toEqual(['t1', 't2', 't3']);
  });

  it('a waiter asks for itself when the call it waited on failed', async () => {
    inner.delayMs = 20;
    inner.failNext = new Error('503 overloaded');
    const [first, second] = await Promise.allSettled([model.chat(ask('q')), model.chat(ask('q'))]);
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'fulfilled', value: { cached: false, text: 'q #2' } });
    expect(inner.calls).toBe(2);
  });

  it('prices a call from the model specifier and the usage', async () => {
    const seen: string[] = [];
    const priced = new CachedChatModel(inner, store, {
      costOf: (id, usage) => {
        seen.push(id);
        return usage.outputTokens * 0.5;
      },
    });
    const response = await priced.chat(ask('abcd'));
    expect(seen).toEqual(['fake:counting']);
    expect(response.costUsd).toBe(3.5);
    expect(store.getCall(response.callId)!.costUsd).toBe(3.5);
  });

  it('stores a call as unpriced when the price function throws or has no price', async () => {
    const noPrice = new CachedChatModel(inner, store, { costOf: () => undefined });
    const broken = new CachedChatModel(inner, store, {
      costOf: () => {
        throw new Error('no table');
      },
    });
    const a = await noPrice.chat(ask('a'), { runId: 'r1' });
    const b = await broken.chat(ask('b'), { runId: 'r1' });
    expect(store.getCall(a.callId)!.costUsd).toBeUndefined();
    expect(store.getCall(b.callId)!.costUsd).toBeUndefined();
    expect(store.runTotals('r1')).toMatchObject({ calls: 2, unpricedCalls: 2, costUsd: 0 });
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(model.chat(ask('abc', { signal: controller.signal }))).rejects.toThrow('stop');
    expect(inner.calls).toBe(0);
  });
});

describe('crash safety', () => {
  it('keeps a recorded call when the process is killed right after, without close or flush', async () => {
    const file = path.join(tempDir(), 'crash.db');
    const child = path.resolve(fileURLToPath(import.meta.url), '../../../test/store/fixtures', 'crash-after-call.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', child, file, 'def f(): pass'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGKILL');
    const callId = Number(/recorded (\d+)/.exec(result.stdout)?.[1]);
    expect(callId).toBeGreaterThan(0);

    const store = openStore(file);
    try {
      expect(store.getCall(callId)).toMatchObject({ runId: 'crash-run', taskId: 't1', response: 'def f(): pass', inputTokens: 11 });
      // the resumed process gets the paid answer back without asking the model again
      const counting = new CountingModel('fake', 'crash');
      const resumed = await new CachedChatModel(counting, store).chat({
        messages: [{ role: 'user', content: 'write a function' }],
        temperature: 0,
      });
      expect(resumed).toMatchObject({ cached: true, cachedFrom: callId, text: 'def f(): pass' });
      expect(counting.calls).toBe(0);
    } finally {
      store.close();
    }
  });
});
