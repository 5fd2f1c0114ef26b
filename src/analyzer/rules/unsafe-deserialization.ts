import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls } from './helpers.js';

/** Loaders that can build arbitrary objects: qualified name → [position, keyword] of the data. */
const LOADERS: Record<string, [number, string]> = {
  'pickle.loads': [0, 'data'],
  'pickle.load': [0, 'file'],
  'pickle.Unpickler': [0, 'file'],
  'dill.loads': [0, 'str'],
  'dill.load': [0, 'file'],
  'cloudpickle.loads': [0, 'data'],
  'cloudpickle.load': [0, 'file'],
  'marshal.loads': [0, 'bytes'],
  'marshal.load': [0, 'file'],
  'shelve.open': [0, 'filename'],
  'jsonpickle.decode': [0, 'string'],
  'jsonpickle.loads': [0, 'string'],
  'pandas.read_pickle': [0, 'filepath_or_buffer'],
  'joblib.load': [0, 'filename'],
  'yaml.unsafe_load': [0, 'stream'],
  'yaml.unsafe_load_all': [0, 'stream'],
  'torch.load': [0, 'f'],
};
const SAFE_YAML_LOADERS = new Set(['yaml.SafeLoader', 'yaml.CSafeLoader', 'yaml.loader.SafeLoader', 'yaml.cyaml.CSafeLoader']);
const DANGEROUS_CALLABLES = /^(exec|eval|compile|os\.(system|popen|exec\w*|spawn\w*)|subprocess\.\w+|builtins\.(exec|eval)|__import__|pty\.spawn)$/;

export default defineRule({
  meta: {
    id: 'py/unsafe-deserialization',
    cwes: [502, 20],
    severity: 'high',
    confidence: 'high',
    message: 'Deserialisation of untrusted data can run code',
    fixHint:
      'Use a data-only format for untrusted input: json.loads(data), or yaml.safe_load(stream) instead of yaml.load; if pickle is unavoidable, only load data you signed yourself and verify with hmac.compare_digest before loading.',
    doc: 'pickle, marshal, shelve, dill, jsonpickle and yaml.load with a non-safe Loader rebuild arbitrary objects, and building an object can call any function (`__reduce__` returning os.system). Whoever controls the bytes controls the process. JSON and yaml.safe_load only produce plain data.',
    bandit: ['B301', 'B302', 'B506', 'B614'],
  },
  check(context) {
    const { model } = context;
    const load = (c: CallInfo, value: PyNode | undefined, what: string): void => {
      if (!value || model.isConstant(value)) return;
      context.reportTaint({ node: c.node, value, kind: 'deserialize', message: `${what} of data from {source}` });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(LOADERS)) calls[q] = (c) => load(c, c.arg(i, kw), `${q.split('.').pop()}()`);
    // `weights_only=True` swaps in PyTorch's restricted unpickler (tensors and plain containers only).
    calls['torch.load'] = (c) => {
      if (model.constValue(c.keywords.get('weights_only')) === true) return;
      load(c, c.arg(0, 'f'), 'load()');
    };
    // ruamel.yaml builds arbitrary Python objects only with typ='unsafe' (its default 'rt' is safe).
    for (const q of ['ruamel.yaml.YAML().load', 'ruamel.yaml.YAML().load_all'])
      calls[q] = (c) => {
        const made = constructionCalls(model, c.receiver);
        if (!made.some((m) => /\bunsafe\b/.test(String(model.constValue(m.arg(0, 'typ')) ?? '')))) return;
        load(c, c.arg(0, 'stream'), "YAML(typ='unsafe').load()");
      };
    calls['ruamel.yaml.unsafe_load'] = (c) => load(c, c.arg(0, 'stream'), 'ruamel.yaml.unsafe_load()');
    calls['numpy.load'] = (c) => {
      if (model.constValue(c.keywords.get('allow_pickle')) === true) load(c, c.arg(0, 'file'), 'numpy.load(allow_pickle=True)');
    };
    // Safe loaders build plain data only; what is left with request data is its size: aliases
    // (`&a [*b, *b, ...]`) share nodes while loading, so a few hundred bytes become an
    // exponentially large structure once it is walked or serialised back out.
    const safeLoad = (c: CallInfo, stream: PyNode | undefined, what: string): void => {
      if (!stream || model.isConstant(stream)) return;
      const t = context.taintOf(stream, 'deserialize');
      if (!t || (t.origin !== 'remote' && t.origin !== 'network')) return;
      if (!resultSentBack(model, c.node)) return;
      context.report({
        node: c.node,
        message: `${what} turns ${t.label} into objects that are sent back unchecked: YAML aliases let a small document expand exponentially when the result is serialised`,
        confidence: 'low',
        severity: 'low',
        cwes: [502, 400],
        fixHint: 'Accept JSON for request data (json.loads with a size limit), or cap the body size and validate the loaded structure (expected type, keys, depth) before using or returning it.',
        flow: t.steps,
      });
    };
    calls['yaml.safe_load'] = (c) => safeLoad(c, c.arg(0, 'stream'), 'yaml.safe_load()');
    calls['yaml.safe_load_all'] = (c) => safeLoad(c, c.arg(0, 'stream'), 'yaml.safe_load_all()');
    for (const q of ['yaml.load', 'yaml.load_all'])
      calls[q] = (c) => {
        const loader = c.arg(1, 'Loader');
        const names = loader ? model.values(loader) : [];
        if (names.some((n) => SAFE_YAML_LOADERS.has(n))) return safeLoad(c, c.arg(0, 'stream'), `${q}() with a safe loader`);
        const stream = c.arg(0, 'stream');
        if (!stream) return;
        const message = loader ? `${q}() with ${loader.text}, which is not SafeLoader` : `${q}() without Loader=yaml.SafeLoader`;
        if (context.reportTaint({ node: c.node, value: stream, kind: 'deserialize', message: `${message}, on data from {source}` })) return;
        context.report({ node: c.node, message, confidence: 'medium' });
      };
    return {
      calls,
      nodes: {
        // A pickle payload class: `__reduce__` returning (os.system, (...)).
        function_definition(def) {
          if (def.child('name')?.text !== '__reduce__' && def.child('name')?.text !== '__reduce_ex__') return;
          const info = model.functionInfo(def);
          for (const r of info?.returns ?? []) {
            const first = r.type === 'tuple' || r.type === 'expression_list' || r.type === 'parenthesized_expression' ? r.namedChildren[0] : undefined;
            const inner = first?.type === 'tuple' ? first.namedChildren[0] : first;
            if (inner && model.values(inner).some((v) => DANGEROUS_CALLABLES.test(v)))
              context.report({ node: def.child('name') ?? def, message: `__reduce__ makes unpickling call ${inner.text}(): a code-execution payload`, confidence: 'high' });
          }
        },
      },
    };
  },
});

