import { afterEach, describe, expect, it } from 'vitest';
import type { ChatModel } from '../../llm/types.js';
import type { Scanner } from '../../scanners/types.js';
import { openStore, type Store } from '../../store/store.js';
import { firstOfEach } from './common.js';
import { uniqueModels } from './rq1.js';
import { runRq2 } from './rq2.js';
import type { SampleSource } from './samples.js';

// Never asked: these tests stop before any call, or use scanner detectors only.
const stubModel = (id: string) => ({ id }) as ChatModel;

function quietScanner(name: string): Scanner {
  return {
    name,
    unavailableReason: async () => null,
    scan: async () => ({ findings: [], diagnostics: [], suppressed: 0 }),
  };
}

const source: SampleSource = {
  description: 'two samples',
  generators: [
    {
      key: 'gen-a',
      samples: [
        { taskId: 'CWE-078/a.py', cwe: 78, code: 'print(1)\n', vulnerable: true },
        { taskId: 'CWE-089/b.py', cwe: 89, code: 'print(2)\n', vulnerable: false },
      ],
    },
  ],
  notes: [],
};

let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

describe('firstOfEach', () => {
  it('keeps the first item of each key, in the order given', () => {
    const items = [{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }, { k: 'c', n: 4 }, { k: 'a', n: 5 }];
    expect(firstOfEach(items, (i) => i.k).map((i) => i.n)).toEqual([1, 2, 4]);
    expect(firstOfEach([], (i: string) => i)).toEqual([]);
  });
});

describe('models and detectors given twice', () => {
  it('uniqueModels keeps each model id once and names the option when none is left', () => {
    const a = stubModel('openai:a');
    expect(uniqueModels([a, stubModel('openai:b'), stubModel('openai:a')], '--models').map((m) => m.id)).toEqual(['openai:a', 'openai:b']);
    expect(uniqueModels([a, stubModel('openai:a')], '--models')[0]).toBe(a);
    expect(() => uniqueModels([], '--repairers')).toThrow('--repairers: give at least one model');
  });

  it('rq2 asks each detector once and refuses to run without one', async () => {
    store = openStore(':memory:');
    await expect(runRq2({ store, source, detectors: [] })).rejects.toThrow('--detectors: give at least one model or scanner:<name>');
    const scanner = quietScanner('quiet');
    const outcome = await runRq2({ store, runId: 'twice', source, detectors: [], scannerDetectors: [scanner, quietScanner('quiet')] });
    expect(outcome.status).toBe('done');
    expect(outcome.tables.settings.detectors).toEqual(['scanner:quiet']);
    expect(Object.keys(outcome.tables.table3!)).toEqual(['scanner:quiet']);
    // Nothing found: "not vulnerable" is right for the secure sample only.
    expect(outcome.tables.table3!['scanner:quiet']['gen-a']).toMatchObject({ correct: 1, total: 2 });
    expect(store.getRun('twice/det=scanner:quiet/gen=gen-a')?.status).toBe('done');
  });
});
