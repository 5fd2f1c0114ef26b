import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

/** Calls taking a file path: qualified name → [position, keyword] of each path argument. */
const PATH_ARGS: Record<string, Array<[number, string]>> = {
  open: [[0, 'file']],
  'io.open': [[0, 'file']],
  'codecs.open': [[0, 'filename']],
  'os.open': [[0, 'path']],
  'os.remove': [[0, 'path']],
  'os.unlink': [[0, 'path']],
  'os.rmdir': [[0, 'path']],
  'os.removedirs': [[0, 'name']],
  'os.rename': [[0, 'src'], [1, 'dst']],
  'os.replace': [[0, 'src'], [1, 'dst']],
  'os.listdir': [[0, 'path']],
  'os.chdir': [[0, 'path']],
  'os.scandir': [[0, 'path']],
  'os.chmod': [[0, 'path']],
  'os.chown': [[0, 'path']],
  'os.truncate': [[0, 'path']],
  'os.makedirs': [[0, 'name']],
  'os.mkdir': [[0, 'path']],
  'shutil.rmtree': [[0, 'path']],
  'shutil.copy': [[0, 'src'], [1, 'dst']],
  'shutil.copy2': [[0, 'src'], [1, 'dst']],
  'shutil.copyfile': [[0, 'src'], [1, 'dst']],
  'shutil.copytree': [[0, 'src'], [1, 'dst']],
  'shutil.move': [[0, 'src'], [1, 'dst']],
  'shutil.copymode': [[0, 'src'], [1, 'dst']],
  'shutil.copystat': [[0, 'src'], [1, 'dst']],
  'shutil.chown': [[0, 'path']],
  'flask.send_file': [[0, 'path_or_file'], [0, 'filename_or_fp']],
  'flask.send_from_directory': [[0, 'directory']],
  'django.http.FileResponse': [],
  'fastapi.responses.FileResponse': [[0, 'path']],
  'pathlib.Path': [],
  'tarfile.open': [],
  'os.link': [[0, 'src'], [1, 'dst']],
  'os.symlink': [[0, 'src'], [1, 'dst']],
  'os.utime': [[0, 'path']],
  'aiofiles.open': [[0, 'file']],
  'aiofiles.os.remove': [[0, 'path']],
  'aiofiles.os.unlink': [[0, 'path']],
  'aiofiles.os.rename': [[0, 'src'], [1, 'dst']],
  'aiofiles.os.listdir': [[0, 'path']],
  'aiofiles.os.makedirs': [[0, 'name']],
  // pandas readers open a local path (or fetch a URL) named by their first argument.
  'pandas.read_csv': [[0, 'filepath_or_buffer']],
  'pandas.read_table': [[0, 'filepath_or_buffer']],
  'pandas.read_json': [[0, 'path_or_buf']],
  'pandas.read_excel': [[0, 'io']],
  'pandas.read_parquet': [[0, 'path']],
  'pandas.read_feather': [[0, 'path']],
  'pandas.read_xml': [[0, 'path_or_buffer']],
};
/** Calls that only probe the file system: they reveal whether (and what) a file is there. */
const PROBES: Record<string, [number, string]> = {
  'os.path.exists': [0, 'path'],
  'os.path.lexists': [0, 'path'],
  'os.path.isfile': [0, 'path'],
  'os.path.isdir': [0, 'path'],
  'os.path.islink': [0, 'path'],
  'os.path.getsize': [0, 'filename'],
  'os.stat': [0, 'path'],
  'os.lstat': [0, 'path'],
  'os.access': [0, 'path'],
  // Listings: the names of what is under a directory (or matches a pattern).
  'glob.glob': [0, 'pathname'],
  'glob.iglob': [0, 'pathname'],
  'os.walk': [0, 'top'],
};
/** Methods of pathlib.Path that touch the file system at the path the object holds. */
const PATH_METHODS = new Set(['open', 'read_text', 'read_bytes', 'write_text', 'write_bytes', 'unlink', 'rmdir', 'mkdir', 'touch', 'rename', 'replace', 'iterdir', 'chmod']);