/** Calls whose result says something about a value without carrying it (a size, a flag). */
const REDUCERS = new Set(['len', 'bool', 'int', 'float', 'isinstance', 'type', 'hash', 'id', 'any', 'all']);
const SERIALISERS = /^(json\.dumps|flask\.jsonify|str|repr|yaml\.(safe_)?dump|django\.http\.JsonResponse)$/;

/**
 * The call's result leaves the function as output: returned (a route's return value is the
 * response), or handed to a serialiser, directly or through the variable it is stored in.
 */
function resultSentBack(model: ModuleModel, call: PyNode): boolean {
  const leaves = (expr: PyNode): boolean => {
    for (let p: PyNode | null = expr; p; p = p.parent) {
      if (p.type === 'return_statement') return true;
      if (p.type === 'call' && p !== expr) {
        const q = model.qname(p.child('function')) ?? '';
        if (SERIALISERS.test(q)) return true;
        if (REDUCERS.has(q)) return false;
      }
      if (p.type === 'expression_statement' || p.type === 'block' || p.type === 'assignment' || p.type === 'function_definition') return false;
    }
    return false;
  };
  if (leaves(call)) return true;
  const assignment = call.parent?.type === 'assignment' && call.field === 'right' ? call.parent : undefined;
  const target = assignment?.child('left');
  if (target?.type !== 'identifier') return false;
  const scope = model.enclosingFunction(call)?.node ?? model.root;
  for (const n of scope.walk()) {
    if (n.type !== 'identifier' || n.text !== target.text || n.startIndex <= call.endIndex || n.field === 'attribute') continue;
    if (!model.reaching(n).some((b) => b.node === target)) continue;
    if (leaves(n)) return true;
  }
  return false;
}
