// `npm run bench -- agent [--latency-ms=200] [--tasks=121] [--k=3] [--concurrency=16]
//   [--serial-tasks=16] [--scanners=builtin,bandit]`
//
// The agent's scaling: Algorithm 1 over SecurityEval's prompts against a local
// OpenAI-compatible endpoint that takes `latency-ms` per reply, at `concurrency` tasks at a
// time versus one at a time. The model writes each task's known-vulnerable completion
// (SecurityEval's Insecure_code) and "repairs" it by answering it unchanged, so every task the
// scanners flag takes all k repair rounds: the most calls the loop can make.
//
// The serial run is measured on the first `serial-tasks` tasks and scaled to the whole set by
// the number of LLM calls (both runs make one call per sample), which keeps the benchmark
// short; pass --serial-tasks=121 to measure it whole.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, outputFileName, type AgentTask } from '../src/agent/index.js';
import { toFolderId } from '../src/tasks/ids.js';
import { createChatModel } from '../src/llm/create.js';
import { createScanners } from '../src/scanners/registry.js';
import { openStore } from '../src/store/store.js';
import { securityEvalPath } from '../src/tasks/datasets.js';
import { startFakeOpenAI, textReply } from '../test/helpers/fake-openai.js';

interface Options {
  latencyMs: number;
  tasks: number;
  k: number;
  concurrency: number;
  serialTasks: number;
  scanners: string;
}

function parse(args: string[]): Options {
  const get = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const int = (name: string, fallback: number) => {
    const n = Number(get(name, String(fallback)));
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  return {
    latencyMs: int('latency-ms', 200),
    tasks: int('tasks', 121),
    k: int('k', 3),
    concurrency: Math.max(1, int('concurrency', 16)),
    serialTasks: Math.max(1, int('serial-tasks', 16)),
    scanners: get('scanners', 'builtin,bandit'),
  };
}

interface Measured {
  wallMs: number;
  calls: number;
  tasks: number;
  statuses: Record<string, number>;
  scannerBatches: Record<string, { batches: number; files: number; largestBatch: number }>;
}

async function measure(tasks: AgentTask[], insecure: Map<string, string>, options: Options, concurrency: number): Promise<Measured> {
  const server = await startFakeOpenAI((request) => {
    const prompt = request.body.messages[0].content as string;
    const task = tasks.find((t) => prompt.includes(t.prompt.trim()) || prompt.includes(insecure.get(t.id)!.trim()));
    const code = task ? insecure.get(task.id)! : 'pass\n';
    return { ...textReply(request, `\`\`\`python\n${code}\n\`\`\``), delayMs: options.latencyMs };
  });
  const dir = mkdtempSync(join(tmpdir(), 'secagent-bench-'));
  const store = openStore(join(dir, 'bench.db'));
  try {
    const model = createChatModel('openai:bench-model', { env: { OPENAI_BASE_URL: server.baseURL }, concurrency });
    const { scanners } = await createScanners(options.scanners.split(','));
    const started = performance.now();
    const run = await runAgent(tasks, {
      store,
      kind: 'run',
      generator: model,
      scanners,
      settings: { maxIterations: options.k, policy: 'any', prompt: 'precise', maxAsks: 3 },
      concurrency,
    });
    const wallMs = performance.now() - started;
    const statuses: Record<string, number> = {};
    for (const o of run.outcomes) statuses[o?.status ?? 'missing'] = (statuses[o?.status ?? 'missing'] ?? 0) + 1;
    return { wallMs, calls: server.requests.length, tasks: tasks.length, statuses, scannerBatches: run.scanner.batchStats() };
  } finally {
    store.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parse(args);
  const all: AgentTask[] = [];
  const insecure = new Map<string, string>();
  for (const line of readFileSync(securityEvalPath(), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { ID: string; Prompt: string; Insecure_code: string };
    const id = toFolderId(row.ID);
    all.push({ id, file: outputFileName(id), prompt: row.Prompt });
    insecure.set(id, row.Insecure_code);
  }
  const tasks = all.slice(0, options.tasks);
  const subset = tasks.slice(0, Math.min(options.serialTasks, tasks.length));
  console.log(
    `agent: ${tasks.length} tasks, k=${options.k}, ${options.latencyMs} ms per reply, scanners ${options.scanners}; ` +
      `concurrency ${options.concurrency} vs 1 (serial measured on ${subset.length} tasks)`,
  );

  const parallel = await measure(tasks, insecure, options, options.concurrency);
  const serial = await measure(subset, insecure, options, 1);
  const serialEstimate = (serial.wallMs / serial.calls) * parallel.calls;
  const waves = Math.ceil(tasks.length / options.concurrency);
  const callsPerTask = parallel.calls / tasks.length;
  const target = waves * callsPerTask * options.latencyMs;
  const lowerBound = (parallel.calls * options.latencyMs) / options.concurrency;

  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`  concurrency ${options.concurrency}: ${s(parallel.wallMs)} for ${parallel.calls} calls; outcomes ${JSON.stringify(parallel.statuses)}`);
  console.log(`    scanner batches: ${JSON.stringify(parallel.scannerBatches)}`);
  console.log(`  serial: ${s(serial.wallMs)} for ${serial.calls} calls on ${serial.tasks} tasks → ${s(serialEstimate)} for all ${parallel.calls} calls (scaled by calls)`);
  console.log(`    scanner batches: ${JSON.stringify(serial.scannerBatches)}`);
  console.log(
    `  target: ceil(${tasks.length}/${options.concurrency}) = ${waves} waves × ${callsPerTask.toFixed(2)} calls per task × ${options.latencyMs} ms = ${s(target)}` +
      ` (calls × latency / concurrency = ${s(lowerBound)}); the sum of all calls is ${s(parallel.calls * options.latencyMs)}`,
  );
  console.log(
    `  speed-up over serial: ${(serialEstimate / parallel.wallMs).toFixed(1)}×; wall time / target: ${(parallel.wallMs / target).toFixed(2)}`,
  );
}
