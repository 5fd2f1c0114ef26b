import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { builtFrom, enclosingDef, identifiersIn, nodesIn, unparen } from './code-shape.js';

/** HTTP clients that wait for ever unless given a timeout. */
const NO_DEFAULT_TIMEOUT = /^(requests\.(get|post|put|patch|delete|head|options|request)|requests\.Session\.(get|post|put|patch|delete|head|options|request)|urllib\.request\.urlopen)$/;
/** httpx calls, whose default timeout only `timeout=None` removes. */
const HTTPX = /^httpx\.(get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient)$/;
/** Decompressors that inflate without a size limit. */
const DECOMPRESS = /^(zlib\.decompress|gzip\.decompress|bz2\.decompress|lzma\.decompress)$/;
/** Request data, by the qualified name of the expression. */
const REQUEST_DATA = /^(flask\.request\.|django\.http\.HttpRequest\.(GET|POST|body|data|query_params|FILES|META)|fastapi\.Request\.|bottle\.request\.)/;
/** Calls whose cost grows with a count argument. */
const SIZED_CALLS: Record<string, number> = {
  range: 0,
  bytearray: 0,
  bytes: 0,
  'os.urandom': 0,
  'secrets.token_bytes': 0,
  'secrets.token_hex': 0,
  'secrets.token_urlsafe': 0,
  'itertools.repeat': 1,
  'time.sleep': 0,
};

/**
 * SIZED_CALLS' own keys as a set: `in` with a qualified name built at run time is a slow keyed
 * lookup paid per call, and would also accept what every object inherits (`constructor`...).
 */
const SIZED_NAMES = new Set(Object.keys(SIZED_CALLS));

const SEQUENCE_TYPES = new Set(['string', 'list', 'tuple', 'concatenated_string']);

function fromRequest(model: ModuleModel, expr: PyNode | undefined): boolean {
  return builtFrom(model, expr, (n) => (n.type === 'attribute' || n.type === 'call' || n.type === 'subscript') && model.values(n).some((v) => REQUEST_DATA.test(v)));
}

/**
 * An upper bound on a count: `min(n, MAX)`, or a comparison of the name with `<`/`>`/`<=`
 * somewhere in the function (`if n > 1000: abort(400)`).
 */
