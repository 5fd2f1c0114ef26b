// `study tables --rejudge <scanners>`: the study's Tables 2 and 4 judged again by secagent's
// scanners (what the study would have measured with them instead of its manual review,
// CodeQL and Bandit), put beside the published tables in every output format.
import { basename, dirname } from 'node:path';
import { UserError } from '../../core/types.js';
import { markdownTable } from '../../report/html-markdown.js';
import type { VerdictPolicy } from '../../scanners/combine.js';
import type { Scanner } from '../../scanners/types.js';
import type { Store } from '../../store/store.js';
import type { ReportTable } from '../../report/html-types.js';
import { listRq1Samples } from '../labels.js';
import { csvNumber, pct, renderTablesCsv, renderTablesJson, renderTablesMarkdown, type TablesFormat } from '../render.js';
import { rejudgeArtifacts, type RejudgedTables } from '../rejudge.js';
import { rejudgedTables } from '../report.js';
import type { StudyTables } from '../tables.js';
import { CodeJudge } from './common.js';
import { modelLabel } from './render.js';

export interface RejudgeOptions {
  /** The scan cache; repeated re-judging of the same code with the same scanners is then instant. */
  store?: Store;
  /** Default task-cwe: the study's labels say whether code is vulnerable to its task's CWE. */
  policy?: VerdictPolicy;
  /** Files in flight at once (default 8; external scanners batch what arrives together). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The judge's RQ1 verdicts against the study's labels, per generator. */
export interface Agreement {
  /** Vulnerable by both. */
  both: number;
  /** Vulnerable by the study's label only (the judge misses it, or the label is wrong). */
  studyOnly: number;
  judgeOnly: number;
  neither: number;
}

export interface Rejudged {
  rejudged: RejudgedTables;
  /** e.g. `builtin (task-cwe)`. */
  judgeName: string;
  agreement: Record<string, Agreement>;
}

/** Judges every RQ1 sample and RQ3 repair of the artifacts with the scanners. */
export async function rejudgeWithScanners(root: string, scanners: readonly Scanner[], options: RejudgeOptions = {}): Promise<Rejudged> {
  const judge = await CodeJudge.create(scanners, { store: options.store, policy: options.policy ?? 'task-cwe', signal: options.signal });
  const rejudged = await rejudgeArtifacts(
    root,
    async (code, cwe, path) => (await judge.judge(`${basename(dirname(path))}/${basename(path)}`, cwe, code, options.signal)).vulnerable,
    { concurrency: options.concurrency ?? 8, signal: options.signal, onProgress: options.onProgress },
  );
  const label = new Map(listRq1Samples(root).map((s) => [`${s.generator}\0${s.taskId}`, s.vulnerable]));
  const agreement: Record<string, Agreement> = {};
  for (const s of rejudged.samples) {
    if (s.set !== 'rq1') continue;
    const a = (agreement[s.generator] ??= { both: 0, studyOnly: 0, judgeOnly: 0, neither: 0 });
    const study = label.get(`${s.generator}\0${s.taskId}`) ?? false;
    if (study && s.vulnerable) a.both++;
    else if (study) a.studyOnly++;
    else if (s.vulnerable) a.judgeOnly++;
    else a.neither++;
  }
  return { rejudged, judgeName: judge.name, agreement };
}

/** The study's tables in `format` with the re-judged Tables 2 and 4 beside them. */
export function renderTablesWithRejudged(tables: StudyTables, r: Rejudged, format: TablesFormat): string {
  switch (format) {
    case 'json': {
      const published = JSON.parse(renderTablesJson(tables)) as Record<string, unknown>;
      const { samples: _samples, ...figures } = r.rejudged;
      return JSON.stringify({ ...published, rejudged: { judge: r.judgeName, ...figures, agreement: r.agreement } }, null, 2) + '\n';
    }
    case 'markdown': {
      const parts = [renderTablesMarkdown(tables), `## Re-judged by ${r.judgeName}`, ''];
      parts.push(
        'Tables 2 and 4 with the study\'s labels (manual review + CodeQL + Bandit) replaced by the verdicts of secagent\'s scanners ' +
          'on the same code: an RQ1 sample counts as vulnerable when a finding of its task\'s CWE is reported; a repair is fixed when none is.',
        '',
      );
      for (const table of rejudgedTables(tables, r.rejudged, r.judgeName)) parts.push(markdownTable(table));
      parts.push(markdownTable(agreementTable(r)));
      return parts.join('\n');
    }
    case 'csv': {
      const lines = renderTablesCsv(tables).trimEnd().split('\n');
      for (const [g, c] of Object.entries(r.rejudged.table2)) {
        const ci = r.rejudged.ci.table2[g as keyof typeof r.rejudged.ci.table2];
        lines.push(['table2-rejudged', '', g, c!.vulnerable, c!.total, csvNumber(c!.vulnerable / c!.total), csvNumber(ci?.low ?? NaN), csvNumber(ci?.high ?? NaN), '', ''].join(','));
      }
      for (const [rep, row] of Object.entries(r.rejudged.table4)) {
        for (const [g, c] of Object.entries(row ?? {})) {
          const ci = r.rejudged.ci.table4[rep as keyof typeof r.rejudged.ci.table4]?.[g as keyof typeof row];
          lines.push(['table4-rejudged', rep, g, c!.fixed, c!.vulnerable, csvNumber(c!.fixed / c!.vulnerable), csvNumber(ci?.low ?? NaN), csvNumber(ci?.high ?? NaN), '', ''].join(','));
        }
      }
      return lines.join('\n') + '\n';
    }
    default:
      throw new UserError(`unknown format ${JSON.stringify(format)}`);
  }
}

/** How often the judge agrees with the study's RQ1 labels: counts, recall and precision against them. */
function agreementTable(r: Rejudged): ReportTable {
  const share = (k: number, n: number) => pct(k / n);
  return {
    title: `RQ1 verdicts of ${r.judgeName} against the study's labels`,
    caption: 'Recall: share of the study\'s vulnerable samples the judge also flags; precision: share of the judge\'s flags the study also labels vulnerable.',
    header: ['Generator', 'Both vulnerable', 'Study only', 'Judge only', 'Neither', 'Recall', 'Precision', 'Agreement'],
    rows: Object.entries(r.agreement).map(([g, a]) => [
      modelLabel(g),
      String(a.both),
      String(a.studyOnly),
      String(a.judgeOnly),
      String(a.neither),
      share(a.both, a.both + a.studyOnly),
      share(a.both, a.both + a.judgeOnly),
      share(a.both + a.neither, a.both + a.studyOnly + a.judgeOnly + a.neither),
    ]),
  };
}
