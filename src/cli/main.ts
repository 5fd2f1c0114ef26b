import { Command, CommanderError } from 'commander';
import { UserError } from '../core/types.js';
import { VERSION } from './version.js';
import { commands } from './commands/index.js';
import { printError } from './output.js';

/** Options the program itself takes before the command name, and whether each takes a value. */
const GLOBAL_OPTIONS = new Map([
  ['--store', true],
  ['--debug', false],
]);

/**
 * The command `argv` runs, when that can be told for sure: the first argument after the
 * program's own options. Undefined for help, version, unknown options or commands.
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return commands.some((c) => c.name === arg) ? arg : undefined;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const takesValue = GLOBAL_OPTIONS.get(name);
    if (takesValue === undefined || (eq >= 0 && !takesValue)) return undefined;
    if (takesValue && eq < 0) i++;
  }
  return undefined;
}

/**
 * Builds the program; each command lives in its own module under commands/. With `only`,
 * just that command is loaded (the one being run: its module alone is imported).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('secagent')
    .description('End-to-end secure code agent for Python: generate, scan for CWE weaknesses, repair.')
    .version(VERSION, '-V, --version')
    .option('--store <file>', 'run store (SQLite)', '.secagent/secagent.db')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = commands.filter((c) => only === undefined || c.name === only);
  for (const register of await Promise.all((wanted.length ? wanted : commands).map((c) => c.load()))) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const program = await buildProgram(invokedCommand(argv));
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
