// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and total time per function,
// with its file and line, slowest first.
//
//   npx tsx bench/cpuprofile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top=40] [--filter=analyzer] [--lines=functionName]
//
// `--lines=name` also lists the hottest source lines (self samples) of functions so named.
import { readFileSync } from 'node:fs';
import { option } from './lib/bench-util.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: cpuprofile-summary.ts FILE [--top=N] [--filter=TEXT]');
  process.exit(2);
}
const top = Number(option(args, 'top') ?? 40);
const filter = option(args, 'filter');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfTime = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) selfTime.set(profile.samples[i]!, (selfTime.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));

const key = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
for (const [id, us] of selfTime) {
  all += us;
  const node = byId.get(id)!;
  self.set(key(node), (self.get(key(node)) ?? 0) + us);
  // Each function on the stack gets the sample once, however often it recurses.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
}
const show = (title: string, map: Map<string, number>): void => {
  console.log(`${title} (of ${(all / 1e6).toFixed(2)} s sampled)`);
  for (const [k, us] of [...map].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${(us / 1e6).toFixed(2).padStart(7)} s ${((100 * us) / all).toFixed(1).padStart(5)}%  ${k}`);
};
show('self time', self);
show('total time', total);

const linesOf = option(args, 'lines');
if (linesOf) {
  const ticks = new Map<string, number>();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName !== linesOf) continue;
    for (const t of n.positionTicks ?? []) {
      const k = `${n.callFrame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${t.line}`;
      ticks.set(k, (ticks.get(k) ?? 0) + t.ticks);
    }
  }
  console.log(`hottest lines of ${linesOf} (self samples)`);
  for (const [k, n] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${String(n).padStart(6)}  ${k}`);
}
