import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

/**
 * A member-name check somewhere in the function: `'..' in m.name`, `isabs(m.name)`, or a
 * realpath/commonpath check of the member joined to the destination. Normalising the bare
 * name (`abspath(m.name)`) resolves it against the working directory, not the destination,
 * so it proves nothing about where the member lands.
 */
function validatesMembers(fn: PyNode | undefined): boolean {
  if (!fn) return false;
  const text = fn.text;
  if (!/\b(raise|continue|return|abort)\b/.test(text)) return false;
  if (/['"]\.\.['"]|\bis_relative_to\b|\.startswith\(\s*['"]\/['"]|isabs\(/.test(text)) return true;
  return /\b(realpath|abspath|commonpath|commonprefix|normpath)\b/.test(text) && /\bjoin\(|\/\s*\w+\.(name|path)\b/.test(text);
}

/** `os.path.abspath(member.name)` with no join to a destination anywhere in the function. */
function normalisesBareName(fn: PyNode | undefined): boolean {
  const text = fn?.text ?? '';
  return /\b(realpath|abspath|normpath)\(\s*\w+\.(name|path)\s*\)/.test(text) && !/\bjoin\(/.test(text);
}

export default defineRule({
  meta: {
    id: 'py/archive-extraction',
    cwes: [22],
    severity: 'high',
    confidence: 'medium',
    message: 'Archive extracted without checking member paths (tar slip)',
    fixHint:
      "Extract with tar.extractall(dest, filter='data') (Python 3.12+, backported to 3.8+ security releases), or check every member first: skip names that are absolute or contain '..', and verify os.path.realpath(os.path.join(dest, m.name)).startswith(os.path.realpath(dest) + os.sep).",
    doc: 'Tar archives can hold members named `../../etc/cron.d/x` or absolute paths, and links pointing outside the target; extracting them blindly writes files anywhere the process can. The `data` extraction filter or an explicit member check keeps extraction inside the destination.',
    bandit: ['B202'],
  },
  check(context) {
    const { model } = context;
    const hasFilter = (c: CallInfo): boolean => {
      const f = model.constString(c.keywords.get('filter'));
      return f === 'data' || f === 'tar' || (c.keywords.has('filter') && f === undefined);
    };
    const enclosing = (c: CallInfo): PyNode | undefined => model.enclosingFunction(c.node)?.node ?? model.root;
    return {
      calls: {
        'tarfile.TarFile.extractall': (c) => {
          if (hasFilter(c) || c.keywords.has('members') || c.positional.length >= 2) return;
          if (validatesMembers(enclosing(c))) return;
          context.report({ node: c.node });
        },
        'tarfile.TarFile.extract': (c) => {
          if (hasFilter(c)) return;
          const member = c.arg(0, 'member');
          if (member?.type === 'identifier' && model.reaching(member).length && context.taint.guards.latestGuard(member, 'path') >= 0 && !normalisesBareName(enclosing(c))) return;
          if (validatesMembers(enclosing(c))) return;
          context.report({ node: c.node });
        },
        'shutil.unpack_archive': (c) => {
          if (hasFilter(c) || validatesMembers(enclosing(c))) return;
          context.report({ node: c.node, confidence: 'low' });
        },
      },
    };
  },
});
