// `secagent report <run-id> | --artifacts [dir] [--html report.html] [--format markdown] [--output f]`:
// the tables, charts and per-task drill-down of a run of the store (an rq1-rq4 experiment or
// an agent run) and/or of the study's published artifacts, as one self-contained HTML page
// and/or Markdown. Exit 0 when written, 2 for bad input.
import { Option, type Command } from 'commander';
import { UserError } from '../../core/types.js';
import { VERDICT_POLICIES, type VerdictPolicy } from '../../scanners/combine.js';
import { openStore, type Store } from '../../store/store.js';
import { buildStudyReport, rejudgeWithScanners, type Rejudged } from '../../study/experiments/index.js';
import { watchInterrupts } from '../agent/interrupt.js';
import { note } from '../output.js';
import { artifactsDir, chooseScanners } from '../study/setup.js';

interface ReportOptions {
  artifacts?: string | boolean;
  html?: string;
  format?: 'markdown';
  output?: string;
  rejudge?: string;
  policy: VerdictPolicy;
  bandit?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a report (HTML with charts, or Markdown) of a run of the store and/or the study\'s published artifacts')
    .argument('[run-id]', 'a run of the store: an experiment (secagent study rq1..rq4) or an agent run')
    .option('--artifacts [dir]', 'report on the study\'s published artifacts (default ../shared/datasets/llmsecurecode)')
    .option('--html <file>', 'write one self-contained HTML page (tables, charts, per-task drill-down)')
    .addOption(new Option('--format <format>', 'also write the report as Markdown (to --output, or stdout)').choices(['markdown']))
    .option('-o, --output <file>', 'where the Markdown goes (default stdout)')
    .option('--rejudge <scanners>', 'with --artifacts: put Tables 2 and 4 judged by these scanners beside the study\'s')
    .addOption(new Option('--policy <policy>', 'with --rejudge: what counts').choices([...VERDICT_POLICIES]).default('task-cwe'))
    .option('--bandit <path>', 'the bandit executable (default: bandit on PATH)')
    .action(async (runId: string | undefined, options: ReportOptions, cmd: Command) => {
      if (!options.html && !options.format) throw new UserError('report: give --html <file> and/or --format markdown');
      if (!runId && !options.artifacts) throw new UserError('report: give a run id, or --artifacts [dir] for the published study');
      if (options.rejudge && !options.artifacts) throw new UserError('report: --rejudge re-judges the published artifacts; add --artifacts');
      if (options.output && !options.format) throw new UserError('report: --output is for the Markdown; add --format markdown (the HTML goes to --html)');
      const artifacts = options.artifacts ? artifactsDir(options.artifacts) : undefined;
      const store: Store | undefined = runId || options.rejudge ? openStore((cmd.optsWithGlobals() as { store: string }).store) : undefined;
      try {
        let rejudged: Rejudged | undefined;
        if (options.rejudge && artifacts) {
          const { scanners } = await chooseScanners(options.rejudge, options.bandit);
          const interrupts = watchInterrupts();
          try {
            note('re-judging the RQ1 samples and RQ3 repairs');
            rejudged = await rejudgeWithScanners(artifacts, scanners, { store, policy: options.policy, signal: interrupts.signal });
          } finally {
            interrupts.dispose();
          }
        }
        const report = await buildStudyReport({
          store,
          ...(runId ? { runId } : {}),
          ...(artifacts ? { artifacts } : {}),
          ...(rejudged ? { rejudged: rejudged.rejudged, judgeName: rejudged.judgeName } : {}),
          ...(options.html ? { html: options.html } : {}),
          ...(options.format && options.output ? { markdown: options.output } : {}),
        });
        for (const path of report.written) note(`wrote ${path}`);
        if (options.format && !options.output) process.stdout.write(report.markdown);
      } finally {
        store?.close();
      }
    });
}
