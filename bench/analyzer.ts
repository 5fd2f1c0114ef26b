// The analyzer's speed: the whole CPython standard library scanned by `secagent scan` and by
// `bandit -r`, alternately, as whole processes (wall time and peak memory from /usr/bin/time),
// then the in-process cost of analysing one generated sample.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeSourceSync, prepareAnalyzer } from '../src/analyzer/index.js';
import { listRq1Samples } from '../src/study/labels.js';
import { REPO, STDLIB_EXCLUDES, median, option, stdlibPath } from './lib/bench-util.js';
import { isSkippedToken } from '../src/analyzer/ast.js';
import { nativeParser, nativeParserStatus } from '../src/analyzer/native-parser.js';

interface Measured {
  seconds: number;
  /** Largest resident set of any one process (what /usr/bin/time reports). */
  peakMiB: number;
  /** Largest sum of the resident sets of the command and all its descendants, sampled every 100 ms. */
  treePeakMiB: number;
  exitCode: number | null;
}

/**
 * Runs a command under /usr/bin/time -v: wall time, the largest single process, and the
 * peak of the whole process tree (a scan that uses worker processes holds several at once).
 */
async function measure(command: string, args: string[]): Promise<Measured> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-v', command, ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  let treePeak = 0;
  const sample = (): void => void (treePeak = Math.max(treePeak, child.pid ? treeRssBytes(child.pid) : 0));
  const timer = setInterval(sample, 100);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (!rss) throw new Error(`could not measure ${command}: ${stderr.slice(-500)}`);
  const peakMiB = Number(rss[1]) / 1024;
  return { seconds, peakMiB, treePeakMiB: Math.max(peakMiB, treePeak / 2 ** 20), exitCode };
}

const PAGE_BYTES = 4096;

/** Resident bytes of a process and all its descendants, from /proc (0 where it cannot be read). */
function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(entry));
      else children.set(ppid, [Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
    } catch {
      // ended
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export async function main(flags: string[]): Promise<void> {
  const rounds = Number(option(flags, 'rounds') ?? 2);
  const stdlib = stdlibPath();
  const work = mkdtempSync(join(tmpdir(), 'secagent-bench-'));
  try {
    const haveBandit = spawnSync('bandit', ['--version'], { encoding: 'utf8' }).status === 0;
    if (!existsSync(join(REPO, 'dist/cli/entry.js'))) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
    console.log(`stdlib: ${stdlib} (excluding ${STDLIB_EXCLUDES.join(', ')}), ${rounds} alternating rounds`);
    const parser = nativeParser(isSkippedToken) ? 'native tree-sitter (native/parser.c)' : `WebAssembly tree-sitter (native parser unavailable: ${nativeParserStatus().why})`;
    console.log(`parser: ${parser}`);

    const secagentArgs = ['bin/secagent.js', 'scan', stdlib, '--exclude', ...STDLIB_EXCLUDES, '--scanners', 'builtin',
      '--format', 'sarif', '--output', join(work, 'secagent.sarif'), '--exit-zero'];
    const banditArgs = ['-r', stdlib, '-x', STDLIB_EXCLUDES.map((e) => join(stdlib, e)).join(','), '-f', 'json', '-o', join(work, 'bandit.json'), '-q'];
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    for (let round = 1; round <= rounds; round++) {
      const a = await measure(process.execPath, secagentArgs);
      ours.push(a);
      console.log(`round ${round}: secagent ${a.seconds.toFixed(1)} s, ${a.treePeakMiB.toFixed(0)} MiB (all processes; largest one ${a.peakMiB.toFixed(0)} MiB), exit ${a.exitCode}`);
      if (haveBandit) {
        const b = await measure('bandit', banditArgs);
        theirs.push(b);
        console.log(`round ${round}: bandit   ${b.seconds.toFixed(1)} s, ${b.peakMiB.toFixed(0)} MiB, exit ${b.exitCode}`);
      }
    }
    const sarif = JSON.parse(readFileSync(join(work, 'secagent.sarif'), 'utf8')) as {
      runs: { results: unknown[]; artifacts?: unknown[]; invocations?: { toolExecutionNotifications?: { message: { text: string } }[] }[] }[];
    };
    const notes = sarif.runs.flatMap((r) => r.invocations ?? []).flatMap((i) => i.toolExecutionNotifications ?? []);
    const crashes = notes.filter((n) => /rule .* failed|threw|crash/i.test(n.message.text));
    console.log(`secagent: ${sarif.runs.reduce((n, r) => n + r.results.length, 0)} findings, ${notes.length} diagnostics, ${crashes.length} rule crashes`);
    for (const crash of crashes.slice(0, 10)) console.log(`  ${crash.message.text}`);
    const oursMedian = median(ours.map((m) => m.seconds));
    if (theirs.length > 0) {
      const theirsMedian = median(theirs.map((m) => m.seconds));
      console.log(`whole process, median wall time: secagent ${oursMedian.toFixed(1)} s, bandit ${theirsMedian.toFixed(1)} s: secagent is ${(theirsMedian / oursMedian).toFixed(1)}x faster (floor 5x)`);
    } else {
      console.log(`whole process: secagent ${oursMedian.toFixed(1)} s; bandit is not installed, no ratio`);
    }
    console.log(`secagent peak memory: ${Math.max(...ours.map((m) => m.treePeakMiB)).toFixed(0)} MiB, all processes together (ceiling 1024 MiB)`);

    await prepareAnalyzer();
    const samples = listRq1Samples(join(REPO, '../shared/datasets/llmsecurecode')).map((s) => readFileSync(s.path, 'utf8'));
    for (const code of samples.slice(0, 50)) analyzeSourceSync(code); // warm-up
    const times: number[] = [];
    for (const code of samples) {
      const t = performance.now();
      analyzeSourceSync(code);
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    console.log(
      `in-process, ${samples.length} generated samples (RQ1): median ${median(times).toFixed(2)} ms, ` +
        `p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms (ceiling 5 ms median)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
