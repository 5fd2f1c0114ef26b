// One agent command from options to outcomes: models, scanners, store, Ctrl-C handling.
import { runAgent, type AgentEvent, type AgentRun, type AgentTask } from '../../agent/index.js';
import { costOf } from '../../llm/pricing.js';
import { openStore } from '../../store/store.js';
import type { RunConfig, RunKind } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { note } from '../output.js';
import { watchInterrupts } from './interrupt.js';
import { describeScanners, modelsFrom, scannersFrom, settingsFrom, type AgentCliOptions, type ChosenScanners, type Models } from './options.js';

export interface SessionInput {
  kind: RunKind;
  options: AgentCliOptions;
  storePath: string;
  tasks: AgentTask[];
  concurrency: number;
  runId?: string;
  config?: RunConfig;
  onEvent?: (event: AgentEvent) => void;
  /** Called once the run id is known (to say how to resume); `resumed` when the run existed before. */
  onStart?: (runId: string, store: Store, resumed: boolean) => void;
  /** Called while the store is still open, before it closes. */
  onFinish?: (run: AgentRun, store: Store) => Promise<void> | void;
  quiet?: boolean;
}

export interface SessionResult {
  run: AgentRun;
  models: Models;
  chosen: ChosenScanners;
  /** The signal that stopped the run, if one did. */
  interruptedBy?: NodeJS.Signals;
}

export async function runAgentSession(input: SessionInput): Promise<SessionResult> {
  // Configuration first: a missing model or key fails before anything is opened or started.
  const models = modelsFrom(input.options, input.concurrency);
  const chosen = await scannersFrom(input.options);
  if (!input.quiet) note(describeScanners(chosen));
  const store = openStore(input.storePath);
  const interrupts = watchInterrupts(() => note('stopping: finishing store writes, cancelling calls in flight (Ctrl-C again to quit at once)'));
  try {
    const run = await runAgent(input.tasks, {
      store,
      runId: input.runId,
      kind: input.kind,
      generator: models.generator,
      repairer: models.repairer,
      scanners: chosen.scanners,
      settings: settingsFrom(input.options),
      concurrency: input.concurrency,
      signal: interrupts.signal,
      onEvent: input.onEvent,
      costOf,
      config: { ...input.config, scannersSkipped: chosen.skipped },
      onRunOpened: (id, resumed) => input.onStart?.(id, store, resumed),
    });
    await input.onFinish?.(run, store);
    return { run, models, chosen, ...(interrupts.received ? { interruptedBy: interrupts.received } : {}) };
  } finally {
    interrupts.dispose();
    store.close();
  }
}
