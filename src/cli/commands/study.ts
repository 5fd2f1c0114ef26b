// `secagent study rq1|rq2|rq3|rq4 [options]`: the study's experiments on any models, each a
// resumable run of the store (the global --store); the tables go to stdout (JSON, Markdown or
// CSV), progress, cost and the resume hint to stderr.
// `secagent study import --artifacts [dir]`: the published artifacts into the store.
// `secagent study tables --artifacts [dir]`: Tables 2-5 from the published artifacts, with
// `--rejudge <scanners>` the same samples judged by secagent's scanners beside them.
// Exit 0 when done, 2 for bad input, 130 when interrupted.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../../core/types.js';
import { costOf } from '../../llm/pricing.js';
import { PROMPT_PRESETS, type PromptPreset } from '../../llm/prompts.js';
import { writeTextFile } from '../../report/write-file.js';
import { VERDICT_POLICIES, type VerdictPolicy } from '../../scanners/combine.js';
import type { SkippedScanner } from '../../scanners/registry.js';
import type { RunConfig } from '../../store/records.js';
import { openStore, type Store } from '../../store/store.js';
import {
  CodeJudge,
  DEFAULT_MAX_ASKS,
  DEFAULT_RQ4_ITERATIONS,
  DEFAULT_RQ4_RUNS,
  EXPERIMENT_KIND,
  costLine,
  rejudgeWithScanners,
  renderExperiment,
  renderTablesWithRejudged,
  runRq1,
  runRq2,
  runRq3,
  runRq4,
  withScannerTruth,
  type Experiment,
  type ExperimentBase,
  type ExperimentOutcome,
} from '../../study/experiments/index.js';
import { importArtifacts } from '../../study/import.js';
import { TABLE_FORMATS, renderTables, type TablesFormat } from '../../study/render.js';
import { computeStudyTables } from '../../study/tables.js';
import { securityEvalPath } from '../../tasks/datasets.js';
import { loadTasks } from '../../tasks/load.js';
import { integerAtLeast } from '../agent/options.js';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from '../agent/interrupt.js';
import { note } from '../output.js';
import { ExperimentProgressDisplay, ModelPool, artifactsDir, chooseDetectors, chooseScanners, chooseSource, collect, listValue, type SourceOptions } from '../study/setup.js';
import { resumeCommand } from './run.js';

interface CommonOptions {
  runId?: string;
  resume?: boolean;
  concurrency: number;
  format: TablesFormat;
  output?: string;
  timeout?: number;
  retries?: number;
  maxAsks: number;
  temperature?: number;
  bandit?: string;
}

interface Globals {
  store: string;
}

function numberIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${what}: expected a number from ${min} to ${max}`);
    return n;
  };
}

function addCommonOptions(command: Command): Command {
  return command
    .option('--run-id <id>', 'name the run; an existing one is continued')
    .option('--resume', 'continue the latest unfinished run of this experiment (or --run-id\'s)')
    .option('-c, --concurrency <n>', 'samples or tasks in progress at once (and LLM requests in flight per model)', integerAtLeast(1), 4)
    .addOption(new Option('--format <format>', 'how to print the tables').choices([...TABLE_FORMATS]).default('json'))
    .option('-o, --output <file>', 'write the tables to this file instead of stdout')
    .option('--max-asks <n>', 'calls per generation or repair at most, re-asks after a reply without usable code included', integerAtLeast(1), DEFAULT_MAX_ASKS)
    .option('--temperature <t>', 'sampling temperature (default: the provider\'s)', numberIn(0, 2, '--temperature'))
    .option('--timeout <seconds>', 'per LLM request attempt (default 120)', numberIn(0.001, 86_400, '--timeout'))
    .option('--retries <n>', 'retries of a failed LLM request (429, 5xx, timeouts; default 2)', integerAtLeast(0))
    .option('--bandit <path>', 'the bandit executable (default: bandit on PATH)');
}

function policyOption(defaultPolicy: VerdictPolicy, what: string): Option {
  return new Option('--policy <policy>', what).choices([...VERDICT_POLICIES]).default(defaultPolicy);
}

function addSourceOptions(command: Command): Command {
  return command
    .option('--from <rq1-run-id>', 'the samples of a stored rq1 run (truth: its scanners\' verdicts), or of an imported study-rq1-<model> run (truth: the study\'s labels)')
    .option('--artifacts [dir]', 'the study\'s RQ1 code and labels (default ../shared/datasets/llmsecurecode)')
    .option('--generators <list>', 'only these generators of the source (model ids, or gpt3.5,gpt4,codellama,codegeex2)', listValue)
    .option('--only <glob>', 'only tasks whose id matches (repeatable), e.g. "CWE-078/*"', collect)
    .option('--labels <csv>', 'ground truth from a CSV: taskId,label or generator,taskId,label (1 or 0.5 vulnerable, 0 not)');
}

function writeOutput(text: string, output: string | undefined): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  writeTextFile(output, text);
  note(`wrote ${output}`);
}

/** The run to continue for `--resume` without `--run-id`: the newest unfinished run of the experiment. */
function runToResume(store: Store, experiment: Experiment): string {
  const unfinished = store.listRuns({ kind: EXPERIMENT_KIND[experiment] }).find((r) => r.status !== 'done');
  if (!unfinished) throw new UserError(`--resume: no unfinished ${experiment} run in ${store.path}; pass --run-id <id> or start a new run`);
  return unfinished.id;
}

/**
 * Opens the store, watches Ctrl-C, shows progress, runs the experiment, prints its tables and
 * the cost; on an interruption prints how to continue and exits 130.
 */
async function runExperimentCommand(
  experiment: Experiment,
  options: CommonOptions,
  cmd: Command,
  start: (base: ExperimentBase & { store: Store }, models: ModelPool) => Promise<ExperimentOutcome>,
): Promise<void> {
  const globals = cmd.optsWithGlobals() as Globals;
  const store = openStore(globals.store);
  const display = new ExperimentProgressDisplay();
  const interrupts = watchInterrupts(() => note('stopping: finishing store writes, cancelling calls in flight (Ctrl-C again to quit at once)'));
  let outcome: ExperimentOutcome;
  try {
    const runId = options.runId ?? (options.resume ? runToResume(store, experiment) : undefined);
    const models = new ModelPool({ concurrency: options.concurrency, timeout: options.timeout, retries: options.retries });
    outcome = await start(
      { store, ...(runId ? { runId } : {}), concurrency: options.concurrency, signal: interrupts.signal, onProgress: display.onProgress, costOf },
      models,
    );
  } finally {
    display.stop();
    interrupts.dispose();
    store.close();
  }
  note(`${experiment} run ${outcome.runId}${outcome.resumed ? ' (continued)' : ''} ${outcome.status}: ${costLine(outcome.tables)}`);
  writeOutput(renderExperiment(outcome.tables, options.format), options.output);
  if (outcome.status === 'interrupted') {
    note(`interrupted; continue with: ${resumeCommand(process.argv, outcome.runId)}`);
    process.exitCode = INTERRUPTED_EXIT_CODE;
  }
}

// ---------------------------------------------------------------- rq1 .. rq4

interface TaskOptions {
  tasks?: string;
  only?: string[];
}

/** `--tasks` and `--only`, for the experiments that start from tasks (rq1, rq4). */
function addTaskOptions(command: Command): Command {
  return command
    .option('-t, --tasks <source>', 'SecurityEval JSONL (path or URL) or a folder of .py prompts (default: SecurityEval in ../shared/datasets)')
    .option('--only <glob>', 'only tasks whose id matches (repeatable)', collect);
}

/** Where rq1's and rq4's tasks came from and which scanners were left out, stored with the run. */
function taskRunConfig(options: TaskOptions, scannersSkipped: SkippedScanner[]): RunConfig {
  return { tasksSource: options.tasks ?? 'SecurityEval', only: options.only ?? null, scannersSkipped };
}

async function tasksFrom(options: TaskOptions) {
  const tasks = await loadTasks(options.tasks ?? securityEvalPath(), { only: options.only });
  const noCwe = tasks.filter((t) => t.cwe === undefined).length;
  if (noCwe > 0) note(`${noCwe} of ${tasks.length} tasks name no CWE; the task-cwe policy counts every finding for them`);
  return tasks;
}

function registerRq1(study: Command): void {
  const command = addTaskOptions(
    study
      .command('rq1')
      .description('RQ1: generate code for every task with each model and judge it against the task\'s CWE (Table 2)')
      .requiredOption('--models <list>', 'models that write the code, e.g. openai:gpt-4o-mini,ollama:llama3', listValue),
  )
    .option('--scanners <list>', 'scanners that judge the code: auto, or builtin,bandit,codeql,semgrep', 'auto')
    .addOption(policyOption('task-cwe', 'what counts: only findings of the task\'s CWE (the study), or any finding'));
  addCommonOptions(command).action(async (options: CommonOptions & TaskOptions & { models: string[]; scanners: string; policy: VerdictPolicy }, cmd: Command) => {
    const tasks = await tasksFrom(options);
    const { scanners, skipped } = await chooseScanners(options.scanners, options.bandit);
    await runExperimentCommand('rq1', options, cmd, (base, pool) =>
      runRq1({
        ...base,
        tasks,
        models: pool.all(options.models),
        scanners,
        policy: options.policy,
        maxAsks: options.maxAsks,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        config: taskRunConfig(options, skipped),
      }),
    );
  });
}

function registerRq2(study: Command): void {
  const command = study
    .command('rq2')
    .description('RQ2: ask detectors whether each RQ1 sample is vulnerable to its task\'s CWE; accuracy and false positives (Table 3, Figure 3)')
    .requiredOption('--detectors <list>', 'models asked with the study\'s detection prompt, and scanners judged the same way (scanner:builtin)', listValue)
    .option('--truth <judge>', 'ground truth from scanners instead of the source\'s own: scanner:<name>[,<name>...]')
    .addOption(policyOption('task-cwe', 'how scanner detectors and a scanner truth count findings'))
    .option('--max-tokens <n>', 'answer length limit for the detectors', integerAtLeast(1));
  addSourceOptions(command);
  addCommonOptions(command).action(async (options: CommonOptions & SourceOptions & { detectors: string[]; truth?: string; policy: VerdictPolicy; maxTokens?: number }, cmd: Command) => {
    await runExperimentCommand('rq2', options, cmd, async (base, pool) => {
      const detectors = await chooseDetectors(options.detectors, pool, options.bandit);
      let source = chooseSource(base.store, options);
      if (options.truth) {
        if (options.labels) throw new UserError('give --labels or --truth, not both');
        const names = options.truth.replace(/^scanner:/i, '');
        if (names === options.truth) throw new UserError(`--truth ${options.truth}: expected scanner:<name>, e.g. scanner:builtin`);
        const judge = await CodeJudge.create((await chooseScanners(names, options.bandit)).scanners, { store: base.store, policy: options.policy, signal: base.signal });
        note(`judging the samples with ${judge.name} for the ground truth`);
        source = await withScannerTruth(source, judge, { signal: base.signal });
      }
      return runRq2({
        ...base,
        source,
        detectors: detectors.models,
        scannerDetectors: detectors.scanners,
        policy: options.policy,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      });
    });
  });
}

function registerRq3(study: Command): void {
  const command = study
    .command('rq3')
    .description('RQ3: repair each vulnerable RQ1 sample once with each repairer and judge the result (Table 4, Figure 4)')
    .requiredOption('--repairers <list>', 'models that repair, with the study\'s repair prompt', listValue)
    .option('--scanners <list>', 'scanners that judge the repaired code: auto, or builtin,bandit,codeql,semgrep', 'auto')
    .addOption(policyOption('task-cwe', 'fixed = no finding of the task\'s CWE left (task-cwe), or none at all (any)'));
  addSourceOptions(command);
  addCommonOptions(command).action(async (options: CommonOptions & SourceOptions & { repairers: string[]; scanners: string; policy: VerdictPolicy }, cmd: Command) => {
    const { scanners } = await chooseScanners(options.scanners, options.bandit);
    await runExperimentCommand('rq3', options, cmd, (base, pool) =>
      runRq3({
        ...base,
        source: chooseSource(base.store, options),
        repairers: pool.all(options.repairers),
        scanners,
        policy: options.policy,
        maxAsks: options.maxAsks,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      }),
    );
  });
}

function registerRq4(study: Command): void {
  const command = addTaskOptions(
    study
      .command('rq4')
      .description('RQ4: Algorithm 1 (generate, scan, repair, k rounds) for every repairer × generator, N runs each (Figure 6, Table 5)')
      .requiredOption('--generators <list>', 'models that write the code', listValue)
      .requiredOption('--repairers <list>', 'models that repair it', listValue),
  )
    .option('-k, --max-iterations <k>', 'repair rounds', integerAtLeast(1), DEFAULT_RQ4_ITERATIONS)
    .option('--runs <n>', 'independent runs per setup', integerAtLeast(1), DEFAULT_RQ4_RUNS)
    .option('--scanners <list>', 'scanners of the loop: auto, or builtin,bandit,codeql,semgrep', 'auto')
    .addOption(policyOption('any', 'what counts: any finding (the study\'s Algorithm 1), or only the task\'s CWE'))
    .addOption(new Option('--prompt <preset>', 'repair prompt: the study\'s words, or every finding in detail').choices([...PROMPT_PRESETS]).default('paper'));
  addCommonOptions(command).action(
    async (
      options: CommonOptions & TaskOptions & { generators: string[]; repairers: string[]; maxIterations: number; runs: number; scanners: string; policy: VerdictPolicy; prompt: PromptPreset },
      cmd: Command,
    ) => {
      const tasks = await tasksFrom(options);
      const { scanners, skipped } = await chooseScanners(options.scanners, options.bandit);
      await runExperimentCommand('rq4', options, cmd, (base, pool) =>
        runRq4({
          ...base,
          tasks,
          generators: pool.all(options.generators),
          repairers: pool.all(options.repairers),
          scanners,
          maxIterations: options.maxIterations,
          runs: options.runs,
          policy: options.policy,
          prompt: options.prompt,
          maxAsks: options.maxAsks,
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          config: taskRunConfig(options, skipped),
        }),
      );
    },
  );
}

// ---------------------------------------------------------------- import, tables

function registerImport(study: Command): void {
  study
    .command('import')
    .description('import the study\'s published artifacts (RQ1-RQ4) into the store as runs, to report on and re-judge')
    .option('--artifacts [dir]', 'the artifacts folder (default ../shared/datasets/llmsecurecode)')
    .option('--securityeval <jsonl>', 'SecurityEval JSONL for the task prompts (default: beside the artifacts)')
    .action((options: { artifacts?: string | boolean; securityeval?: string }, cmd: Command) => {
      const root = artifactsDir(options.artifacts);
      const store = openStore((cmd.optsWithGlobals() as Globals).store);
      try {
        const result = importArtifacts(store, root, options.securityeval ? { securityEval: options.securityeval } : {});
        note(
          `imported ${result.created.length} runs (${result.skipped.length} were already in ${store.path}): ` +
            `${result.samples} samples, ${result.findings} findings, ${result.verdicts} verdicts`,
        );
        for (const id of [...result.created, ...result.skipped]) process.stdout.write(`${id}\n`);
      } finally {
        store.close();
      }
    });
}

function registerTables(study: Command): void {
  study
    .command('tables')
    .description('Tables 2-5 of the study from its published artifacts; --rejudge puts the same code judged by secagent\'s scanners beside them')
    .option('--artifacts [dir]', 'the artifacts folder (default ../shared/datasets/llmsecurecode)')
    .addOption(new Option('--format <format>', 'output format').choices([...TABLE_FORMATS]).default('json'))
    .option('--rejudge <scanners>', 're-judge Tables 2 and 4 with these scanners, e.g. builtin or builtin,bandit')
    .addOption(policyOption('task-cwe', 'with --rejudge: what counts (the study\'s labels are about the task\'s CWE)'))
    .option('-c, --concurrency <n>', 'with --rejudge: files in flight at once', integerAtLeast(1), 8)
    .option('--bandit <path>', 'the bandit executable (default: bandit on PATH)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(
      async (
        options: { artifacts?: string | boolean; format: TablesFormat; rejudge?: string; policy: VerdictPolicy; concurrency: number; bandit?: string; output?: string },
        cmd: Command,
      ) => {
        const root = artifactsDir(options.artifacts);
        const tables = computeStudyTables(root);
        if (!options.rejudge) {
          writeOutput(renderTables(tables, options.format), options.output);
          return;
        }
        const { scanners } = await chooseScanners(options.rejudge, options.bandit);
        const store = openStore((cmd.optsWithGlobals() as Globals).store);
        const display = new ExperimentProgressDisplay('re-judging');
        const interrupts = watchInterrupts();
        try {
          let shown = 0;
          const rejudged = await rejudgeWithScanners(root, scanners, {
            store,
            policy: options.policy,
            concurrency: options.concurrency,
            signal: interrupts.signal,
            onProgress: (done, total) => {
              // Every 50 files off a terminal: the whole set is over a thousand.
              if (process.stderr.isTTY || done === total || done - shown >= 50) {
                shown = done;
                display.onProgress({ experiment: 'rq1', done, total, cell: 're-judging RQ1 samples and RQ3 repairs' });
              }
            },
          });
          display.stop();
          writeOutput(renderTablesWithRejudged(tables, rejudged, options.format), options.output);
        } finally {
          display.stop();
          interrupts.dispose();
          store.close();
        }
      },
    );
}

export function registerStudy(program: Command): void {
  const study = program
    .command('study')
    .description('the EASE 2025 study: experiments RQ1-RQ4 on any models, its published tables, importing its artifacts');
  registerRq1(study);
  registerRq2(study);
  registerRq3(study);
  registerRq4(study);
  registerImport(study);
  registerTables(study);
}
