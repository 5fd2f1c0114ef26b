import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule, type RuleContext } from '../rule.js';
import { builtFrom, callsIn, enclosingDef, localCallee, unparen } from './code-shape.js';

/** What an uploaded file object's qualified name starts with. */
const UPLOAD_TYPES = ['flask.request.files', 'django.http.HttpRequest.FILES', 'bottle.request.files', 'fastapi.UploadFile', 'starlette.datastructures.UploadFile'];

/** Calls that look at what a file really is (its bytes), not at its name. */
const CONTENT_CHECKS = /^(imghdr\.what|magic\.|filetype\.|puremagic\.|PIL\.Image\.open|fitz\.open|PyPDF2\.|pypdf\.|zipfile\.is_zipfile)/;
/** Conditions that test a name's extension or the declared type. */
const EXTENSION_TEST = /(endswith|splitext|rsplit|\.split\(|suffix|mimetype|content_type|mimetypes\.guess_type|\bext\b|extension)/i;

/** Storage calls that write an upload: where the destination name and the data sit. */
const STORAGE_SAVES = ['django.core.files.storage.default_storage.save', 'django.core.files.storage.FileSystemStorage.save', '*.Storage.save'];

/** Request body data: form fields, JSON, raw body. */
function isRequestData(model: ModuleModel, expr: PyNode): boolean {
  if (expr.type !== 'attribute' && expr.type !== 'call' && expr.type !== 'subscript') return false;
  return model.values(expr).some((v) => /^(flask\.request\.(form|values|json|get_json|data|get_data|files|stream)|django\.http\.HttpRequest\.(POST|body|FILES|data)|bottle\.request\.(forms|files|body|json|POST))/.test(v));
}

function isUpload(model: ModuleModel, expr: PyNode | undefined): boolean {
  if (!expr) return false;
  return model.values(expr).some((v) => UPLOAD_TYPES.some((t) => v.startsWith(t)));
}

type Restriction = 'content' | 'extension' | 'none';

/**
 * How the function restricts what it stores: a look at the bytes (imghdr, python-magic,
 * Pillow), a test of the name's extension or declared type, or nothing. Checks done by the
 * module's own functions count where they are called.
 */
function restriction(model: ModuleModel, fnNode: PyNode | undefined, depth = 0): Restriction {
  if (!fnNode || depth > 2) return 'none';
  let found: Restriction = 'none';
  for (const call of callsIn(fnNode.child('body') ?? fnNode)) {
    const info = model.call(call);
    if (!info) continue;
    if (info.qnames.some((q) => CONTENT_CHECKS.test(q)) || (info.method === 'verify' && /Image/.test(info.receiver?.text ?? ''))) return 'content';
    const def = localCallee(model, info);
    if (def && def !== fnNode) {
      const inner = restriction(model, def, depth + 1);
      if (inner === 'content') return 'content';
      // A local check applied to the file name (`allowed_file(f.filename)`).
      if (inner === 'extension' || (isConditionPart(call) && mentionsName(call))) found = 'extension';
    } else if (isConditionPart(call) && EXTENSION_TEST.test(call.text)) found = 'extension';
    else if (!def && info.callee.type === 'identifier' && isConditionPart(call) && mentionsName(call) && model.reaching(info.callee).length === 0) found = 'extension';
  }
  for (const n of (fnNode.child('body') ?? fnNode).walk()) {
    if (n.type !== 'if_statement' && n.type !== 'elif_clause') continue;
    const cond = n.child('condition');
    if (cond && EXTENSION_TEST.test(cond.text) && /\bin\b|==|!=|endswith/.test(cond.text)) found = 'extension';
    if (cond && /\bnot in\b|\bin\b/.test(cond.text) && /(filename|\bname\b|ext)/i.test(cond.text) && !/request\.files|FILES/.test(cond.text)) found = 'extension';
  }
  return found;
}

/** The call sits in an `if`/`elif`/`while` condition or a boolean test. */
function isConditionPart(node: PyNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.field === 'condition') return true;
    if (p.type === 'block' || p.type === 'expression_statement' || p.type === 'function_definition') return false;
  }
  return false;
}

