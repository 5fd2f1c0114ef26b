// `secagent fix <file.py...>`: the loop from existing code. Prints a unified diff of each
// repaired file on stdout, or with --write replaces the files and keeps each original as
// `<file>.orig` (an existing `.orig`, from an earlier --write, is left as it is). Exit 0 when every file ends secure, 1 when some remain vulnerable (or could
// not be processed), 2 for bad input or configuration, 130 when interrupted.
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import type { AgentTask } from '../../agent/index.js';
import { cweOfTaskId, UserError } from '../../core/types.js';
import { readSourceFile } from '../../tasks/read.js';
import { INTERRUPTED_EXIT_CODE } from '../agent/interrupt.js';
import { addAgentOptions, addCweOption, integerAtLeast, type AgentCliOptions } from '../agent/options.js';
import { detailedReporter } from '../agent/progress.js';
import { runAgentSession } from '../agent/session.js';
import { note } from '../output.js';

interface FixOptions extends AgentCliOptions {
  write?: boolean;
  concurrency: number;
}

export const FIX_EXIT = { allSecure: 0, someVulnerable: 1 } as const;

function tasksFrom(files: string[], options: FixOptions): AgentTask[] {
  const unique = [...new Set(files)];
  return unique.map((file) => {
    if (!file.toLowerCase().endsWith('.py')) throw new UserError(`${file}: not a .py file`);
    const code = readSourceFile(file);
    if (code.trim() === '') throw new UserError(`${file}: empty file, nothing to fix`);
    const cwe = options.cwe ?? cweOfTaskId(basename(file));
    return { id: file, file, prompt: code, code, ...(cwe !== undefined ? { cwe } : {}) };
  });
}

export function registerFix(program: Command): void {
  const command = program
    .command('fix')
    .description('scan existing Python files and repair them with an LLM until the scanners are satisfied (exit 1 if some stay vulnerable)')
    .argument('<files...>', 'Python files to repair')
    .option('-w, --write', 'replace the files (keeping <file>.orig) instead of printing a diff')
    .option('-c, --concurrency <n>', 'files in progress at once', integerAtLeast(1), 4);
  addCweOption(addAgentOptions(command));
  command.addHelpText('after', '\nExit codes: 0 every file ends secure; 1 some file stays vulnerable or could not be repaired; 2 bad input or configuration; 130 interrupted.\nWithout --write, the repairs are printed as a unified diff on stdout; progress and findings go to stderr.\n');
  command.action(async (files: string[], options: FixOptions, cmd: Command) => {
    const tasks = tasksFrom(files, options);
    const globals = cmd.optsWithGlobals() as { store: string };
    let runId = '';
    const session = await runAgentSession({
      kind: 'fix',
      options,
      storePath: globals.store,
      tasks,
      concurrency: options.concurrency,
      onEvent: detailedReporter(undefined, { prefixTask: tasks.length > 1 }),
      onStart: (id) => (runId = id),
      config: { files: tasks.map((t) => t.id) },
    });
    if (session.run.status === 'interrupted') {
      note(`interrupted; nothing was written (run ${runId} is in the store)`);
      process.exitCode = INTERRUPTED_EXIT_CODE;
      return;
    }
    let allSecure = true;
    for (const [i, task] of tasks.entries()) {
      const outcome = session.run.outcomes[i]!;
      if (outcome.status !== 'secure') allSecure = false;
      const repaired = outcome.code;
      if (repaired === undefined || repaired === task.code) {
        if (outcome.status !== 'secure') note(`${task.file}: unchanged, ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`);
        continue;
      }
      if (options.write) {
        // A second --write must not replace the first original with already-repaired code.
        const backup = `${task.file}.orig`;
        const hadBackup = existsSync(backup);
        if (!hadBackup) writeFileSync(backup, task.code!, 'utf8');
        writeFileSync(task.file, repaired, 'utf8');
        note(`${task.file}: repaired (${outcome.status}); ${hadBackup ? `${backup} (from an earlier --write) left as it was` : `original kept as ${backup}`}`);
      } else {
        process.stdout.write(createTwoFilesPatch(task.file, task.file, task.code!, repaired, 'original', `repaired (${outcome.status})`));
      }
    }
    process.exitCode = allSecure ? FIX_EXIT.allSecure : FIX_EXIT.someVulnerable;
  });
}
