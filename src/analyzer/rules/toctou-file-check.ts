import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { blockLeaves, catchesOsErrors, exceptClauses, statementsOf, tryBodiesAround, unparen } from './code-shape.js';

/** Checks on a path whose answer can be stale by the time the path is used. */
const CHECKS = new Set([
  'os.path.exists',
  'os.path.isfile',
  'os.path.isdir',
  'os.path.lexists',
  'os.path.islink',
  'os.access',
  'os.path.getsize',
  'pathlib.Path.exists',
  'pathlib.Path.is_file',
  'pathlib.Path.is_dir',
]);

/** Uses of a path: opening, removing, renaming, changing it. */
const USES = new Set([
  'open',
  'builtins.open',
  'io.open',
  'codecs.open',
  'os.open',
  'os.remove',
  'os.unlink',
  'os.rmdir',
  'os.rename',
  'os.replace',
  'os.chmod',
  'os.chown',
  'os.mkdir',
  'os.makedirs',
  'os.symlink',
  'os.link',
  'os.truncate',
  'shutil.rmtree',
  'shutil.move',
  'shutil.copy',
  'shutil.copyfile',
  'shutil.copy2',
  'pathlib.Path.open',
  'pathlib.Path.read_text',
  'pathlib.Path.read_bytes',
  'pathlib.Path.write_text',
  'pathlib.Path.write_bytes',
  'pathlib.Path.unlink',
  'pathlib.Path.mkdir',
  'pathlib.Path.rmdir',
  'pathlib.Path.rename',
  'pathlib.Path.touch',
  'flask.send_file',
]);

const MAKERS = /(mkdir|makedirs)$/;

/** The path a check or use is about: its first argument, or the Path object it is called on. */
function subjectOf(info: CallInfo): PyNode | undefined {
  if (info.qnames.some((q) => q.startsWith('pathlib.Path.'))) return info.receiver;
  return unparen(info.arg(0, 'path') ?? info.arg(0, 'file') ?? info.arg(0, 'src'));
}

function samePath(a: PyNode | undefined, b: PyNode | undefined): boolean {
  if (!a || !b) return false;
  const norm = (n: PyNode): string => n.text.replace(/\s+/g, '');
  return norm(a) === norm(b);
}

/** Calls inside `scope` (in order) that use the checked path. */
function usesIn(model: ModuleModel, scope: PyNode, path: PyNode): CallInfo[] {
  const out: CallInfo[] = [];
  for (const n of scope.walk()) {
    if (n.type !== 'call') continue;
    const info = model.call(n);
    if (!info || !info.qnames.some((q) => USES.has(q))) continue;
    if (samePath(subjectOf(info), path)) out.push(info);
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'py/toctou-file-check',
    cwes: [367],
    severity: 'medium',
    confidence: 'medium',
    message: 'File checked, then used: the file can change in between',
    fixHint:
      'Do not check first: open or remove the file directly and handle the failure (try: open(path) except FileNotFoundError/PermissionError: ...); for permission checks, drop privileges or open with os.open(path, os.O_NOFOLLOW ...) and check the opened descriptor with os.fstat.',
    doc: 'Between os.path.exists/os.access and the open or remove that follows, another process can delete, replace or symlink the file, so the program acts on something other than what it checked. A setuid program that checks os.access and then opens can be tricked into reading or writing files the user may not touch. Acting directly and handling the error removes the window.',
  },
  check(context) {
    const { model } = context;
    return {
      call(check) {
        if (!check.qnames.some((q) => CHECKS.has(q))) return;
        const path = subjectOf(check);
        if (!path) return;
        const isAccess = check.qnames.includes('os.access');
        const cond = enclosingCondition(check.node);
        if (!cond) return;
        const { statement, negated } = cond;
        // Uses guarded by the check: inside the `if` (positive check) or after `if not check: leave`.
        const scopes: PyNode[] = [];
        if (!negated) {
          const consequence = statement.child('consequence') ?? statement.child('body');
          if (consequence) scopes.push(consequence);
        } else {
          const elseBody = statement.children.find((c) => c.type === 'else_clause')?.child('body');
          if (elseBody) scopes.push(elseBody);
          if (statement.type === 'if_statement' && blockLeaves(statement.child('consequence'))) {
            for (const s of statementsOf(statement.parent ?? undefined)) if (s.startIndex > statement.endIndex) scopes.push(s);
          }
          // `if not exists(d): makedirs(d)`: the use is the creation in the body.
          const consequence = statement.child('consequence');
          if (consequence) scopes.push(consequence);
        }
        for (const scope of scopes) {
          for (const use of usesIn(model, scope, path)) {
            // Reading a file whose disappearance is handled is harmless; a permission check is not.
            const handled = tryBodiesAround(use.node).some((t) => exceptClauses(t).some(catchesOsErrors));
            if (handled && !isAccess) continue;
            const maker = use.qnames.some((q) => MAKERS.test(q));
            if (maker && use.keywords.has('exist_ok')) continue;
            context.report({
              node: use.node,
              // A fixed path checked at start-up races only with the program's own setup.
              confidence: isAccess ? 'high' : maker || model.isConstant(path) ? 'low' : 'medium',
              message: `${path.text} is checked with ${check.qname}() on line ${check.node.line} and used here: it can be replaced or removed in between`,
            });
            return;
          }
        }
      },
    };
  },
});

/** The if/elif/while whose condition holds the check, and whether the check is negated there. */
function enclosingCondition(node: PyNode): { statement: PyNode; negated: boolean } | undefined {
  let negated = false;
  let child: PyNode = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === 'not_operator') negated = !negated;
    else if (p.type === 'boolean_operator' || p.type === 'parenthesized_expression') continue;
    else if ((p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement') && child.field === 'condition') return { statement: p, negated };
    else return undefined;
  }
  return undefined;
}
