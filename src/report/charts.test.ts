import { describe, expect, it } from 'vitest';
import { cweFixChartSpec, falsePositiveChartSpec, renderChartSvg, roundsChartSpec, type RoundPoint } from './charts.js';

describe('charts', () => {
  it('renders the per-round chart to SVG with one line per series and per run', async () => {
    const rounds = ['iter1', 'iter2', 'final'];
    const points: RoundPoint[] = [];
    for (const series of ['A', 'B']) {
      rounds.forEach((round, i) => {
        points.push({ series, round, vulnerable: 10 - i * 3 });
        for (const run of ['1', '2', '3']) points.push({ series, round, vulnerable: 10 - i * 3 + Number(run), run: `${series}${run}` });
      });
    }
    const svg = await renderChartSvg(roundsChartSpec(points, rounds));
    expect(svg.startsWith('<svg')).toBe(true);
    const lines = svg.match(/<path[^>]*aria-roledescription="line mark"|class="mark-line[^"]*"/g) ?? [];
    expect(lines.length).toBeGreaterThan(0);
    // Each line mark is one path inside a mark-line group: 2 mean lines + 6 run lines.
    const linePaths = svg.split('class="mark-line').slice(1).map((g) => (g.split('</g>')[0].match(/<path/g) ?? []).length);
    expect(linePaths.reduce((a, b) => a + b, 0)).toBe(8);
    for (const label of ['iter1', 'iter2', 'final', 'Vulnerable samples']) expect(svg).toContain(label);
  });

  it('renders grouped bars with interval rules', async () => {
    const svg = await renderChartSvg(
      falsePositiveChartSpec([
        { group: 'G1', series: 'D1', rate: 0.2, low: 0.1, high: 0.35 },
        { group: 'G1', series: 'D2', rate: 0.1, low: 0.05, high: 0.2 },
        { group: 'G2', series: 'D1', rate: 0.3, low: 0.2, high: 0.45 },
      ]),
    );
    const bars = svg.split('class="mark-rect').slice(1).map((g) => (g.split('</g>')[0].match(/<path/g) ?? []).length);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(3);
    expect(svg).toContain('mark-rule');
  });

  it('lays out the CWE chart horizontally, one row per CWE', async () => {
    const spec = cweFixChartSpec([
      { group: 'CWE-20', series: 'GPT-4', rate: 1 },
      { group: 'CWE-79', series: 'GPT-4', rate: 0.5 },
    ]) as { height: { step: number }; layer: { encoding: Record<string, unknown> }[] };
    expect(spec.layer[0].encoding.y).toMatchObject({ field: 'group' });
    expect(spec.layer[0].encoding.x).toMatchObject({ field: 'rate' });
    const svg = await renderChartSvg(spec as never);
    expect(svg).toContain('CWE-79');
  });
});
