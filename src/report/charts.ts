// Vega-Lite chart specs for the study figures, compiled and rendered to SVG in Node (no
// browser, no canvas). Inputs are plain rows so the agent's own runs can be charted the same way.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320, symbolOpacity: 1 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/** One point of a per-round line: `series` names the line, `run` a thin per-run line under it. */
export interface RoundPoint {
  series: string;
  round: string;
  vulnerable: number;
  /** Absent for the mean line; set for the individual runs. */
  run?: string;
}

/** Figure 6: vulnerable samples per round, a bold line per setup (mean) over thin per-run lines. */
export function roundsChartSpec(points: RoundPoint[], rounds: readonly string[], title = 'Vulnerable samples per round'): TopLevelSpec {
  const x = { field: 'round', type: 'ordinal' as const, sort: [...rounds], title: 'Round', axis: { labelAngle: 0 } };
  const y = { field: 'vulnerable', type: 'quantitative' as const, title: 'Vulnerable samples' };
  const color = { field: 'series', type: 'nominal' as const, title: 'Setup' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 300,
    config: CONFIG,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.run)' }],
        mark: { type: 'line', strokeWidth: 1, opacity: 0.3 },
        encoding: { x, y, color, detail: { field: 'run', type: 'nominal' } },
      },
      {
        transform: [{ filter: '!isValid(datum.run)' }],
        mark: { type: 'line', strokeWidth: 2.5, point: true },
        encoding: { x, y, color, tooltip: [{ field: 'series' }, { field: 'round' }, { field: 'vulnerable', format: '.1f' }] },
      },
    ],
  };
}

/** A proportion with an optional interval, for grouped bar charts. */
export interface RatePoint {
  /** Bars are grouped along x by `group` and told apart by `series` (colour). */
  group: string;
  series: string;
  rate: number;
  low?: number;
  high?: number;
}

/** Figure 3: false-positive rate per detector (colour) and generator (x), with 95% intervals. */
export function falsePositiveChartSpec(points: RatePoint[], title = 'False-positive rate of LLM self-review'): TopLevelSpec {
  return groupedRateChart(points, { title, groupTitle: 'Generator', seriesTitle: 'Detector', rateTitle: 'False-positive rate' });
}

/** Figure 4: fix rate per CWE (a row each) and repairer (colour), as horizontal bars. */
export function cweFixChartSpec(points: RatePoint[], title = 'One-shot fix rate per CWE'): TopLevelSpec {
  return groupedRateChart(points, { title, groupTitle: 'CWE', seriesTitle: 'Repairer', rateTitle: 'Fixed share of vulnerable samples', horizontalStep: 6 });
}

function groupedRateChart(
  points: RatePoint[],
  o: { title: string; groupTitle: string; seriesTitle: string; rateTitle: string; horizontalStep?: number },
): TopLevelSpec {
  const groups = [...new Set(points.map((p) => p.group))];
  const horizontal = o.horizontalStep !== undefined;
  // The category axis (groups, offset by series) and the rate axis swap places for horizontal bars.
  const [cat, catOffset, val, val2] = horizontal ? ['y', 'yOffset', 'x', 'x2'] : ['x', 'xOffset', 'y', 'y2'];
  const category = { field: 'group', type: 'nominal' as const, sort: groups, title: o.groupTitle, axis: { labelAngle: 0 } };
  const offset = { field: 'series', type: 'nominal' as const };
  const withInterval = points.some((p) => p.low !== undefined && p.high !== undefined);
  const bar = {
    mark: { type: 'bar' as const },
    encoding: {
      [cat]: category,
      [catOffset]: offset,
      [val]: { field: 'rate', type: 'quantitative' as const, title: o.rateTitle, axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal' as const, title: o.seriesTitle },
      tooltip: [{ field: 'group' }, { field: 'series' }, { field: 'rate', format: '.1%' }],
    },
  };
  const interval = {
    transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
    mark: { type: 'rule', color: '#111827' },
    encoding: { [cat]: category, [catOffset]: offset, [val]: { field: 'low', type: 'quantitative' }, [val2]: { field: 'high' } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: horizontal ? 420 : 480,
    height: horizontal ? { step: o.horizontalStep! * 2 + 4 } : 280,
    config: CONFIG,
    data: { values: points },
    layer: withInterval ? [bar, interval] : [bar],
  } as TopLevelSpec;
}

/** Compiles a Vega-Lite spec and renders it headless to an SVG string. */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
