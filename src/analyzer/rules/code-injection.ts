import type { PyNode } from '../ast.js';
import { exits } from '../guards.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls } from './helpers.js';

const EVALUATORS: Record<string, string> = {
  eval: 'eval()',
  exec: 'exec()',
  compile: 'compile()',
  execfile: 'execfile()',
  'builtins.eval': 'eval()',
  'builtins.exec': 'exec()',
  // The standard library's REPL classes (an InteractiveConsole is an InteractiveInterpreter).
  'code.InteractiveInterpreter.runsource': 'runsource()',
  'code.InteractiveInterpreter.runcode': 'runcode()',
  'code.InteractiveConsole.runsource': 'runsource()',
  'code.InteractiveConsole.runcode': 'runcode()',
  'code.InteractiveConsole.push': 'push()',
  'code.compile_command': 'code.compile_command()',
  // timeit compiles and runs its statement and setup strings.
  'timeit.timeit': 'timeit.timeit()',
  'timeit.repeat': 'timeit.repeat()',
  'timeit.Timer': 'timeit.Timer()',
  // SymPy parses strings with eval(); its documentation warns against untrusted input.
  'sympy.sympify': 'sympy.sympify()',
  'sympy.core.sympify.sympify': 'sympy.sympify()',
  'sympy.parsing.sympy_parser.parse_expr': 'sympy parse_expr()',
  'sympy.parse_expr': 'sympy parse_expr()',
  // numexpr before 2.8.5 evaluated the expression with eval() (CVE-2023-39631).
  'numexpr.evaluate': 'numexpr.evaluate()',
  // JavaScript runtimes driven from Python (PyExecJS, Js2Py): the same hole in another language.
  'execjs.eval': 'execjs.eval()',
  'execjs.exec_': 'execjs.exec_()',
  'execjs.compile': 'execjs.compile()',
  'execjs.compile().eval': 'execjs eval()',
  'execjs.compile().exec_': 'execjs exec_()',
  'js2py.eval_js': 'js2py.eval_js()',
  'js2py.eval_js6': 'js2py.eval_js6()',
};
const IMPORTERS = ['importlib.import_module', '__import__', 'importlib.__import__'];

export default defineRule({
  meta: {
    id: 'py/code-injection',
    cwes: [94, 95],
    severity: 'high',
    confidence: 'high',
    message: 'Python code evaluated from untrusted data',
    fixHint:
      'Never pass input to eval(), exec() or compile(): parse data with ast.literal_eval() or json.loads(), map names to functions with a dict of allowed operations, and use importlib only with module names from a fixed allow-list.',
    doc: 'eval, exec and compile run whatever Python they are given, so input that reaches them runs with the program\'s rights. Even a restricted namespace does not make eval safe. Literal data is parsed safely by ast.literal_eval or json.loads.',
    bandit: ['B307', 'B102'],
  },
  check(context) {
    const { model } = context;
    const evaluate = (c: CallInfo, what: string): void => {
      const code = c.arg(0, 'source') ?? c.arg(0, 'expression') ?? c.arg(0, 'object') ?? ['stmt', 'a', 's', 'ex'].map((k) => c.keywords.get(k)).find((v) => v);
      if (!code || model.isConstant(code)) return;
      if (astAllowListed(model, c.node, code)) return;
      context.reportTaint({ node: c.node, value: code, kind: 'code', message: `${what} runs code built from {source}` });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, what] of Object.entries(EVALUATORS)) calls[q] = (c) => evaluate(c, what);
    // `ctx.call("eval", text)`: the compiled context's own eval, handed the data.
    calls['execjs.compile().call'] = (c) => {
      if (!/^(eval|Function)$/.test(model.constString(c.positional[0]) ?? '')) return;
      for (const a of c.positional.slice(1)) {
        if (model.isConstant(a)) continue;
        if (context.reportTaint({ node: c.node, value: a, kind: 'code', message: 'JavaScript eval() runs code built from {source}' })) return;
      }
    };
    // runpy runs the Python file at a path, or the module of a name, as __main__.
    calls['runpy.run_path'] = (c) => {
      const path = c.arg(0, 'path_name');
      if (path && !model.isConstant(path)) context.reportTaint({ node: c.node, value: path, kind: 'code', message: 'runpy.run_path() runs the Python file at a path from {source}' });
    };
    calls['runpy.run_module'] = (c) => {
      const name = c.arg(0, 'mod_name');
      if (name && !model.isConstant(name)) context.reportTaint({ node: c.node, value: name, kind: 'code', message: 'runpy.run_module() runs a module named by {source}', cwes: [94, 470] });
    };
    // `globals()[name]`, `globals().get(name)`: any function or class of the module, chosen by
    // the data (unsafe reflection), unless the name was checked against an allow-list first.
    const namespaceLookup = (node: PyNode, key: PyNode | undefined): void => {
      if (!key || model.isConstant(key)) return;
      context.reportTaint({ node, value: key, kind: 'code', message: 'object looked up in the module namespace by a name from {source}', cwes: [94, 470] });
    };
    for (const q of ['globals().get', 'locals().get', 'vars().get', 'builtins.globals().get']) calls[q] = (c) => namespaceLookup(c.node, c.arg(0, 'key'));
    for (const q of IMPORTERS)
      calls[q] = (c) => {
        const name = c.arg(0, 'name');
        if (!name || model.isConstant(name)) return;
        context.reportTaint({ node: c.node, value: name, kind: 'code', message: 'module imported by a name from {source}', cwes: [94, 470] });
      };
    return {
      calls,
      nodes: {
        subscript(node) {
          const value = node.child('value');
          if (value?.type !== 'call' || !/^(globals|locals|vars)$/.test(value.child('function')?.text ?? '') || value.child('arguments')?.namedChildren.length) return;
          // Only a read: `globals()[name] = value` defines a name, it does not pick code to run.
          if (node.parent?.type === 'assignment' && node.field === 'left') return;
          namespaceLookup(node, node.childrenOf('subscript')[0]);
        },
      },
    };
  },
});

