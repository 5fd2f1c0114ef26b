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
const EXEC_CALLS = ['os.execl', 'os.execle', 'os.execlp', 'os.execlpe', 'os.execv', 'os.execve', 'os.execvp', 'os.execvpe', 'asyncio.create_subprocess_exec', 'pty.spawn'];
const SPAWN_CALLS = ['os.spawnl', 'os.spawnle', 'os.spawnlp', 'os.spawnlpe', 'os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe'];

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
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of SHELL_CALLS) calls[q] = (c) => reportCommand(c, c.arg(0, 'command') ?? c.arg(0, 'cmd'), 'shell command');
    for (const q of PROCESS_CALLS)
      calls[q] = (c) => {
        const args = c.arg(0, 'args');
        if (keywordMaybeTrue(model, c, 'shell')) return reportCommand(c, args, 'shell command');
        // No shell: only the program itself matters (a list whose first element, or a whole
        // string/list, comes from the attacker).
        const program = args && (args.type === 'list' || args.type === 'tuple') ? firstElement(args) : args;
        reportCommand(c, c.keywords.get('executable') ?? program, 'program to run');
      };
    for (const q of EXEC_CALLS) calls[q] = (c) => reportCommand(c, c.arg(0, 'file') ?? c.arg(0, 'path'), 'program to run');
    for (const q of SPAWN_CALLS) calls[q] = (c) => reportCommand(c, c.arg(1, 'file') ?? c.arg(1, 'path'), 'program to run');
    return { calls };
  },
});
