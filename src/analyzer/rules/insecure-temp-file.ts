import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule, type RuleContext } from '../rule.js';
import { enclosingDef, nodesIn, parts } from './code-shape.js';

/** Return a name for a temporary file without creating it: another process can create it first. */
const NAME_ONLY = ['tempfile.mktemp', 'os.tempnam', 'os.tmpnam'];

/** Calls that create or open a file or directory at the path given first. */
const PATH_USERS = [
  'open',
  'builtins.open',
  'io.open',
  'codecs.open',
  'os.open',
  'os.mkdir',
  'os.makedirs',
  'os.mkfifo',
  'os.symlink',
  'pathlib.Path',
  'shutil.copy',
  'shutil.copyfile',
  'shutil.copy2',
  'shutil.move',
  'numpy.save',
  'pickle.dump',
];

/** World-writable directories shared by every user of the machine. */
const SHARED_TMP = /^(\/tmp|\/var\/tmp|\/dev\/shm|\/usr\/tmp)(\/|$)/;

export default defineRule({
  meta: {
    id: 'py/insecure-temp-file',
    cwes: [377, 379],
    severity: 'medium',
    confidence: 'high',
    message: 'Temporary file created insecurely',
    fixHint:
      'Create temporary files with tempfile.NamedTemporaryFile(), tempfile.mkstemp() (write through the returned descriptor with os.fdopen(fd)) or tempfile.TemporaryDirectory(); never tempfile.mktemp() or a fixed name under /tmp.',
    doc: 'tempfile.mktemp() and os.tempnam() only pick a name; between that and opening it another user can create the file or a symlink there and read or redirect what is written. A fixed path in a shared directory such as /tmp has the same race and is predictable. The tempfile functions that create the file atomically with private permissions remove both problems.',
    bandit: ['B306', 'B108', 'B325'],
  },
  check(context) {
    const { model } = context;
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of NAME_ONLY)
      calls[q] = (c) =>
        context.report({
          node: c.node,
          message: `${q.replace(/^.*\./, '')}() returns a temporary file name without creating the file (race: another user can create it first)`,
        });
    for (const q of PATH_USERS)
      calls[q] = (c) => {
        const path = c.arg(0, 'file') ?? c.arg(0, 'path') ?? c.arg(0, 'name') ?? c.arg(0, 'src');
        const text = constantPath(model, path);
        if (text === undefined || !SHARED_TMP.test(text)) return;
        context.report({
          node: path!,
          message: `fixed file name '${text}' in a shared temporary directory: predictable and open to symlink races`,
          confidence: 'medium',
        });
      };
    calls['tempfile.mkstemp'] = (c) => reopenedByName(context, model, c);
    return { calls };
  },
});

/** The constant text of a path, joining `os.path.join` of constants. */
export function constantPath(model: ModuleModel, node: PyNode | undefined): string | undefined {
  if (!node) return undefined;
  const s = model.constString(node);
  if (s !== undefined) return s;
  if (node.type === 'call') {
    const info = model.call(node);
    if (info && (info.qname === 'os.path.join' || info.qname === 'posixpath.join')) {
      const pieces = info.positional.map((a) => model.constString(a));
      if (pieces.length && pieces.every((p) => p !== undefined)) return pieces.join('/').replace(/\/+/g, '/');
    }
  }
  return undefined;
}

/**
 * `fd, path = tempfile.mkstemp()` then `open(path)`: the safely created file is opened again
 * by name and the original descriptor leaks (or is closed without use).
 */
function reopenedByName(context: RuleContext, model: ModuleModel, c: CallInfo): void {
  const assign = c.node.parent?.type === 'assignment' ? c.node.parent : undefined;
  const left = assign?.child('left');
  if (!left || (left.type !== 'pattern_list' && left.type !== 'tuple_pattern' && left.type !== 'tuple')) return;
  const [fdNode, pathNode] = parts(left);
  if (fdNode?.type !== 'identifier' || pathNode?.type !== 'identifier') return;
  const scope = enclosingDef(c.node)?.child('body') ?? model.root;
  let fdUsedForData = false;
  let reopen: PyNode | undefined;
  for (const call of nodesIn(scope, 'call')) {
    if (call.startIndex < c.node.endIndex) continue;
    const info = model.call(call);
    if (!info) continue;
    const first = info.positional[0];
    if (first?.type === 'identifier' && first.text === fdNode.text && info.qname !== 'os.close') fdUsedForData = true;
    if ((info.qname === 'open' || info.qname === 'io.open' || info.qname === 'codecs.open') && first?.type === 'identifier' && first.text === pathNode.text) reopen ??= call;
  }
  if (reopen && !fdUsedForData)
    context.report({
      node: reopen,
      confidence: 'low',
      severity: 'low',
      message: 'the file made by mkstemp() is opened again by name instead of through its descriptor',
      fixHint: 'Write through the descriptor mkstemp() returns: `with os.fdopen(fd, "w") as f: f.write(...)`, or use tempfile.NamedTemporaryFile().',
    });
}