/**
 * Before the sink, the same source was parsed with `ast.parse` and every node of the tree
 * checked against an allow-list, leaving when one is not allowed:
 * `for n in ast.walk(tree): if not isinstance(n, ALLOWED): raise ...`.
 */
function astAllowListed(model: ModuleModel, sink: PyNode, code: PyNode): boolean {
  // `eval(compile(tree, ...))`, `code = compile(src, ...); exec(code)`: what was compiled runs.
  const made = constructionCalls(model, code);
  if (made.length === 1 && made[0]!.qname === 'compile') code = made[0]!.arg(0, 'source') ?? code;
  const name = code.type === 'identifier' ? code.text : undefined;
  if (!name) return false;
  const scope = model.enclosingFunction(sink)?.node ?? model.root;
  const parsedNames = new Set<string>();
  for (const c of model.calls) {
    if (c.qname !== 'ast.parse' || !scope.contains(c.node) || c.node.startIndex > sink.startIndex) continue;
    const assignment = c.node.parent?.type === 'assignment' ? c.node.parent : undefined;
    const target = assignment?.child('left');
    // The sink runs either the parsed source or the checked tree itself.
    if (target?.type === 'identifier' && (c.arg(0, 'source')?.text === name || target.text === name)) parsedNames.add(target.text);
  }
  if (parsedNames.size === 0) return false;
  for (const loop of scope.walk()) {
    if (loop.type !== 'for_statement' || loop.endIndex > sink.startIndex) continue;
    const walked = loop.child('right');
    if (walked?.type !== 'call' || model.qname(walked.child('function')) !== 'ast.walk') continue;
    if (!parsedNames.has(walked.child('arguments')?.namedChildren[0]?.text ?? '')) continue;
    const item = loop.child('left')?.text;
    for (const st of loop.child('body')?.namedChildren ?? []) {
      if (st.type !== 'if_statement') continue;
      const cond = st.child('condition');
      if (cond && item && rejectsUnlisted(cond, item) && exits(st.child('consequence'), model)) return true;
    }
  }
  return false;
}

/** `not isinstance(n, A)`, or `not isinstance(n, A) and not isinstance(n, B)`: n is none of the allowed types. */
function rejectsUnlisted(cond: PyNode, item: string): boolean {
  if (cond.type === 'parenthesized_expression' && cond.namedChildren[0]) return rejectsUnlisted(cond.namedChildren[0], item);
  if (cond.type === 'boolean_operator' && cond.child('operator')?.text === 'and') {
    const l = cond.child('left');
    const r = cond.child('right');
    return !!l && !!r && rejectsUnlisted(l, item) && rejectsUnlisted(r, item);
  }
  if (cond.type !== 'not_operator') return false;
  const inner = cond.child('argument');
  return inner?.type === 'call' && inner.child('function')?.text === 'isinstance' && inner.child('arguments')?.namedChildren[0]?.text === item;
}
