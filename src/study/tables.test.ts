import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { studyArtifactsDir } from '../tasks/datasets.js';
import { renderTables, renderTablesCsv, renderTablesJson, renderTablesMarkdown } from './render.js';
import { computeStudyTables } from './tables.js';

const root = studyArtifactsDir();
const tables = computeStudyTables(root);

describe('Tables 2-5 from the published artifacts', () => {
  it('Table 2: vulnerable samples per generator', () => {
    expect(tables.table2).toEqual({
      'gpt3.5': { vulnerable: 92, total: 121 },
      gpt4: { vulnerable: 91, total: 121 },
      codellama: { vulnerable: 91, total: 121 },
      codegeex2: { vulnerable: 95, total: 121 },
    });
  });

  it('Table 3: correct answers; CodeGeeX2 column one above the paper for both detectors', () => {
    const correct = (d: 'gpt3.5' | 'gpt4') =>
      (['gpt3.5', 'gpt4', 'codellama', 'codegeex2'] as const).map((g) => tables.table3[d]![g]!.correct);
    expect(correct('gpt3.5')).toEqual([58, 52, 52, 50]);
    expect(correct('gpt4')).toEqual([91, 90, 87, 94]);
    expect(Object.values(tables.table3).flatMap((row) => Object.values(row!).map((c) => c!.total))).toEqual(Array(8).fill(121));
    // The Code Llama detector only judged GPT-4 code: outside the study's table.
    expect(Object.keys(tables.table3)).toEqual(['gpt3.5', 'gpt4']);
    expect(tables.table3Partial).toEqual({ codellama: { gpt4: { correct: 0, total: 121 } } });
  });

  it('Table 4: fixed of vulnerable, exactly the published cells', () => {
    expect(tables.table4).toEqual({
      'gpt3.5': {
        'gpt3.5': { fixed: 28, vulnerable: 92 },
        gpt4: { fixed: 30, vulnerable: 91 },
        codellama: { fixed: 31, vulnerable: 91 },
        codegeex2: { fixed: 34, vulnerable: 95 },
      },
      gpt4: {
        'gpt3.5': { fixed: 56, vulnerable: 92 },
        gpt4: { fixed: 50, vulnerable: 91 },
        codellama: { fixed: 58, vulnerable: 91 },
        codegeex2: { fixed: 56, vulnerable: 95 },
      },
    });
  });

  it('Table 5: pooled fix rates over the 5 runs, GPT-4 fixing GPT-3.5 0.2 points above the paper', () => {
    const percent = (r: 'gpt3.5' | 'gpt4', g: 'gpt3.5' | 'gpt4' | 'codellama') => Math.round(tables.table5[r]![g]! * 1000) / 10;
    expect(percent('gpt3.5', 'gpt3.5')).toBe(65.9);
    expect(percent('gpt3.5', 'gpt4')).toBe(67.6);
    expect(percent('gpt4', 'gpt3.5')).toBe(77.6);
    expect(percent('gpt4', 'gpt4')).toBe(85.5);
    expect(percent('gpt4', 'codellama')).toBe(84.2);
    const d = tables.table5Detail.gpt4!.gpt4!;
    expect(d.runs.map((r) => [r.iter1, r.final])).toEqual([
      [45, 3],
      [53, 10],
      [54, 10],
      [55, 8],
      [42, 5],
    ]);
    expect(d.runRates.n).toBe(5);
    expect(d.runRates.mean).toBeCloseTo(0.859, 3);
    expect(d.runRates.sd).toBeGreaterThan(0);
  });

  it('records a note for each cell that differs from the paper, and only those', () => {
    expect(tables.notes.map(({ table, row, column, artifact, published }) => ({ table, row, column, artifact, published }))).toEqual([
      { table: 'table3', row: 'gpt3.5', column: 'codegeex2', artifact: 50, published: 49 },
      { table: 'table3', row: 'gpt4', column: 'codegeex2', artifact: 94, published: 93 },
      { table: 'table5', row: 'gpt4', column: 'gpt3.5', artifact: 77.6, published: 77.4 },
    ]);
    expect(tables.notes[0].text).toMatch(/artifacts give 50 correct, the paper 49/);
  });

  it('reports the data irregularities it works around, with paths relative to the artifacts', () => {
    expect(tables.dataIssues.some((i) => i.startsWith('RQ4/4_for_4_5/iterInfo/iter1.txt: the log is repeated'))).toBe(true);
    expect(tables.dataIssues.filter((i) => i.startsWith('RQ3/'))).toHaveLength(8);
    expect(tables.dataIssues.some((i) => /detectResult_llama_for_gpt4\.jsonl: 120 of 121 answers are free text/.test(i))).toBe(true);
    expect(tables.dataIssues.every((i) => !i.includes(root))).toBe(true);
  });

  it('gives Wilson intervals around each proportion', () => {
    const ci = tables.ci.table4.gpt4!.gpt4!;
    expect(ci.p).toBeCloseTo(50 / 91, 12);
    expect(ci.low).toBeCloseTo(0.4473, 4);
    expect(ci.high).toBeCloseTo(0.6476, 4);
    expect(tables.ci.table5['gpt3.5']!['gpt3.5']!.p).toBeCloseTo(tables.table5['gpt3.5']!['gpt3.5']!, 12);
  });
});

