import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const EVALUATORS: Record<string, string> = {
  eval: 'eval()',
  exec: 'exec()',
  compile: 'compile()',
  execfile: 'execfile()',
  'builtins.eval': 'eval()',
  'builtins.exec': 'exec()',
  'code.InteractiveInterpreter.runsource': 'runsource()',
  'code.InteractiveConsole.push': 'push()',
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
      const code = c.arg(0, 'source') ?? c.arg(0, 'expression') ?? c.arg(0, 'object');
      if (!code || model.isConstant(code)) return;
      context.reportTaint({ node: c.node, value: code, kind: 'code', message: `${what} runs code built from {source}` });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, what] of Object.entries(EVALUATORS)) calls[q] = (c) => evaluate(c, what);
    for (const q of IMPORTERS)
      calls[q] = (c) => {
        const name = c.arg(0, 'name');
        if (!name || model.isConstant(name)) return;
        context.reportTaint({ node: c.node, value: name, kind: 'code', message: 'module imported by a name from {source}', cwes: [94, 470] });
      };
    return { calls };
  },
});