export default defineRule({
  meta: {
    id: 'py/path-traversal',
    cwes: [22, 73, 99, 641],
    severity: 'high',
    confidence: 'high',
    message: 'File path built from untrusted data',
    fixHint:
      "Reduce the name to a plain file name (werkzeug.utils.secure_filename(name) or os.path.basename(name)), join it to a fixed base directory, then check os.path.realpath(path).startswith(os.path.realpath(BASE) + os.sep) before opening; or use flask.send_from_directory(BASE, name).",
    doc: 'A path that contains request data or arguments can climb out of the intended directory with `../` or name an absolute path, reading or deleting files the program can reach. Normalise the path and check it stays under a fixed base directory, or accept only names from an allow-list.',
    bandit: [],
  },
  check(context) {
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, args] of Object.entries(PATH_ARGS)) {
      if (args.length === 0) continue;
      calls[q] = (c) => {
        for (const [i, kw] of args) {
          const value = c.arg(i, kw);
          if (!value || context.model.isConstant(value)) continue;
          if (context.reportTaint({ node: c.node, value, kind: 'path', message: 'file path built from {source}' })) return;
        }
      };
    }
    for (const [q, [i, kw]] of Object.entries(PROBES))
      calls[q] = (c) => {
        const value = c.arg(i, kw);
        if (!value || context.model.isConstant(value)) return;
        // `isfile(p) and realpath(p).startswith(BASE)`: the answer only shows combined with the check.
        if (value.type === 'identifier' && besidePathCheck(c.node, value.text)) return;
        context.reportTaint({ node: c.node, value, kind: 'path', message: 'file-system check on a path built from {source}: it tells the caller whether any file exists', severity: 'medium' });
      };
    /** `BASE / name` with a pathlib BASE (the model types calls, not operators), or a name bound to one. */
    const pathlibValue = (node: PyNode, depth = 0): boolean => {
      if (depth > 3) return false;
      if (node.type === 'binary_operator' && node.child('operator')?.text === '/') {
        const left = node.child('left')!;
        return context.model.values(left).some((v) => v.startsWith('pathlib.')) || pathlibValue(left, depth + 1);
      }
      if (node.type === 'parenthesized_expression') return !!node.namedChildren[0] && pathlibValue(node.namedChildren[0], depth + 1);
      if (node.type !== 'identifier') return false;
      const bindings = context.model.reaching(node);
      return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && !b.path.length && !b.element && pathlibValue(b.value, depth + 1));
    };
    const besidePathCheck = (probe: PyNode, name: string): boolean => {
      let child: PyNode = probe;
      for (let p = probe.parent; p?.type === 'boolean_operator' || p?.type === 'not_operator' || p?.type === 'parenthesized_expression'; child = p, p = p.parent) {
        if (p.type !== 'boolean_operator') continue;
        const other = p.child('left') === child ? p.child('right') : p.child('left');
        if (other && context.taint.guards.polarity(other, name, 'path')) return true;
      }
      return false;
    };
    return {
      calls,
      call(c) {
        // Flask's `request.files[...].save(dst)` writes wherever dst points (Werkzeug does not
        // check it; `file.filename` is whatever the client sent).
        if (c.method === 'save' && c.receiver && context.model.values(c.receiver).some((v) => v.startsWith('flask.request.files'))) {
          const dst = c.arg(0, 'dst');
          if (dst && !context.model.isConstant(dst)) context.reportTaint({ node: c.node, value: dst, kind: 'path', message: 'uploaded file saved to a path built from {source}' });
          return;
        }
        if (!c.method || !PATH_METHODS.has(c.method) || !c.receiver) return;
        if (!c.qnames.some((q) => q.startsWith('pathlib.Path.')) && !pathlibValue(c.receiver)) return;
        context.reportTaint({ node: c.node, value: c.receiver, kind: 'path', message: 'file path built from {source}' });
      },
    };
  },
});
