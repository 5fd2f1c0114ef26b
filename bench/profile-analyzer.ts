// Where the built-in analyzer spends its time on a folder (the standard library by default):
// CPU time per phase (parse, tree copy, model, rules, suppressions) and per rule, and the
// slowest files. For a full profile run it under the inspector's sampler:
//
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-analyzer.ts [--dir=PATH] [--top=15] [--rule=ID] [--untimed]
//
// `--untimed` runs the rules without the per-rule timers (which cost a little themselves).
// `--prewarm` resolves every call's qualified names before the rules run (timed as `names`),
// so that cost is not charged to whichever rule asks first.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Parser } from 'web-tree-sitter';
import { collectPythonFiles } from '../src/cli/commands/scan.js';
import { copyDump, copyTree, isSkippedToken, syntaxProblemsIn, type CopiedTree } from '../src/analyzer/ast.js';
import { nativeParser, nativeParserStatus } from '../src/analyzer/native-parser.js';
import { runRules } from '../src/analyzer/engine.js';
import { ModuleModel } from '../src/analyzer/model.js';
import { loadPython, syntaxProblems } from '../src/analyzer/parser.js';
import type { Rule, RuleVisitors } from '../src/analyzer/rule.js';
import { allRules } from '../src/analyzer/rules/index.js';
import { readSuppressions } from '../src/analyzer/suppress.js';
import { TaintEngine } from '../src/analyzer/taint.js';
import { STDLIB_EXCLUDES, option, stdlibPath } from './lib/bench-util.js';

const flags = process.argv.slice(2);
const dir = option(flags, 'dir') ?? stdlibPath();
const top = Number(option(flags, 'top') ?? 15);
const onlyRule = option(flags, 'rule');

const ruleTime = new Map<string, number>();
const charge = (id: string, ms: number): void => void ruleTime.set(id, (ruleTime.get(id) ?? 0) + ms);

/** The same rule with every entry point timed. */
function timed(rule: Rule): Rule {
  const id = rule.meta.id;
  const wrap =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      const t = performance.now();
      try {
        fn(...args);
      } finally {
        charge(id, performance.now() - t);
      }
    };
  return {
    meta: rule.meta,
    check(context) {
      const t = performance.now();
      let visitors: RuleVisitors | void;
      try {
        visitors = rule.check(context);
      } finally {
        charge(id, performance.now() - t);
      }
      if (!visitors) return visitors;
      const out: RuleVisitors = {};
      if (visitors.calls) out.calls = Object.fromEntries(Object.entries(visitors.calls).map(([k, f]) => [k, wrap(f)]));
      if (visitors.call) out.call = wrap(visitors.call);
      if (visitors.nodes) out.nodes = Object.fromEntries(Object.entries(visitors.nodes).map(([k, f]) => [k, wrap(f)]));
      if (visitors.end) out.end = wrap(visitors.end);
      return out;
    },
  };
}

const selected = allRules.filter((r) => !onlyRule || r.meta.id === onlyRule);
const rules = flags.includes('--untimed') ? selected : selected.map(timed);
const native = nativeParser(isSkippedToken);
const language = native ? undefined : await loadPython();
console.log(`parser: ${native ? 'native' : `WebAssembly (${nativeParserStatus().why})`}`);
const { files } = await collectPythonFiles([dir], option(flags, 'dir') ? [] : STDLIB_EXCLUDES);
const phases = { parse: 0, copy: 0, model: 0, names: 0, rules: 0, suppress: 0 };
const prewarm = flags.includes('--prewarm');
const perFile: Array<{ path: string; ms: number; bytes: number }> = [];
let bytes = 0;
const cpu = process.cpuUsage();
const wall = performance.now();
for (const file of files) {
  const code = file.content ?? readFileSync(file.path, 'utf8');
  bytes += code.length;
  const t0 = performance.now();
  let copied: CopiedTree;
  let t1: number;
  if (native) {
    // One call parses and dumps the tree; charged to `parse`, building the PyNodes to `copy`.
    const dump = native.parse(code);
    t1 = performance.now();
    copied = copyDump(dump, code, native);
    syntaxProblemsIn(copied, 5);
  } else {
    const parser = new Parser();
    parser.setLanguage(language!);
    const tree = parser.parse(code)!;
    parser.delete();
    syntaxProblems(tree, 5);
    t1 = performance.now();
    copied = copyTree(tree, code);
    tree.delete();
  }
  const t2 = performance.now();
  const model = new ModuleModel(copied.root, copied.nodes);
  const taint = new TaintEngine(model);
  const tm = performance.now();
  if (prewarm) for (const call of model.calls) void call.qnames;
  const t3 = performance.now();
  runRules(rules, model, taint, file.path);
  const t4 = performance.now();
  readSuppressions(model.byType('comment'));
  const t5 = performance.now();
  phases.parse += t1 - t0;
  phases.copy += t2 - t1;
  phases.model += tm - t2;
  phases.names += t3 - tm;
  phases.rules += t4 - t3;
  phases.suppress += t5 - t4;
  perFile.push({ path: file.path, ms: t5 - t0, bytes: code.length });
}
const used = process.cpuUsage(cpu);
console.log(`${files.length} files, ${(bytes / 1e6).toFixed(1)} MB: ${((performance.now() - wall) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU`);
for (const [phase, ms] of Object.entries(phases)) console.log(`  ${phase.padEnd(9)} ${(ms / 1000).toFixed(2)} s`);
console.log('rules (wall ms, slowest first):');
for (const [id, ms] of [...ruleTime].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${id.padEnd(40)} ${ms.toFixed(0)}`);
console.log('files (slowest first):');
for (const f of perFile.sort((a, b) => b.ms - a.ms).slice(0, top)) console.log(`  ${f.path.padEnd(70)} ${f.ms.toFixed(0)} ms, ${(f.bytes / 1024).toFixed(0)} KiB`);
