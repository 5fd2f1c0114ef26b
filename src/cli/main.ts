import { Command, CommanderError } from 'commander';
import { UserError } from '../core/types.js';
import { VERSION } from './version.js';
import { commands } from './commands/index.js';
import { printError } from './output.js';

/** Builds the program; each command lives in its own module under commands/. */
export function buildProgram(): Command {
  const program = new Command('secagent')
    .description('End-to-end secure code agent for Python: generate, scan for CWE weaknesses, repair.')
    .version(VERSION, '-V, --version')
    .option('--store <file>', 'run store (SQLite)', '.secagent/secagent.db')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version exit with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      printError(err.message);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return 2;
    }
    printError(err instanceof Error ? err.message : String(err));
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('secagent: run again with --debug for the stack trace\n');
    return 1;
  }
}