/** The call's arguments mention a file name (`f.filename`, `name`, `filename`). */
function mentionsName(call: PyNode): boolean {
  return /filename|\bname\b/.test(call.child('arguments')?.text ?? '');
}

export default defineRule({
  meta: {
    id: 'py/unrestricted-upload',
    cwes: [434],
    severity: 'high',
    confidence: 'high',
    message: 'Uploaded file stored without restricting its type',
    fixHint:
      'Accept only the types the feature needs: check the extension against an allow-list AND verify the content (imghdr/python-magic/Pillow verify()), store under a server-generated name (uuid4().hex + the allowed extension) outside the web root, and limit the size (MAX_CONTENT_LENGTH).',
    doc: 'A file stored with the name and content the client chose can be a script, an HTML page or an executable that the server or other users later run or open. Checking the extension of the client-supplied name is not enough by itself: the content has to be verified, and the stored name chosen by the server.',
  },
  check(context) {
    const { model } = context;
    const report = (c: CallInfo, fnNode: PyNode | undefined, what: string): void => {
      const r = restriction(model, fnNode);
      if (r === 'content') return;
      context.report({
        node: c.node,
        confidence: r === 'extension' ? 'low' : 'high',
        severity: r === 'extension' ? 'medium' : 'high',
        message:
          r === 'extension'
            ? `${what} after checking only the extension of the client-supplied name; its content is never verified`
            : `${what} without checking its type or content`,
      });
    };
    return {
      call(c) {
        const fnNode = enclosingDef(c.node);
        // `upload.save(path)` (werkzeug FileStorage, Django storage).
        if (c.method === 'save' && isUpload(model, c.receiver)) return report(c, fnNode, 'uploaded file saved');
        if (c.qnames.some((q) => STORAGE_SAVES.some((p) => (p.startsWith('*.') ? q.endsWith(p.slice(1)) : q === p))) && c.positional.some((a) => isUpload(model, a)))
          return report(c, fnNode, 'uploaded file stored');
        if (c.qname === 'shutil.copyfileobj' && isUpload(model, unparen(c.positional[0])?.type === 'attribute' ? unparen(c.positional[0])!.child('object') : c.positional[0]))
          return report(c, fnNode, 'uploaded file copied to disk');
        // `out.write(data)` on a file opened for writing, with uploaded or request data.
        if (c.method === 'write' && c.positional.length === 1 && c.receiver && model.values(c.receiver).includes('io.File')) checkWrite(context, c, fnNode, report);
      },
    };
  },
});

/** `with open(path, 'wb') as out: out.write(data)` where data is the upload (or request data under a request-chosen name). */
function checkWrite(context: RuleContext, c: CallInfo, fnNode: PyNode | undefined, report: (c: CallInfo, fn: PyNode | undefined, what: string) => void): void {
  const { model } = context;
  const data = c.positional[0]!;
  const opener = openerOf(model, c.receiver!);
  if (!opener) return;
  const mode = model.constString(opener.arg(1, 'mode')) ?? 'r';
  if (!/[wax]/.test(mode)) return;
  // Encoding (base64...) does not change where the bytes came from.
  if (builtFrom(model, data, (n) => isUpload(model, n))) return report(c, fnNode, 'uploaded content written to a file');
  // Request data (base64 in a form field...) stored under a name the request chose.
  const dataTaint = builtFrom(model, data, (n) => isRequestData(model, n));
  const pathTaint = context.taintOf(opener.arg(0, 'file'), 'upload');
  if (dataTaint && pathTaint?.origin === 'remote') report(c, fnNode, 'request data written to a file named by the request');
}

/** The `open(...)` call a file variable was bound to. */
function openerOf(model: ModuleModel, receiver: PyNode): CallInfo | undefined {
  const r = unparen(receiver);
  if (r?.type === 'call') return model.call(r);
  if (r?.type !== 'identifier') return undefined;
  for (const b of model.reaching(r)) {
    if (b.kind !== 'assign') continue;
    const v = unparen(b.value);
    if (v?.type === 'call') {
      const info = model.call(v);
      if (info?.qnames.some((q) => q === 'open' || q === 'io.open' || q === 'codecs.open' || q === 'builtins.open')) return info;
    }
  }
  return undefined;
}
