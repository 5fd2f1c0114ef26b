// A fake model and a store for in-process agent tests.
import { runAgent, type AgentRunOptions, type AgentSettings, type AgentTask } from '../../../src/agent/index.js';
import { createChatModel } from '../../../src/llm/create.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { startFakeOpenAI, textReply, type FakeHandler, type FakeReply, type FakeServer, type RecordedRequest } from '../../helpers/fake-openai.js';
import { MarkerScanner } from './marker-scanner.js';

export const SETTINGS: AgentSettings = { maxIterations: 3, policy: 'any', prompt: 'precise', maxAsks: 3 };

/** A SecurityEval-like prompt: a stub function `handle_<n>(cmd)`. */
export function task(n: number, extra: Partial<AgentTask> = {}): AgentTask {
  return {
    id: `CWE-078/task_${n}.py`,
    file: `CWE-078-task_${n}.py`,
    prompt: `import os\n\ndef handle_${n}(cmd):\n    '''Run the command ${n} in a shell'''\n`,
    cwe: 78,
    ...extra,
  };
}

export function fenced(code: string): string {
  return `Sure:\n\n\`\`\`python\n${code.trimEnd()}\n\`\`\`\n`;
}

export interface Asked {
  kind: 'generate' | 'repair';
  /** The task number the request is about (from the function name in it). */
  n: number;
  /** The code the repair request holds (from its python block). */
  code?: string;
  /** User turns so far: 1 for a first ask. */
  turn: number;
  last: string;
  temperature?: number;
}

/** What a request asks, read from its content as a model would. */
export function asked(request: RecordedRequest): Asked {
  const messages: Array<{ role: string; content: string }> = request.body.messages;
  const first = messages[0]!.content;
  const n = Number(/handle_(\d+)/.exec(first)?.[1] ?? -1);
  const code = /```python\n([\s\S]*?)\n```/.exec(first)?.[1];
  return {
    kind: first.startsWith('You are a programming assistant') ? 'generate' : 'repair',
    n,
    ...(code !== undefined ? { code } : {}),
    turn: messages.filter((m) => m.role === 'user').length,
    last: messages[messages.length - 1]!.content,
    temperature: request.body.temperature,
  };
}

/** Generated code for task n with `markers` weaknesses. */
export function vulnerableCode(n: number, markers: number): string {
  const lines = Array.from({ length: markers }, (_, i) => `    os.system(cmd)  # VULN step ${i}`);
  return `import os\n\ndef handle_${n}(cmd):\n${lines.join('\n')}\n    return cmd\n`;
}

/** A model that generates `markers` weaknesses and removes one per repair. */
export function stepwiseModel(markers = 2): FakeHandler {
  return (request) => {
    const a = asked(request);
    if (a.kind === 'generate') return textReply(request, fenced(vulnerableCode(a.n, markers)));
    const lines = (a.code ?? '').split('\n');
    const i = lines.findIndex((l) => l.includes('VULN'));
    if (i >= 0) lines[i] = lines[i]!.replace(/os\.system\(cmd\)\s+# VULN/, 'print(cmd)  # fixed');
    return textReply(request, fenced(lines.join('\n')));
  };
}

/** A stable identity for a request: what decides the answer. */
export function requestKey(request: RecordedRequest): string {
  const { model, messages, temperature } = request.body;
  return JSON.stringify({ model, messages, temperature });
}

export interface Harness {
  server: FakeServer;
  store: Store;
  scanner: MarkerScanner;
  run(tasks: AgentTask[], options?: Partial<AgentRunOptions>): ReturnType<typeof runAgent>;
  close(): Promise<void>;
}

export async function harness(handler: FakeHandler, options: { storeFile?: string; store?: Store; scanner?: MarkerScanner } = {}): Promise<Harness> {
  const server = await startFakeOpenAI(handler);
  const store = options.store ?? openStore(options.storeFile ?? ':memory:');
  const scanner = options.scanner ?? new MarkerScanner();
  const modelOptions = { env: { OPENAI_BASE_URL: server.baseURL }, retryDelayMs: 5, maxRetryDelayMs: 20 };
  const generator = createChatModel('openai:gen-model', modelOptions);
  const repairer = createChatModel('openai:repair-model', modelOptions);
  return {
    server,
    store,
    scanner,
    run: (tasks, runOptions = {}) =>
      runAgent(tasks, { store, kind: 'run', generator, repairer, scanners: [scanner], settings: SETTINGS, concurrency: 2, batchWindowMs: 2, ...runOptions }),
    close: async () => {
      await server.close();
      if (!options.store) store.close();
    },
  };
}

export function status(code: number, headers: Record<string, string> = {}): FakeReply {
  return { status: code, headers, body: { error: { message: `fake ${code}` } } };
}
