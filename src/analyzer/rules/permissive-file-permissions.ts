import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { modeMinimum, modeValue, octal } from './permission-bits.js';

/** Calls that set permissions: where the mode argument sits. */
const MODE_SETTERS: Record<string, { index: number; keyword: string; what: string }> = {
  'os.chmod': { index: 1, keyword: 'mode', what: 'chmod' },
  'os.lchmod': { index: 1, keyword: 'mode', what: 'chmod' },
  'os.fchmod': { index: 1, keyword: 'mode', what: 'chmod' },
  'pathlib.Path.chmod': { index: 0, keyword: 'mode', what: 'chmod' },
  'pathlib.Path.lchmod': { index: 0, keyword: 'mode', what: 'chmod' },
};

const S_IWOTH = 0o002;
const S_IXOTH = 0o001;
const S_IROTH = 0o004;
const S_IWGRP = 0o020;
const S_IXGRP = 0o010;

export default defineRule({
  meta: {
    id: 'py/permissive-file-permissions',
    cwes: [732, 276],
    severity: 'medium',
    confidence: 'high',
    message: 'File permissions grant access to other users',
    fixHint:
      'Give files the least access they need, for their owner only: os.chmod(path, 0o600) for data, 0o700 (stat.S_IRWXU) for executables and private directories; never 0o777/0o666 or os.umask(0).',
    doc: 'A mode that lets group members or every local user write a file (or execute and read it) hands them control of what the program later reads or runs. Bits for "others" are rarely needed; a umask of 0 makes every file the process creates world-writable. Modes given when creating files (os.open, os.mkdir) are reduced by the umask and are not reported.',
    bandit: ['B103'],
  },
  check(context) {
    const { model } = context;
    const judge = (c: CallInfo, modeNode: PyNode | undefined, what: string): void => {
      const mode = modeValue(model, modeNode);
      if (mode === undefined) {
        // `st.st_mode | stat.S_IWOTH`: the bits added are set whatever the current mode is.
        const added = modeMinimum(model, modeNode);
        const problem = added ? describe(added) : undefined;
        if (problem) context.report({ node: c.node, message: `${what} adds ${octal(added)} to the mode: ${problem.text}`, severity: problem.severity });
        return;
      }
      const problem = describe(mode);
      if (!problem) return;
      context.report({ node: c.node, message: `${what} ${octal(mode)}: ${problem.text}`, severity: problem.severity });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, spec] of Object.entries(MODE_SETTERS)) calls[q] = (c) => judge(c, c.arg(spec.index, spec.keyword), spec.what);
    calls['os.umask'] = (c) => {
      const mask = modeValue(model, c.arg(0, 'mask'));
      if (mask === undefined || mask & S_IWOTH) return;
      // `old = os.umask(0); os.umask(old)`: the usual way to read the umask.
      const assigned = c.node.parent?.type === 'assignment' ? c.node.parent.child('left')?.text : undefined;
      if (assigned && model.calls.some((o) => o !== c && o.qname === 'os.umask' && o.positional[0]?.text === assigned)) return;
      context.report({ node: c.node, message: `umask ${octal(mask)} lets files be created writable by every user`, severity: mask === 0 ? 'high' : 'medium' });
    };
    return { calls };
  },
});

/** What is wrong with a mode, or undefined when it keeps others out of writing and running. */
function describe(mode: number): { text: string; severity: 'high' | 'medium' } | undefined {
  if (mode & S_IWOTH) return { text: 'writable by every user', severity: 'high' };
  if (mode & S_IWGRP) return { text: 'writable by the group', severity: 'medium' };
  if (mode & (S_IXOTH | S_IXGRP)) return { text: mode & S_IROTH ? 'readable and executable by other users' : 'executable by other users', severity: 'medium' };
  return undefined;
}
