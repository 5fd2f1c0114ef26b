import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { renderExperiment } from './experiments/render.js';
import type { ExperimentTables } from './experiments/types.js';
import { ciText, csvCell, csvNumber, pct, ratio, renderTables } from './render.js';
import type { StudyTables } from './tables.js';

describe('the shared pieces of the study and experiment renderers', () => {
  it('formats shares, ratios and intervals', () => {
    expect(pct(0.41322)).toBe('41.3%');
    expect(pct(NaN)).toBe('—');
    expect(pct(Infinity)).toBe('—');
    expect(ratio(50, 121)).toBe('50/121 (41.3%)');
    expect(ratio(0, 0)).toBe('0/0 (—)');
    expect(ratio(3, 0)).toBe('3/0 (—)');
    expect(ciText({ p: 0.5, low: 0.25, high: 0.75 })).toBe('[25.0%, 75.0%]');
    expect(ciText({ p: NaN, low: 0, high: 1 })).toBe('');
    expect(ciText(undefined)).toBe('');
  });

  it('writes CSV numbers and cells', () => {
    expect(csvNumber(0.41322314049)).toBe('0.413223');
    expect(csvNumber(undefined)).toBe('');
    expect(csvNumber(NaN)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
  });

  it('names the formats on an unknown one, for the study tables and an experiment alike', () => {
    const message = 'unknown format "xml": use one of json, markdown, csv';
    const study = {} as StudyTables;
    expect(() => renderTables(study, 'xml' as never)).toThrow(UserError);
    expect(() => renderTables(study, 'xml' as never)).toThrow(message);
    const tables: ExperimentTables = {
      experiment: 'rq1',
      runId: 'r',
      status: 'done',
      ci: {},
      cost: { calls: 0, cachedCalls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 },
      notes: [],
      settings: {},
    };
    expect(() => renderExperiment(tables, 'xml')).toThrow(message);
  });
});
