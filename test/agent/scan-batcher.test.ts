import { afterEach, describe, expect, it } from 'vitest';
import { SampleScanner } from '../../src/agent/sample-scanner.js';
import { ScanBatcher } from '../../src/agent/scan-batcher.js';
import type { ScanResult } from '../../src/scanners/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MarkerScanner } from './helpers/marker-scanner.js';

describe('ScanBatcher', () => {
  it('makes one batch of the files that arrive together and gives each caller its own findings', async () => {
    const scanner = new MarkerScanner();
    const batcher = new ScanBatcher(scanner, { windowMs: 10 });
    const files = Array.from({ length: 16 }, (_, i) => ({ path: 'same.py', content: i % 2 ? `x = ${i}  # VULN\n` : `x = ${i}\n` }));
    const results = await Promise.all(files.map((f) => batcher.scan(f)));
    expect(scanner.batches).toHaveLength(1);
    expect(scanner.batches[0]).toHaveLength(16);
    expect(batcher.stats).toEqual({ batches: 1, files: 16, largestBatch: 16 });
    results.forEach((r, i) => {
      expect(r.findings).toHaveLength(i % 2);
      for (const f of r.findings) {
        expect(f.file).toBe('same.py');
        expect(f.snippet).toBe(`x = ${i}  # VULN`);
      }
    });
  });

  it('with one batch in flight, what arrives meanwhile forms the next batch', async () => {
    const scanner = new MarkerScanner('marker', { delayMs: 60 });
    const batcher = new ScanBatcher(scanner, { windowMs: 5, maxInFlight: 1 });
    const first = batcher.scan({ path: 'a.py', content: 'a = 1\n' });
    await new Promise((r) => setTimeout(r, 20));
    const later = ['b', 'c', 'd'].map((n) => batcher.scan({ path: `${n}.py`, content: `${n} = 1  # VULN\n` }));
    await Promise.all([first, ...later]);
    expect(scanner.batches.map((b) => b.length)).toEqual([1, 3]);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const scanner = new MarkerScanner('marker', { delayMs: 80 });
    const batcher = new ScanBatcher(scanner, { windowMs: 1, maxInFlight: 2 });
    const started = performance.now();
    const first = batcher.scan({ path: 'a.py', content: 'a\n' });
    await new Promise((r) => setTimeout(r, 10));
    const second = batcher.scan({ path: 'b.py', content: 'b\n' });
    await new Promise((r) => setTimeout(r, 10));
    const third = batcher.scan({ path: 'c.py', content: 'c\n' });
    await Promise.all([first, second, third]);
    expect(scanner.batches.map((b) => b.map((f) => f.path))).toEqual([['0/a.py'], ['0/b.py'], ['0/c.py']]);
    // The third waited for a slot: about two batch times, not three.
    expect(performance.now() - started).toBeLessThan(230);
  });

  it('splits batches larger than maxBatch', async () => {
    const scanner = new MarkerScanner();
    const batcher = new ScanBatcher(scanner, { windowMs: 5, maxBatch: 4, maxInFlight: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.scan({ path: `${i}.py`, content: `v = ${i}\n` })));
    expect(scanner.batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  it('when a batch fails, scans its files one by one so that only the bad one fails', async () => {
    const scanner = new MarkerScanner('marker', { fail: (files) => (files.some((f) => f.content.includes('boom')) ? 'tool crashed' : undefined) });
    const batcher = new ScanBatcher(scanner, { windowMs: 5 });
    const outcomes = await Promise.allSettled(
      ['a = 1  # VULN\n', 'boom\n', 'c = 3\n'].map((content, i) => batcher.scan({ path: `${i}.py`, content })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('marker: tool crashed');
    expect((outcomes[0] as PromiseFulfilledResult<ScanResult>).value.findings.map((f) => [f.file, f.line])).toEqual([['0.py', 1]]);
    expect(scanner.batches.map((b) => b.length)).toEqual([3, 1, 1, 1]);
    await expect(batcher.scan({ path: 'ok.py', content: 'VULN\n' })).resolves.toMatchObject({ findings: [{ line: 1 }] });
  });

  it('rejects a request whose signal fired before its batch started', async () => {
    const scanner = new MarkerScanner();
    const batcher = new ScanBatcher(scanner, { windowMs: 20 });
    const controller = new AbortController();
    const cancelled = batcher.scan({ path: 'a.py', content: 'x\n' }, controller.signal);
    const kept = batcher.scan({ path: 'b.py', content: 'y\n' });
    controller.abort(new Error('stop'));
    await expect(cancelled).rejects.toThrow('stop');
    await kept;
    expect(scanner.batches).toEqual([[{ path: '0/b.py', content: 'y\n' }]]);
  });
});

describe('SampleScanner', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  it('answers code it scanned before from the store, across instances', async () => {
    store = openStore(':memory:');
    const scanner = new MarkerScanner();
    const first = await SampleScanner.create([scanner], { store, batchWindowMs: 1 });
    const a = await first.scan({ path: 'a.py', content: 'os.system(x)  # VULN\n' });
    const second = await SampleScanner.create([scanner], { store, batchWindowMs: 1 });
    const b = await second.scan({ path: 'b.py', content: 'os.system(x)  # VULN\n' });
    expect(scanner.batches).toHaveLength(1);
    expect(b.cached).toEqual(['marker']);
    expect(b.findings.map((f) => [f.file, f.line])).toEqual([['b.py', 1]]);
    expect(a.findings[0]!.file).toBe('a.py');
  });

  it('merges the findings of several scanners in a stable order', async () => {
    const scan = await SampleScanner.create([new MarkerScanner('zeta'), new MarkerScanner('alpha')], { batchWindowMs: 1 });
    const result = await scan.scan({ path: 'x.py', content: 'a  # VULN\nb\nc  # VULN-89\n' });
    expect(result.findings.map((f) => `${f.line}:${f.scanner}:${f.cwes}`)).toEqual(['1:alpha:78', '1:zeta:78', '3:alpha:89', '3:zeta:89']);
  });

  it('does not cache the in-process builtin scanner', async () => {
    store = openStore(':memory:');
    const builtin = new MarkerScanner('builtin');
    const scan = await SampleScanner.create([builtin], { store });
    await scan.scan({ path: 'a.py', content: 'VULN\n' });
    await scan.scan({ path: 'a.py', content: 'VULN\n' });
    expect(builtin.batches).toHaveLength(2);
  });
});
