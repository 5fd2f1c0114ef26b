import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { firstElement, keywordMaybeTrue } from './helpers.js';

/** Run their argument through a shell. */
const SHELL_CALLS = [
  'os.system',
  'os.popen',
  'os.popen2',
  'os.popen3',
  'os.popen4',
  'subprocess.getoutput',
  'subprocess.getstatusoutput',
  'asyncio.create_subprocess_shell',
  'paramiko.SSHClient.exec_command',
  'fabric.Connection.run',
  'fabric.api.run',
  'fabric.api.local',
  'fabric.api.sudo',
  'invoke.run',
];
/** Start a program: shell only with shell=True. */
const PROCESS_CALLS = ['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen'];
/** Execute a program directly, path first. */
const EXEC_CALLS = ['os.execl', 'os.execle', 'os.execlp', 'os.execlpe', 'os.execv', 'os.execve', 'os.execvp', 'os.execvpe'];
const SPAWN_CALLS = ['os.spawnl', 'os.spawnle', 'os.spawnlp', 'os.spawnlpe', 'os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe'];
/** `os.execl(path, arg0, arg1, ...)` and the spawn `l` forms: the arguments follow the path one by one. */
const LIST_FORM = /^os\.(exec|spawn)l/;

/**
 * A program that runs its argument after a flag as code: a shell with `-c` (`bash -c "..."`,
 * `cmd /c ...`, `powershell -Command ...`) or an interpreter with its one-liner flag.
 */
const CODE_RUNNERS: ReadonlyArray<readonly [program: RegExp, flag: RegExp]> = [
  [/^(sh|bash|zsh|dash|ksh|mksh|ash|csh|tcsh|fish|busybox)$/, /^-[a-z]*c[a-z]*$/],
  [/^cmd$/, /^\/[ck]$/i],
  [/^(powershell|pwsh)$/, /^-(c|command|encodedcommand|e|ec)$/i],
  [/^(python|pypy)[\d.]*$/, /^-[a-z]*c$/i],
  [/^(perl|ruby|node|nodejs)$/, /^-[a-z]*e$/i],
  [/^php$/, /^-r$/],
];

function runsItsArgument(program: string | undefined, flag: string | undefined): boolean {
  if (program === undefined || flag === undefined) return false;
  const name = program.split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, '');
  return CODE_RUNNERS.some(([p, f]) => p.test(name) && f.test(flag));
}