function bounded(fnBody: PyNode, expr: PyNode): boolean {
  const names = new Set(identifiersIn(expr).map((i) => i.text));
  if (/\bmin\s*\(/.test(expr.text)) return true;
  for (const n of fnBody.walk()) {
    if (n.type === 'comparison_operator' && /<|>/.test(n.text) && identifiersIn(n).some((i) => names.has(i.text))) return true;
    if (n.type === 'call' && /^min$/.test(n.child('function')?.text ?? '') && identifiersIn(n).some((i) => names.has(i.text))) return true;
  }
  // The name was assigned from an expression already capped with min().
  return false;
}

export default defineRule({
  meta: {
    id: 'py/uncontrolled-resource-consumption',
    cwes: [400, 770],
    severity: 'medium',
    confidence: 'medium',
    message: 'Resource use not limited',
    fixHint:
      'Bound every resource a client can make you spend: pass timeout=(connect, read) to HTTP calls, read streams in chunks up to a maximum size (request.stream.read(MAX_BYTES), MAX_CONTENT_LENGTH), cap counts from the request (n = min(int(n), MAX_N)) and decompress with zlib.decompressobj().decompress(data, MAX_SIZE).',
    doc: 'Work whose size the client decides (a count used as a loop bound or buffer size, a body read in one piece, a compressed payload that inflates a thousandfold) or that waits without a deadline (an HTTP call with no timeout) lets a single request tie up memory, CPU or a worker for as long as the attacker likes. Each such use needs an explicit limit.',
    bandit: ['B113'],
  },
  check(context) {
    const { model } = context;
    const fnBodyOf = (n: PyNode): PyNode => enclosingDef(n)?.child('body') ?? model.root;
    return {
      call(c: CallInfo) {
        // Which families the call's names belong to, in one pass (first letters before patterns).
        const qnames = c.qnames;
        let noTimeout = false;
        let httpx = false;
        let decompress = false;
        let sized: string | undefined;
        for (let i = 0; i < qnames.length; i++) {
          const q = qnames[i]!;
          const first = q.charCodeAt(0);
          if ((first === 114 /* r */ || first === 117) /* u */ && !noTimeout) noTimeout = NO_DEFAULT_TIMEOUT.test(q);
          else if (first === 104 /* h */ && !httpx) httpx = HTTPX.test(q);
          if (!decompress && (first === 122 /* z */ || first === 103 /* g */ || first === 98 /* b */ || first === 108) /* l */) decompress = DECOMPRESS.test(q);
          if (sized === undefined && SIZED_NAMES.has(q)) sized = q;
        }
        // 1. No timeout on an outgoing HTTP request.
        if (noTimeout) {
          if (c.hasSplat) return;
          const isUrlopen = c.qnames.includes('urllib.request.urlopen');
          const timeout = c.keywords.get('timeout') ?? (isUrlopen ? c.positional[2] : undefined);
          if (timeout && unparen(timeout)?.type !== 'none') return;
          context.report({ node: c.node, confidence: 'high', severity: 'low', message: `${c.qname}() without a timeout can hang this worker for ever`, fixHint: 'Pass a timeout: requests.get(url, timeout=10) / urlopen(url, timeout=10).' });
          return;
        }
        // httpx has a default timeout: only an explicit `timeout=None` removes it.
        if (httpx && unparen(c.keywords.get('timeout'))?.type === 'none') {
          context.report({ node: c.node, confidence: 'high', severity: 'low', message: `${c.qname}() with timeout=None can hang this worker for ever`, fixHint: 'Keep a finite timeout: httpx.get(url, timeout=10).' });
          return;
        }
        // 2. Whole-stream reads of the request body.
        if (c.method === 'read' && c.positional.length === 0 && !c.keywords.size && c.receiver && model.values(c.receiver).some((v) => /^(flask\.request\.(stream|input_stream)|django\.http\.HttpRequest\.(read|body))/.test(v) || v === 'flask.request.environ[]')) {
          context.report({ node: c.node, message: 'request body read in one piece with no size limit' });
          return;
        }
        // 3. Decompression of request data without a size limit.
        if (decompress && fromRequest(model, c.positional[0])) {
          context.report({ node: c.node, cwes: [409, 400], message: `${c.qname}() inflates request data with no limit on the output size (decompression bomb)` });
          return;
        }
        // 4. Counts from the request used as loop bounds or buffer sizes.
        const q = sized;
        if (q !== undefined) {
          const size = q === 'range' ? (c.positional.length === 1 ? c.positional[0] : c.positional[1]) : c.positional[SIZED_CALLS[q]!];
          if (!size || model.isConstant(size) || !fromRequest(model, size) || bounded(fnBodyOf(c.node), size)) return;
          context.report({ node: c.node, cwes: [400, 770, 789], message: `${q}() sized by request data (${size.text}) with no upper bound` });
        }
      },
      nodes: {
        binary_operator(node) {
          // `'x' * n`, `[0] * n` with n from the request.
          if (node.child('operator')?.text !== '*') return;
          const l = unparen(node.child('left'));
          const r = unparen(node.child('right'));
          const count = l && SEQUENCE_TYPES.has(l.type) ? r : r && SEQUENCE_TYPES.has(r.type) ? l : undefined;
          if (!count || model.isConstant(count) || !fromRequest(model, count) || bounded(fnBodyOf(node), count)) return;
          context.report({ node, cwes: [400, 770, 789], message: `sequence repeated ${count.text} times, a count taken from the request with no upper bound` });
        },
        augmented_assignment(node) {
          // `buf += conn.recv(n)` in a loop with no limit on len(buf).
          const left = node.child('left');
          const right = unparen(node.child('right'));
          if (left?.type !== 'identifier' || right?.type !== 'call' || node.child('operator')?.text !== '+=') return;
          const info = model.call(right);
          if (!info || !/^(recv|read)$/.test(info.method ?? '') || !model.values(info.receiver!).some((v) => v.startsWith('socket.'))) return;
          const loop = node.ancestor('while_statement', 'for_statement');
          if (!loop) return;
          const checked = [...nodesIn(loop, 'call')].some((n) => n.child('function')?.text === 'len' && identifiersIn(n).some((i) => i.text === left.text));
          if (checked) return;
          context.report({ node, message: `${left.text} grows with every chunk received and nothing limits its size` });
        },
      },
    };
  },
});
