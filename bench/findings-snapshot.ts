// Records every finding of the built-in analyzer on a fixed corpus, so an optimisation can be
// checked to change nothing: the RQ1 and RQ3 study samples, SecurityEval's insecure examples
// and the CPython standard library (without test/ and site-packages/).
//
//   npx tsx bench/findings-snapshot.ts --out=/tmp/after.tsv [--root=/tmp/base] [--sets=rq1,rq3,securityeval,stdlib]
//   npx tsx bench/findings-snapshot.ts --compare /tmp/before.tsv /tmp/after.tsv
//
// `--root` analyses with another checkout's analyzer (a `git worktree` of the commit before
// a change), so both snapshots can use the same rules. Each line holds the file, rule, start,
// end, severity, confidence and a digest of the whole finding (message, fix hint, flow).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { REPO, STDLIB_EXCLUDES, option, stdlibPath } from './lib/bench-util.js';

interface CorpusFile {
  /** Stable name in the snapshot: the set, then a path relative to the set's root. */
  name: string;
  content: string;
}

type AnalyzerModule = typeof import('../src/analyzer/index.js');

const DATASETS = resolve(REPO, '../shared/datasets');

function pythonFilesUnder(dir: string, skipTopLevel: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string, top: boolean): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (top && skipTopLevel.includes(entry.name)) continue;
        if (entry.name === '__pycache__') continue;
        walk(path, false);
      } else if (entry.isFile() && entry.name.endsWith('.py')) out.push(path);
    }
  };
  walk(dir, true);
  return out;
}

function readText(path: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    return undefined;
  }
}

function corpus(sets: readonly string[]): CorpusFile[] {
  const files: CorpusFile[] = [];
  const addFolder = (set: string, root: string, folders: string[], skip: readonly string[] = []): void => {
    for (const folder of folders)
      for (const path of pythonFilesUnder(join(root, folder), skip)) {
        const content = readText(path);
        if (content !== undefined) files.push({ name: `${set}:${relative(root, path)}`, content });
      }
  };
  const study = join(DATASETS, 'llmsecurecode');
  const under = (dir: string, prefix: string): string[] =>
    readdirSync(dir)
      .filter((d) => d.startsWith(prefix) && statSync(join(dir, d)).isDirectory())
      .sort();
  if (sets.includes('rq1')) addFolder('rq1', join(study, 'RQ1'), under(join(study, 'RQ1'), 'generatedCode_'));
  if (sets.includes('rq3')) addFolder('rq3', join(study, 'RQ3'), under(join(study, 'RQ3'), 'fixedCodes_'));
  if (sets.includes('securityeval'))
    for (const line of readFileSync(join(DATASETS, 'securityeval/dataset.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const task = JSON.parse(line) as { ID: string; Insecure_code: string };
      files.push({ name: `securityeval:${task.ID}`, content: task.Insecure_code });
    }
  if (sets.includes('stdlib')) {
    const root = stdlibPath();
    addFolder('stdlib', root, ['.'], STDLIB_EXCLUDES);
  }
  return files;
}

async function snapshot(flags: string[]): Promise<void> {
  const root = resolve(option(flags, 'root') ?? REPO);
  const out = option(flags, 'out') ?? '/tmp/secagent-findings.tsv';
  const sets = (option(flags, 'sets') ?? 'rq1,rq3,securityeval,stdlib').split(',');
  const analyzer = (await import(pathToFileURL(join(root, 'src/analyzer/index.ts')).href)) as AnalyzerModule;
  await analyzer.prepareAnalyzer();
  const files = corpus(sets);
  const lines: string[] = [];
  let findings = 0;
  let diagnostics = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (const file of files) {
    const r = analyzer.analyzeSourceSync(file.content, { file: file.name });
    for (const f of r.findings) {
      const digest = createHash('sha1').update(JSON.stringify(f)).digest('hex').slice(0, 12);
      lines.push([f.file, f.ruleId, `${f.line}:${f.column}`, `${f.endLine}:${f.endColumn}`, f.severity, f.confidence, digest].join('\t'));
      findings++;
    }
    for (const d of r.diagnostics) {
      lines.push([d.file ?? '', 'diagnostic', d.line ?? '', '', '', '', d.message].join('\t'));
      diagnostics++;
    }
    if (r.suppressed) lines.push([file.name, 'suppressed', String(r.suppressed)].join('\t'));
  }
  const cpu = process.cpuUsage(cpuStart);
  writeFileSync(out, lines.join('\n') + '\n');
  console.log(
    `${root}: ${files.length} files (${sets.join(', ')}), ${findings} findings, ${diagnostics} diagnostics, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU → ${out}`,
  );
}

function compare(before: string, after: string): void {
  const a = readFileSync(before, 'utf8').split('\n').filter(Boolean);
  const b = readFileSync(after, 'utf8').split('\n').filter(Boolean);
  const inB = new Set(b);
  const inA = new Set(a);
  const gone = a.filter((l) => !inB.has(l));
  const added = b.filter((l) => !inA.has(l));
  const orderSame = gone.length === 0 && added.length === 0 && a.every((l, i) => l === b[i]);
  console.log(`${before}: ${a.length} lines; ${after}: ${b.length} lines; ${gone.length} only before, ${added.length} only after${orderSame ? ', same order' : ''}`);
  for (const l of gone.slice(0, 30)) console.log(`- ${l}`);
  for (const l of added.slice(0, 30)) console.log(`+ ${l}`);
  if (!orderSame) process.exitCode = 1;
}

const flags = process.argv.slice(2);
if (flags[0] === '--compare') compare(flags[1]!, flags[2]!);
else await snapshot(flags);
