// `secagent run --tasks <jsonl|url|folder> --out <dir>`: the loop over a task set, n tasks at
// a time. Writes one code file per task and `summary.json` to the output folder. Resumable:
// `--resume` (the latest unfinished run, or --run-id's) or the same --run-id again.
// Exit 0 when the run completed, 2 for bad input or configuration, 130 when interrupted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildRunSummary, outputFileName, type AgentRun, type AgentTask } from '../../agent/index.js';
import { UserError } from '../../core/types.js';
import { openStore } from '../../store/store.js';
import type { Store } from '../../store/store.js';
import { loadTasks } from '../../tasks/load.js';
import { INTERRUPTED_EXIT_CODE } from '../agent/interrupt.js';
import { addAgentOptions, integerAtLeast, type AgentCliOptions } from '../agent/options.js';
import { RunProgress } from '../agent/progress.js';
import { runAgentSession } from '../agent/session.js';
import { formatUsd, note } from '../output.js';

interface RunOptions extends AgentCliOptions {
  tasks: string;
  only?: string[];
  concurrency: number;
  out: string;
  runId?: string;
  resume?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * The run `--resume` continues: `--run-id`'s, which must exist (a mistyped id would otherwise
 * start a new, paid run), or else the newest unfinished `run` run.
 */
function runToResume(storePath: string, runId: string | undefined): string {
  const store = openStore(storePath);
  try {
    if (runId !== undefined) {
      if (!store.getRun(runId)) throw new UserError(`--resume: no run "${runId}" in ${storePath}; check the id, or drop --resume to start a run with that id`);
      return runId;
    }
    const unfinished = store.listRuns({ kind: 'run' }).find((r) => r.status !== 'done');
    if (!unfinished) throw new UserError(`--resume: no unfinished run in ${storePath}; pass --run-id <id> or start a new run`);
    return unfinished.id;
  } finally {
    store.close();
  }
}

/** The command line to continue this run, as the user typed it plus the run id. */
export function resumeCommand(argv: readonly string[], runId: string): string {
  const args = argv.slice(2);
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--resume' || a.startsWith('--run-id=')) continue;
    if (a === '--run-id') {
      i++;
      continue;
    }
    kept.push(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  }
  return ['secagent', ...kept, '--run-id', runId, '--resume'].join(' ');
}

function writeOutputs(run: AgentRun, tasks: AgentTask[], store: Store, options: RunOptions, extra: Record<string, unknown>): Map<string, string> {
  const files = new Map<string, string>();
  for (const [i, task] of tasks.entries()) {
    const outcome = run.outcomes[i];
    if (outcome?.code === undefined) continue;
    writeFileSync(join(options.out, task.file), outcome.code, 'utf8');
    files.set(task.id, task.file);
  }
  const summary = buildRunSummary({ store, runId: run.runId, tasks, files, wallTimeMs: run.wallTimeMs, extra });
  writeFileSync(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, 'utf8');
  const c = summary.counts;
  note(
    `run ${run.runId} ${run.status}: ${c.total} tasks, ${c.secure} secure, ${c.vulnerable} vulnerable, ${c.failed} failed` +
      (c.pending ? `, ${c.pending} not done` : ''),
  );
  note(`vulnerable after each round (0 = as generated): ${summary.vulnerableAfterRound.join(' → ')}`);
  note(
    `${summary.calls} LLM calls + ${summary.cachedCalls} answered from the store, ` +
      `${summary.inputTokens} input + ${summary.outputTokens} output tokens, ${formatUsd(summary.costUsd)}` +
      `${summary.unpricedCalls ? ` (+${summary.unpricedCalls} unpriced calls)` : ''}; ${(run.wallTimeMs / 1000).toFixed(1)} s`,
  );
  note(`wrote ${files.size} code files and summary.json to ${options.out}`);
  return files;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run the loop over a task set (SecurityEval JSONL path or URL, or a folder of .py prompts)')
    .requiredOption('-t, --tasks <source>', 'SecurityEval JSONL (path or URL) or a folder of .py prompts')
    .option('--only <glob>', 'only tasks whose id matches (repeatable), e.g. "CWE-078/*"', collect)
    .option('-c, --concurrency <n>', 'tasks in progress at once (and LLM requests in flight)', integerAtLeast(1), 4)
    .requiredOption('-o, --out <dir>', 'folder for the code files and summary.json')
    .option('--run-id <id>', 'name the run; an existing one is continued')
    .option('--resume', 'continue the latest unfinished run (or --run-id\'s)');
  addAgentOptions(command);
  command.addHelpText('after', '\nWrites <out>/<task id with / as ->.py for every task with code, and <out>/summary.json (vulnerable tasks after each round, per-task status, tokens, cost, wall time).\nInterrupted (Ctrl-C, a crash, SIGKILL), it continues with the same --run-id and --resume, repeating no completed LLM call or scan.\nExit codes: 0 the run completed; 2 bad input or configuration; 130 interrupted.\n');
  command.action(async (options: RunOptions, cmd: Command) => {
    const globals = cmd.optsWithGlobals() as { store: string };
    const loaded = await loadTasks(options.tasks, { only: options.only });
    const tasks: AgentTask[] = loaded.map((t) => ({ ...t, file: outputFileName(t.id) }));
    const clash = findClash(tasks);
    if (clash) throw new UserError(`tasks ${clash[0]} and ${clash[1]} would both be written to ${outputFileName(clash[0])}`);
    const runId = options.resume ? runToResume(globals.store, options.runId) : options.runId;
    mkdirSync(options.out, { recursive: true });

    const progress = new RunProgress(tasks.length);
    let startedId = '';
    let interrupted = false;
    const session = await runAgentSession({
      kind: 'run',
      options,
      storePath: globals.store,
      tasks,
      concurrency: options.concurrency,
      runId,
      config: { tasks: options.tasks, only: options.only ?? null },
      onEvent: progress.onEvent,
      onStart: (id, _store, resumed) => {
        startedId = id;
        note(`run ${id}${resumed ? ' (continuing)' : ''}: ${tasks.length} tasks, up to ${options.maxIterations} repair rounds, ${options.concurrency} at a time`);
      },
      onFinish: (run, store) => {
        progress.stop();
        interrupted = run.status === 'interrupted';
        writeOutputs(run, tasks, store, options, {
          tasksSource: options.tasks,
          concurrency: options.concurrency,
        });
      },
    }).finally(() => progress.stop());
    if (interrupted || session.interruptedBy) {
      note(`interrupted; continue with: ${resumeCommand(process.argv, startedId)}`);
      process.exitCode = INTERRUPTED_EXIT_CODE;
    }
  });
}

function findClash(tasks: AgentTask[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const t of tasks) {
    const other = seen.get(t.file);
    if (other) return [other, t.id];
    seen.set(t.file, t.id);
  }
  return undefined;
}
