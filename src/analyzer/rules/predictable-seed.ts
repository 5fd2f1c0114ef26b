import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { moduleUsesPrngForSecurity } from './random-use.js';
import { callNames, constNumber, walkValue } from './value-flow.js';

const SEEDING = /^(random\.seed|random\.Random|random\.Random(\(\))?\.seed|numpy\.random\.seed|numpy\.random\.default_rng|numpy\.random\.RandomState)$/;
const TIME_SOURCES = /^(time\.(time|time_ns|monotonic|perf_counter|clock|localtime|gmtime)|datetime\.datetime\.(now|utcnow|today)|datetime\.date\.today|os\.getpid|os\.times)$/;
const OS_ENTROPY = /^(os\.urandom|secrets\.token_bytes|secrets\.randbits|secrets\.token_hex|secrets\.randbelow)$/;

type SeedKind = { kind: 'constant' | 'time' | 'small'; bits?: number };

function classifySeed(model: ModuleModel, seed: PyNode): SeedKind | undefined {
  if (model.isConstant(seed)) return { kind: 'constant' };
  let result: SeedKind | undefined;
  walkValue(model, seed, (n) => {
    if (result) return false;
    const info = n.type === 'call' ? model.call(n) : undefined;
    if (!info) return true;
    const names = callNames(model, info);
    if (names.some((q) => TIME_SOURCES.test(q))) {
      result = { kind: 'time' };
      return false;
    }
    const entropy = names.find((q) => OS_ENTROPY.test(q));
    if (entropy) {
      const n = constNumber(model, info.positional[0]);
      const bits = n === undefined ? undefined : entropy.endsWith('randbits') ? n : entropy.endsWith('randbelow') ? Math.log2(n) : n * 8;
      if (bits !== undefined && bits < 64) result = { kind: 'small', bits };
      return false;
    }
    return true;
  });
  return result;
}

export default defineRule({
  meta: {
    id: 'py/predictable-seed',
    cwes: [339, 335],
    severity: 'high',
    confidence: 'high',
    message: 'Random generator seeded with a small or predictable seed',
    fixHint:
      "Do not seed a generator to make secrets: take keys and tokens from secrets.token_bytes(32) / os.urandom(32) directly. Seeding with a constant, the time or a few bytes leaves an attacker only a small number of seeds to try.",
    doc: 'Everything a pseudo-random generator produces follows from its seed. A constant seed gives the same values on every run, a time-based seed can be guessed to within a few thousand candidates, and a seed of a few bytes (os.urandom(2)) has only 65536 possibilities, so keys or tokens derived from it can be enumerated.',
  },
  check(context) {
    const { model } = context;
    const memo = new Map<'random' | 'numpy', boolean>();
    const usedForSecurity = (family: 'random' | 'numpy'): boolean => {
      if (!memo.has(family)) memo.set(family, moduleUsesPrngForSecurity(model, family));
      return memo.get(family)!;
    };
    return {
      call(c) {
        const names = callNames(model, c);
        if (!names.some((q) => SEEDING.test(q))) return;
        const family = names.some((q) => q.startsWith('numpy.')) ? 'numpy' : 'random';
        const seed = c.arg(0, c.keywords.has('a') ? 'a' : 'seed');
        if (!seed) return;
        const kind = classifySeed(model, seed);
        if (!kind) return;
        if (kind.kind === 'small') return context.report({ node: c.node, message: `Generator seeded with only ${kind.bits} bits of entropy`, cwes: [339, 335] });
        // Constant and time seeds are normal in simulations and tests: report them where the module uses the generator for secrets.
        if (!usedForSecurity(family)) return;
        if (kind.kind === 'constant') context.report({ node: c.node, message: 'Generator seeded with a constant while its output is used for security', cwes: [336, 335] });
        else context.report({ node: c.node, message: 'Generator seeded with the time while its output is used for security', cwes: [337, 335] });
      },
    };
  },
});