export default defineRule({
  meta: {
    id: 'py/command-injection',
    cwes: [78, 116],
    severity: 'high',
    confidence: 'high',
    message: 'OS command built from untrusted data',
    fixHint:
      "Do not build shell commands from input: call subprocess.run(['ls', '-l', path], shell=False) with a fixed program and arguments as a list, validate values against an allow-list, or quote them with shlex.quote() when a shell is unavoidable.",
    doc: 'A shell parses its command line, so data that reaches os.system, os.popen or subprocess with shell=True can append commands of its own (`; rm -rf /`). Passing a list of arguments without a shell removes that, as long as the program itself is fixed.',
    bandit: ['B602', 'B605', 'B609', 'B604', 'B606', 'B607'],
  },
  check(context) {
    const { model } = context;
    const reportCommand = (call: CallInfo, value: PyNode | undefined, what: string): void => {
      if (!value || model.isConstant(value)) return;
      context.reportTaint({ node: call.node, value, kind: 'command', message: `${what} built from {source}` });
    };
    /** The elements of a list or tuple, written in place or bound once to a name. */
    const elements = (node: PyNode | undefined): PyNode[] | undefined => {
      if (node?.type === 'identifier') {
        const bindings = model.reaching(node);
        if (bindings.length !== 1 || bindings[0]!.kind !== 'assign' || bindings[0]!.path.length) return undefined;
        node = bindings[0]!.value;
      }
      if (node?.type !== 'list' && node?.type !== 'tuple') return undefined;
      return node.namedChildren.filter((c) => c.type !== 'comment');
    };
    /**
     * `bash -c <payload>` with the program and its arguments given apart (no shell of
     * Python's own): the element after the flag is a command line. Reports it; true when done.
     */
    const shellPayload = (call: CallInfo, program: PyNode | undefined, argv: PyNode[] | undefined): boolean => {
      if (!program || !argv) return false;
      const name = model.constString(program);
      for (let i = 0; i + 1 < argv.length; i++) {
        if (!runsItsArgument(name, model.constString(argv[i]))) continue;
        const payload = argv[i + 1]!;
        if (model.isConstant(payload)) return false;
        return context.reportTaint({ node: call.node, value: payload, kind: 'command', message: `command line for ${name!.split(/[\\/]/).pop()} ${model.constString(argv[i])} built from {source}` });
      }
      return false;
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of SHELL_CALLS) calls[q] = (c) => reportCommand(c, c.arg(0, 'command') ?? c.arg(0, 'cmd'), 'shell command');
    // An event loop's shell: `loop.subprocess_shell(protocol_factory, cmd)`.
    // The method names are asyncio's own, so a loop the model cannot type (one handed out by
    // a context manager or a framework) counts too.
    calls['*.subprocess_shell'] = (c) => reportCommand(c, c.arg(1, 'cmd'), 'shell command');
    for (const q of PROCESS_CALLS)
      calls[q] = (c) => {
        const args = c.arg(0, 'args');
        if (keywordMaybeTrue(model, c, 'shell')) return reportCommand(c, args, 'shell command');
        // No shell: the program itself matters (a list whose first element, or a whole
        // string/list, comes from the attacker), and so does the command line of a shell or
        // interpreter the list starts (`['bash', '-c', cmd]`).
        const list = elements(args);
        if (list && shellPayload(c, list[0], list.slice(1))) return;
        const program = args && (args.type === 'list' || args.type === 'tuple') ? firstElement(args) : args;
        // A string without a shell is one program path on POSIX: with a fixed word and a
        // space before the data (`"grep -R " + x`) no program by that name can be reached.
        // On Windows the string is a command line: one that starts a shell or interpreter with
        // its code flag (`cmd /c "..." {}`) still runs the data.
        const template = args && args.type !== 'list' && args.type !== 'tuple' ? model.templateText(args) : undefined;
        const words = template?.split('{}')[0]!.trim().split(/\s+/) ?? [];
        const startsShell = words.slice(1).some((w) => runsItsArgument(words[0]!.replace(/^"|"$/g, ''), w));
        if (!c.keywords.get('executable') && !startsShell && template !== undefined && /^[^{}]*\S\s[^{}]*\{\}/.test(template) && /^[^{}\s]+\s/.test(template)) return;
        reportCommand(c, c.keywords.get('executable') ?? program, 'program to run');
      };
    // `os.execl(path, arg0, ...)` / `os.execv(path, argv)`; spawn calls take a mode first.
    const direct = (c: CallInfo, at: number): void => {
      const program = c.arg(at, 'file') ?? c.arg(at, 'path');
      const argv = LIST_FORM.test(c.qname ?? '') ? c.positional.slice(at + 1) : elements(c.arg(at + 1, 'args') ?? c.arg(at + 1, 'argv'));
      if (shellPayload(c, program, argv)) return;
      reportCommand(c, program, 'program to run');
    };
    for (const q of EXEC_CALLS) calls[q] = (c) => direct(c, 0);
    for (const q of SPAWN_CALLS) calls[q] = (c) => direct(c, 1);
    for (const q of ['os.posix_spawn', 'os.posix_spawnp']) calls[q] = (c) => direct(c, 0);
    // `asyncio.create_subprocess_exec(program, *args)`, `loop.subprocess_exec(factory, program, *args)`.
    const execArgs = (c: CallInfo, at: number): void => {
      const program = c.arg(at, 'program');
      const rest = c.positional.slice(at + 1);
      // A single list after the program (`create_subprocess_exec(p, [p, '-c', x])`) holds the arguments.
      const argv = rest.length === 1 ? (elements(rest[0]) ?? rest) : rest;
      if (shellPayload(c, program, argv)) return;
      reportCommand(c, program, 'program to run');
    };
    calls['pty.spawn'] = (c) => {
      const argv = c.arg(0, 'argv');
      const list = elements(argv);
      if (list && shellPayload(c, list[0], list.slice(1))) return;
      reportCommand(c, firstElement(argv), 'program to run');
    };
    // pexpect splits a command string into program and arguments itself (no shell).
    for (const q of ['pexpect.spawn', 'pexpect.run', 'pexpect.popen_spawn.PopenSpawn', 'pexpect.pty_spawn.spawn'])
      calls[q] = (c) => {
        const command = c.arg(0, q === 'pexpect.run' ? 'command' : 'cmd') ?? c.arg(0, 'command');
        if (shellPayload(c, command, elements(c.arg(1, 'args')))) return;
        reportCommand(c, command, 'program to run');
      };
    // Windows opens the path with its associated program (an .exe or .bat runs).
    calls['os.startfile'] = (c) => reportCommand(c, c.arg(0, 'path') ?? c.arg(0, 'filepath'), 'file started');
    calls['asyncio.create_subprocess_exec'] = (c) => execArgs(c, 0);
    calls['*.subprocess_exec'] = (c) => execArgs(c, 1);
    return { calls };
  },
});
