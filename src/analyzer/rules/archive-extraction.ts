import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls } from './helpers.js';

/**
 * A member-name check somewhere in the function: `'..' in m.name`, `isabs(m.name)`, or a
 * realpath/commonpath check of the member joined to the destination. Normalising the bare
 * name (`abspath(m.name)`) resolves it against the working directory, not the destination,
 * so it proves nothing about where the member lands.
 */
function validatesMembers(text: string): boolean {
  if (!/\b(raise|continue|return|abort)\b/.test(text)) return false;
  if (/['"]\.\.['"]|\bis_relative_to\b|\.startswith\(\s*['"]\/['"]|isabs\(/.test(text)) return true;
  return /\b(realpath|abspath|commonpath|commonprefix|normpath)\b/.test(text) && /\bjoin\(|\/\s*\w+\.(name|path)\b/.test(text);
}

/** `os.path.abspath(member.name)` with no join to a destination anywhere in the function. */
function normalisesBareName(text: string | undefined = ''): boolean {
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
    /** A `filter=` that keeps members inside the destination ('data', 'tar', a function of the program's own). */
    const hasFilter = (c: CallInfo): boolean => {
      const node = c.keywords.get('filter');
      if (!node) return false;
      const v = model.constValue(node);
      if (v === null || v === 'fully_trusted') return false;
      if (typeof v === 'string') return v === 'data' || v === 'tar';
      return !/(^|\.)fully_trusted_filter$/.test(model.qname(node) ?? '');
    };
    /**
     * The code that may check the members before this call: the enclosing function, or at
     * module level the statements from where the archive was opened up to the call.
     */
    const enclosing = (c: CallInfo): PyNode | undefined => {
      const fn = model.enclosingFunction(c.node);
      if (fn) return fn.node;
      return undefined;
    };
    const moduleRegion = (c: CallInfo): string => {
      const src = c.node.source.text;
      let start = c.node.startIndex;
      for (let p = c.node.parent; p && p.type !== 'module'; p = p.parent) start = p.startIndex;
      if (c.receiver?.type === 'identifier') for (const b of model.reaching(c.receiver)) if (b.kind === 'assign') start = Math.min(start, b.stmt.startIndex);
      return src.slice(start, c.node.endIndex);
    };
    const checked = (c: CallInfo): boolean => {
      const fn = enclosing(c);
      return fn ? validatesMembers(fn.text) : validatesMembers(moduleRegion(c));
    };
    /** `members=` that lists every member as is: the archive itself or its getmembers(). */
    const allMembers = (c: CallInfo, members: PyNode): boolean => {
      if (c.receiver && members.text === c.receiver.text) return true;
      const info = members.type === 'call' ? model.call(members) : undefined;
      return !!info && info.method === 'getmembers' && !!c.receiver && info.receiver?.text === c.receiver.text;
    };
    /** The archive is a fixed file of the program's own (`tarfile.open('bundled.tar')`). */
    const ownArchive = (c: CallInfo): boolean => {
      const opens = c.receiver?.type === 'call' ? [model.call(c.receiver)] : constructionCalls(model, c.receiver);
      return opens.length > 0 && opens.every((o) => !!o && /^tarfile\.(open|TarFile(\.open)?)$/.test(o.qname ?? '') && model.isConstant(o.arg(0, 'name') ?? o.arg(-1, 'fileobj')));
    };
    return {
      calls: {
        'tarfile.TarFile.extractall': (c) => {
          if (hasFilter(c) || ownArchive(c)) return;
          const members = c.arg(1, 'members');
          if (members && !allMembers(c, members)) return;
          if (checked(c)) return;
          context.report({ node: c.node });
        },
        'tarfile.TarFile.extract': (c) => {
          if (hasFilter(c) || ownArchive(c)) return;
          const member = c.arg(0, 'member');
          // A member variable: only a check of that member (on every path to here) counts.
          if (member?.type === 'identifier' && model.reaching(member).length) {
            if (context.taint.guards.latestGuard(member, 'path') >= 0 && !normalisesBareName(enclosing(c)?.text)) return;
          } else if (checked(c)) return;
          context.report({ node: c.node });
        },
        'shutil.unpack_archive': (c) => {
          if (hasFilter(c) || checked(c) || model.isConstant(c.arg(0, 'filename'))) return;
          context.report({ node: c.node, confidence: 'low' });
        },
      },
    };
  },
});