describe('figure data', () => {
  it('Figure 3: false-positive rate against the RQ1 labels', () => {
    const fp = tables.figure3.find((c) => c.detector === 'gpt4' && c.generator === 'gpt4')!;
    expect([fp.fp, fp.tn]).toEqual([3, 27]);
    expect(fp.rate).toBeCloseTo(0.1, 12);
    // Negatives = samples labelled 0 = 121 minus Table 2.
    for (const c of tables.figure3.filter((x) => x.detector !== 'codellama')) {
      expect(c.fp + c.tn + c.unparsed).toBe(121 - tables.table2[c.generator]!.vulnerable);
    }
  });

  it('Figure 4: CWEs fully fixed per repairer', () => {
    const byRepairer = Object.fromEntries(tables.figure4.map((r) => [r.repairer, r]));
    expect(byRepairer.gpt4.cwes).toHaveLength(63);
    expect(byRepairer.gpt4.fullyFixed).toHaveLength(25);
    expect(byRepairer['gpt3.5'].fullyFixed).toHaveLength(12);
    for (const r of tables.figure4) {
      for (const cwe of r.fullyFixed) {
        const cell = r.cwes.find((c) => c.cwe === cwe)!;
        expect(cell.fixed).toBe(cell.vulnerable);
      }
      // Pooled vulnerable samples = the sum of Table 2.
      expect(r.cwes.reduce((n, c) => n + c.vulnerable, 0)).toBe(92 + 91 + 91 + 95);
    }
  });

  it('Figure 6: vulnerable files per round, per run and mean', () => {
    const setup = tables.figure6.find((s) => s.repairer === 'gpt4' && s.generator === 'gpt3.5')!;
    expect(setup.runs.map((r) => r.counts.iter1)).toEqual([42, 41, 37, 38, 43]);
    expect(setup.mean.iter1).toBeCloseTo(40.2, 10);
    expect(setup.mean.final).toBeCloseTo(9, 10);
    expect(tables.figure6).toHaveLength(5);
  });
});

describe('renderers', () => {
  it('JSON has exactly the required shape first, extras beside it', () => {
    const json = JSON.parse(renderTablesJson(tables));
    expect(Object.keys(json).slice(0, 5)).toEqual(['table2', 'table3', 'table4', 'table5', 'notes']);
    expect(json.table2.gpt4).toEqual({ vulnerable: 91, total: 121 });
    expect(json.table3['gpt3.5'].codegeex2).toEqual({ correct: 50, total: 121 });
    expect(json.table4.gpt4.codellama).toEqual({ fixed: 58, vulnerable: 91 });
    expect(typeof json.table5.gpt4.gpt4).toBe('number');
    expect(json.ci.table2.gpt4.low).toBeLessThan(91 / 121);
  });

  it('CSV: a header and one row per cell of Tables 2-5', () => {
    const lines = renderTablesCsv(tables).trimEnd().split('\n');
    expect(lines[0]).toBe('table,row,column,count,total,rate,ci_low,ci_high,published_count,published_rate');
    expect(lines).toHaveLength(1 + 4 + 8 + 8 + 5);
    for (const line of lines) expect(line.split(',')).toHaveLength(10);
    expect(lines).toContain('table3,gpt3.5,codegeex2,50,121,0.413223,0.329475,0.502311,49,0.404959');
    expect(lines.find((l) => l.startsWith('table5,gpt4,codellama,'))).toMatch(/,176,209,0\.842105,.*,,$/);
  });

  it('Markdown: one table per study table with the same column count in every row, notes marked', () => {
    const md = renderTablesMarkdown(tables);
    for (const n of [2, 3, 4, 5]) expect(md).toContain(`### Table ${n}.`);
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    const blocks = md.split(/\n### /).map((b) => b.split('\n').filter((l) => l.startsWith('|')));
    for (const rows of blocks) {
      if (rows.length === 0) continue;
      const width = rows[0].split(/(?<!\\)\|/).length;
      for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(width);
    }
    expect(tableLines.length).toBeGreaterThan(10);
    expect(md).toMatch(/50\/121 \(41\.3%\) \[32\.9%, 50\.2%\] † \(paper: 49\)/);
    expect(md).toContain('- Table 5 gpt4 fixing gpt3.5: artifacts give 77.6%, the paper 77.4%');
  });

  it('renderTables checks the format; computeStudyTables names a missing file', () => {
    expect(() => renderTables(tables, 'xml' as never)).toThrow(UserError);
    expect(() => computeStudyTables('/nonexistent/llmsecurecode')).toThrow(/nonexistent.*no such file/);
    expect(JSON.parse(renderTables(tables, 'json')).table2['gpt3.5'].vulnerable).toBe(92);
  });
});
