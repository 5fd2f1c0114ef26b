// `secagent generate [prompt] | --file task.py`: one task through the loop; the final code
// alone on stdout (or a JSON report with --json), progress and findings on stderr.
// Exit 0 when code was produced (secure or not: the report says which), 1 when none was,
// 2 for bad input or configuration, 130 when interrupted.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { type AgentTask, type TaskOutcome } from '../../agent/index.js';
import { UserError, cweOfTaskId } from '../../core/types.js';
import { readSourceFile } from '../../tasks/read.js';
import { addAgentOptions, addCweOption, type AgentCliOptions } from '../agent/options.js';
import { detailedReporter } from '../agent/progress.js';
import { runAgentSession } from '../agent/session.js';
import { INTERRUPTED_EXIT_CODE } from '../agent/interrupt.js';
import { formatUsd, note } from '../output.js';

interface GenerateOptions extends AgentCliOptions {
  file?: string;
  json?: boolean;
}

function taskFrom(prompt: string | undefined, options: GenerateOptions): AgentTask {
  if (prompt !== undefined && options.file !== undefined) throw new UserError('give a prompt or --file, not both');
  if (options.file !== undefined) {
    const text = readSourceFile(options.file);
    if (text.trim() === '') throw new UserError(`${options.file}: empty prompt file`);
    const cwe = options.cwe ?? cweOfTaskId(basename(options.file));
    return { id: basename(options.file), file: basename(options.file), prompt: text, ...(cwe !== undefined ? { cwe } : {}) };
  }
  if (prompt === undefined || prompt.trim() === '') throw new UserError('nothing to generate: give a prompt, or --file task.py');
  return { id: 'prompt', file: 'generated.py', prompt, ...(options.cwe !== undefined ? { cwe: options.cwe } : {}) };
}

export function jsonReport(outcome: TaskOutcome, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    task: outcome.taskId,
    status: outcome.status,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    rounds: outcome.rounds,
    vulnerableByRound: outcome.vulnerableByRound,
    failedRounds: outcome.failedRounds,
    findings: outcome.findings,
    countedFindings: outcome.countedFindings.length,
    code: outcome.code ?? null,
    wallTimeMs: outcome.wallTimeMs,
  };
}

export function registerGenerate(program: Command): void {
  const command = program
    .command('generate')
    .description('write code for a task with an LLM, scan it, repair it until the scanners are satisfied')
    .argument('[prompt]', 'the task, as text or code (or use --file)')
    .option('-f, --file <task.py>', 'read the task from a file (e.g. a SecurityEval prompt)')
    .option('--json', 'print a JSON report instead of the code');
  addCweOption(addAgentOptions(command));
  command.addHelpText('after', '\nOnly the final code goes to stdout (or the report with --json); progress and findings go to stderr.\nExit codes: 0 code was produced (check stderr or --json for whether it is secure); 1 no usable code; 2 bad input or configuration; 130 interrupted.\n');
  command.action(async (prompt: string | undefined, options: GenerateOptions, cmd: Command) => {
    const task = taskFrom(prompt, options);
    const globals = cmd.optsWithGlobals() as { store: string };
    let runId = '';
    let tokens = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    const session = await runAgentSession({
      kind: 'generate',
      options,
      storePath: globals.store,
      tasks: [task],
      concurrency: 1,
      onEvent: detailedReporter(),
      onStart: (id) => (runId = id),
      onFinish: (_run, store) => {
        const t = store.runTotals(runId);
        tokens = { inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: Math.round(t.costUsd * 1e6) / 1e6 };
      },
      config: { source: options.file ?? 'prompt' },
    });
    const outcome = session.run.outcomes[0];
    if (session.run.status === 'interrupted' || !outcome) {
      note(`interrupted; run ${runId} is in the store: the same command again answers the completed calls from it`);
      process.exitCode = INTERRUPTED_EXIT_CODE;
      return;
    }
    if (options.json) {
      const report = jsonReport(outcome, {
        runId,
        models: { generate: session.models.generator.id, repair: session.models.repairer.id },
        scanners: session.chosen.scanners.map((s) => s.name),
        ...tokens,
      });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (outcome.code !== undefined) {
      process.stdout.write(outcome.code.endsWith('\n') ? outcome.code : `${outcome.code}\n`);
    }
    note(`run ${runId}: ${tokens.inputTokens} input + ${tokens.outputTokens} output tokens${tokens.costUsd ? `, ${formatUsd(tokens.costUsd)}` : ''}`);
    if (outcome.code === undefined) process.exitCode = 1;
  });
}
