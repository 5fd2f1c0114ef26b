// `npm run eval`: scores a scanner (default: the built-in analyzer) on SecurityEval's
// Insecure_code and the study's labelled RQ1/RQ3 code. See bench/lib/ for the parts.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { UserError } from '../src/core/types.js';
import { defaultDatasetsDir } from '../src/tasks/datasets.js';
import { DetectorUnavailable, makeDetector, unionDetector, DETECTOR_NAMES } from './lib/detectors.js';
import { renderText } from './lib/render.js';
import { collectSamples, EVAL_SETS, type EvalSet } from './lib/samples.js';
import { applyAudit, readLabelAudit, withAuditedLabels } from './lib/audit.js';
import { REPO } from './lib/bench-util.js';
import { auditedView, buildReport, judge } from './lib/score.js';

interface CliOptions {
  data?: string;
  scanner: string;
  sets: string;
  depth: string;
  details?: boolean;
  json?: boolean;
  strict?: boolean;
  audit: string;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('eval')
    .description('Score a scanner on SecurityEval Insecure_code and the study labels (RQ1, RQ3)')
    .option('--data <dir>', 'datasets folder (default ../shared/datasets beside the repository)')
    .option('--scanner <names>', `scanner(s), comma separated, findings pooled: ${DETECTOR_NAMES.join(', ')}`, 'builtin')
    .option('--sets <sets>', `sets to score, comma separated: ${EVAL_SETS.join(', ')}`, EVAL_SETS.join(','))
    .addOption(new Option('--depth <n>', 'ChildOf steps that still count as the same CWE').default('1'))
    .option('--details', 'list every miss and false alarm with its file')
    .option('--json', 'print the report as JSON')
    .option('--strict', 'exit 1 when a floor fails')
    .option('--audit <dir>', 'our audit of the study labels, scored as a second view (the floors use the published labels)', resolve(REPO, 'bench/label-audit'))
    .exitOverride();
  program.parse(argv);
  const options = program.opts<CliOptions>();

  const started = performance.now();
  const dataDir = resolve(options.data ?? defaultDatasetsDir());
  const sets = parseList(options.sets, EVAL_SETS, 'set') as EvalSet[];
  const depth = Number(options.depth);
  if (!Number.isInteger(depth) || depth < 0) throw new UserError(`--depth must be a whole number >= 0, got ${options.depth}`);
  const names = parseList(options.scanner, DETECTOR_NAMES, 'scanner');
  const detector = unionDetector(await Promise.all(names.map((n) => makeDetector(n))));

  const samples = await collectSamples(dataDir, sets);
  const scanStarted = performance.now();
  const detection = await detector.detect(samples.map((s) => ({ path: s.path, content: s.code })));
  const scanSeconds = (performance.now() - scanStarted) / 1000;

  const report = buildReport(judge(samples, detection.findings, { depth }), {
    scanner: detector.name,
    dataDir,
    matchDepth: depth,
    diagnosticMessages: detection.diagnostics.map((d) => `${d.scanner} ${d.file ?? '-'}${d.line ? ':' + d.line : ''}: ${d.message}`),
    seconds: { scan: scanSeconds, total: (performance.now() - started) / 1000 },
  });
  if (sets.includes('rq1') || sets.includes('rq3')) {
    const audit = applyAudit(readLabelAudit(resolve(options.audit)), samples);
    if (audit.entries.length > 0) {
      const audited = judge(withAuditedLabels(samples, audit), detection.findings, { depth });
      report.audit = auditedView(audit, audited);
    }
  }
  console.log(options.json ? JSON.stringify(report, null, 2) : renderText(report, { details: options.details }));
  return options.strict && report.floors.some((f) => !f.passed) ? 1 : 0;
}

function parseList(text: string, allowed: readonly string[], what: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UserError(`no ${what} given`);
  for (const item of items) {
    if (!allowed.includes(item)) throw new UserError(`unknown ${what} ${JSON.stringify(item)} (expected ${allowed.join(', ')})`);
  }
  return [...new Set(items)];
}

// `npm run eval | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const code = (err as { code?: string })?.code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
      return;
    }
    if (err instanceof UserError || err instanceof DetectorUnavailable) {
      console.error(`eval: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
