import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { builtFrom, nodesIn, parts } from './code-shape.js';

/** Calls that send the file at a path to the client. */
const FILE_SENDERS = ['flask.send_file', 'django.http.FileResponse', 'fastapi.responses.FileResponse', 'starlette.responses.FileResponse'];
/** Calls that open a file for reading, path first. */
const OPENERS = ['open', 'builtins.open', 'io.open', 'codecs.open'];

export default defineRule({
  meta: {
    id: 'py/forced-browsing',
    cwes: [425],
    severity: 'high',
    confidence: 'high',
    message: 'File served from a path the request chooses',
    fixHint:
      "Never build the path of a served file from request values: look the file up by an id the current user is authorised for (a database row owned by request.user), or at least reduce the name with werkzeug.utils.secure_filename/os.path.basename, join it to a fixed directory and check os.path.realpath(path).startswith(BASE_DIR + os.sep); serve with send_from_directory.",
    doc: 'When a handler reads and returns whatever file the request names, any user can fetch files that no page links to: other users\' documents, configuration, source code. Authentication does not help if the path itself is not tied to what the user may see. The file has to be selected from an authorised set, not by a client-controlled path.',
  },
  check(context) {
    const { model } = context;
    const inHandler = (node: PyNode): boolean => !!model.enclosingFunction(node)?.route;
    const reportPath = (c: CallInfo, path: PyNode | undefined): void => {
      context.reportTaint({ node: c.node, value: path, kind: 'path', message: 'file served from a path built from {source}', parameters: false });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const q of FILE_SENDERS)
      calls[q] = (c) => {
        const first = c.arg(0, 'path_or_file') ?? c.arg(0, 'path') ?? c.arg(0, 'filename');
        // FileResponse(open(path, 'rb')): the opened path is what matters.
        const opened = first?.type === 'call' ? model.call(first) : undefined;
        if (opened && opened.qnames.some((q2) => OPENERS.includes(q2))) return reportPath(c, opened.arg(0, 'file'));
        reportPath(c, first);
      };
    for (const q of OPENERS)
      calls[q] = (c) => {
        if (!inHandler(c.node)) return;
        const outer = c.node.parent?.type === 'argument_list' ? model.call(c.node.parent.parent!) : undefined;
        if (outer?.qnames.some((q2) => FILE_SENDERS.includes(q2))) return;
        const mode = model.constString(c.arg(1, 'mode')) ?? 'r';
        if (/[wax+]/.test(mode)) return;
        const fn = model.enclosingFunction(c.node)!;
        // The file's content (or the file object) reaches what the handler returns.
        const returned = [...nodesIn(fn.node.child('body')!, 'return_statement')].some((r) => builtFrom(model, parts(r)[0], (n) => n === c.node));
        if (returned) reportPath(c, c.arg(0, 'file'));
      };
    return { calls };
  },
});
