import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

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
    calls['numpy.load'] = (c) => {
      if (model.constValue(c.keywords.get('allow_pickle')) === true) load(c, c.arg(0, 'file'), 'numpy.load(allow_pickle=True)');
    };
    for (const q of ['yaml.load', 'yaml.load_all'])
      calls[q] = (c) => {
        const loader = c.arg(1, 'Loader');
        const names = loader ? model.values(loader) : [];
        if (names.some((n) => SAFE_YAML_LOADERS.has(n))) return;
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
