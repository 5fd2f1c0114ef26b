// `npm run bench [-- name...]`: runs the named benchmarks (all when none is named).
// Each benchmark measures its contenders side by side in one run and prints ratios.
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  analyzer: async () => (await import('./analyzer.js')).main(process.argv.slice(2).filter((a) => a.startsWith('--'))),
  agent: async () => (await import('./agent.js')).main(process.argv.slice(2).filter((a) => a.startsWith('--'))),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
  console.log(`\n=== ${name} ===`);
  await BENCHMARKS[name]!();
}
