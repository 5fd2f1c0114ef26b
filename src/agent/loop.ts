// Algorithm 1 for one task: generate (or take the given code), scan, and while the verdict is
// "vulnerable" and rounds remain, repair with the findings as feedback and scan again.
//
// Every step is in the store as soon as it completes: the LLM call (CachedChatModel), the
// sample, its findings and verdict. Run again with the same run id, the task picks up from
// what is stored: stored samples and verdicts are reused, and the calls between them (a
// rejected reply, a failed round) are answered from the call cache, so nothing paid or
// scanned is repeated and the outcome is the same as without the interruption.
import { UserError, type Finding } from '../core/types.js';
import { cweName } from '../cwe/index.js';
import { LlmError } from '../llm/errors.js';
import { generationMessages, repairMessages, type PromptPreset, type RepairContext } from '../llm/prompts.js';
import { countedFindings } from '../scanners/combine.js';
import { ScannerError } from '../scanners/process.js';
import type { CachedChatModel } from '../store/cached-model.js';
import type { StoredSample } from '../store/records.js';
import type { Store } from '../store/store.js';
import { apiBreak, protectedNamesOf } from './api-shape.js';
import { askForUsableCode, NoUsableReplyError } from './ask.js';
import type { SampleScanner } from './sample-scanner.js';
import { MAX_TEMPERATURE, type AgentEvent, type AgentSettings, type AgentTask, type FailedRound, type TaskOutcome } from './types.js';

/** The judge name of the verdicts the agent stores on its samples. */
export const AGENT_JUDGE = 'agent';
/** The model name of a round-0 sample that was given, not generated (`fix`). */
export const INPUT_MODEL = 'input';

export interface TaskContext {
  store: Store;
  runId: string;
  generator: CachedChatModel;
  repairer: CachedChatModel;
  scanner: SampleScanner;
  settings: AgentSettings;
  /** Added to every call's cache attempt (see AgentRunOptions.attemptBase). */
  attemptBase?: number;
  signal?: AbortSignal;
  emit(event: AgentEvent): void;
}

interface Scanned {
  sample: StoredSample;
  findings: Finding[];
  counted: Finding[];
  vulnerable: boolean;
}

/** A step of the task failed for good; the task is recorded as failed with this reason. */
class TaskFailure extends Error {}

export function temperatureFor(settings: AgentSettings, round: number): number | undefined {
  if (settings.temperature === undefined && !settings.temperatureStep) return undefined;
  const t = (settings.temperature ?? 0) + (settings.temperatureStep ?? 0) * round;
  return Math.min(MAX_TEMPERATURE, Math.round(t * 1000) / 1000);
}

export async function runTask(task: AgentTask, ctx: TaskContext): Promise<TaskOutcome> {
  const started = performance.now();
  const stored = ctx.store.getTask(ctx.runId, task.id);
  if (stored && (stored.status === 'secure' || stored.status === 'vulnerable') && stored.finalSampleId !== undefined) {
    const outcome = outcomeFromStore(task, ctx, stored.status, stored.rounds, stored.reason, stored.finalSampleId);
    ctx.emit({ type: 'task-done', outcome });
    return outcome;
  }
  ctx.emit({ type: 'task-start', taskId: task.id });

  const samples = new Map<number, StoredSample>();
  for (const sample of ctx.store.listSamples(ctx.runId, task.id)) if (!samples.has(sample.round)) samples.set(sample.round, sample);

  const failedRounds: FailedRound[] = [];
  const vulnerableByRound: boolean[] = [];
  let current: Scanned | undefined;
  let rounds = 0;

  const finish = (status: TaskOutcome['status'], reason?: string): TaskOutcome => {
    ctx.store.updateTask(ctx.runId, task.id, {
      status,
      reason: reason ?? null,
      rounds,
      finalSampleId: current?.sample.id ?? null,
    });
    const outcome: TaskOutcome = {
      taskId: task.id,
      file: task.file,
      status,
      ...(reason ? { reason } : {}),
      rounds,
      failedRounds,
      ...(current ? { code: current.sample.code, finalSampleId: current.sample.id } : {}),
      findings: current?.findings ?? [],
      countedFindings: current?.counted ?? [],
      vulnerableByRound,
      wallTimeMs: Math.round(performance.now() - started),
      fromStore: false,
    };
    ctx.emit({ type: 'task-done', outcome });
    return outcome;
  };

  // What the task was doing, for the reason of a failure.
  let step = 'generation';
  try {
    let sample = samples.get(0) ?? (await firstSample(task, ctx));
    step = 'scanning round 0';
    current = await scanned(sample, task, ctx, samples.has(0));
    vulnerableByRound.push(current.vulnerable);
    const protectedNames = await protectedNamesFor(task, sample.code);

    while (current.vulnerable && rounds < ctx.settings.maxIterations) {
      rounds++;
      step = `round ${rounds}`;
      const existing = samples.get(rounds);
      if (existing) {
        sample = existing;
      } else {
        const repaired = await repair(task, ctx, current, rounds, protectedNames);
        if (typeof repaired === 'string') {
          failedRounds.push({ round: rounds, reason: repaired });
          vulnerableByRound.push(current.vulnerable);
          ctx.emit({ type: 'round-failed', taskId: task.id, round: rounds, reason: repaired });
          ctx.store.updateTask(ctx.runId, task.id, { rounds });
          continue;
        }
        sample = repaired;
      }
      step = `scanning round ${rounds}`;
      current = await scanned(sample, task, ctx, Boolean(existing));
      vulnerableByRound.push(current.vulnerable);
      ctx.store.updateTask(ctx.runId, task.id, { rounds });
    }
  } catch (error) {
    if (ctx.signal?.aborted || error instanceof UserError) throw error;
    if (error instanceof TaskFailure) return finish('failed', error.message);
    if (error instanceof LlmError || error instanceof ScannerError) return finish('failed', `${step}: ${error.message}`);
    return finish('failed', `${step}: internal error: ${error instanceof Error ? error.message : String(error)}`);
  }

  return finish(current.vulnerable ? 'vulnerable' : 'secure', describeRounds(current, rounds, failedRounds, ctx.settings.maxIterations));
}

async function firstSample(task: AgentTask, ctx: TaskContext): Promise<StoredSample> {
  let code: string;
  let llmCallId: number | undefined;
  let model: string;
  if (task.code !== undefined) {
    code = task.code;
    model = INPUT_MODEL;
  } else {
    try {
      const answer = await askForUsableCode(ctx.generator, generationMessages(task.prompt, ctx.settings.prompt), {
        maxAsks: ctx.settings.maxAsks,
        temperature: temperatureFor(ctx.settings, 0),
        signal: ctx.signal,
        ...(ctx.attemptBase ? { attempt: ctx.attemptBase } : {}),
        context: { runId: ctx.runId, taskId: task.id, round: 0, purpose: 'generate' },
      });
      code = answer.code;
      llmCallId = answer.callId;
      model = ctx.generator.id;
    } catch (error) {
      if (error instanceof NoUsableReplyError) throw new TaskFailure(`generation: ${error.message}`);
      throw error;
    }
  }
  const id = ctx.store.insertSample({ runId: ctx.runId, taskId: task.id, round: 0, model, code, llmCallId });
  return ctx.store.getSample(id)!;
}

/**
 * A repair of `current`, stored as the round's sample; or, when no reply was acceptable
 * (no code, no parse, the task's functions broken), the reason as a string: a failed round.
 */
async function repair(
  task: AgentTask,
  ctx: TaskContext,
  current: Scanned,
  round: number,
  protectedNames: ReadonlySet<string>,
): Promise<StoredSample | string> {
  // The study's prompt names a CWE; with none known (no task CWE, findings without one) only
  // the detailed prompt can say what is wrong.
  const named = task.cwe !== undefined || current.counted.some((f) => f.cwes.length > 0);
  const preset = ctx.settings.prompt === 'paper' && !named ? 'precise' : ctx.settings.prompt;
  const messages = repairMessages(current.sample.code, repairContext(task, current.counted, preset), preset);
  try {
    const answer = await askForUsableCode(ctx.repairer, messages, {
      maxAsks: ctx.settings.maxAsks,
      temperature: temperatureFor(ctx.settings, round),
      signal: ctx.signal,
      // The same code may be repaired again next round after a failed one: a distinct ask.
      attempt: (ctx.attemptBase ?? 0) + round,
      context: { runId: ctx.runId, taskId: task.id, round, purpose: 'repair' },
      accept: (code) => apiBreak(current.sample.code, code, protectedNames),
    });
    const id = ctx.store.insertSample({
      runId: ctx.runId,
      taskId: task.id,
      round,
      model: ctx.repairer.id,
      code: answer.code,
      parentId: current.sample.id,
      llmCallId: answer.callId,
    });
    return ctx.store.getSample(id)!;
  } catch (error) {
    if (error instanceof NoUsableReplyError) return `repair not accepted: ${error.message}`;
    throw error;
  }
}

function repairContext(task: AgentTask, counted: Finding[], preset: PromptPreset): RepairContext {
  const cwe = task.cwe !== undefined ? { id: task.cwe, name: cweName(task.cwe) } : undefined;
  if (preset === 'precise') return { cwe, findings: counted, cweNames: cweName };
  // The study's prompt names CWEs only: those the scanners found, else the task's.
  if (counted.some((f) => f.cwes.length > 0)) return { findings: counted, cweNames: cweName };
  return { cwe, findings: counted, cweNames: cweName };
}

/** The task's own functions and classes: those of its prompt, else those of its first code. */
async function protectedNamesFor(task: AgentTask, firstCode: string): Promise<Set<string>> {
  if (task.code === undefined) {
    const fromPrompt = await protectedNamesOf(task.prompt);
    if (fromPrompt.size > 0) return fromPrompt;
  }
  return protectedNamesOf(firstCode);
}

/** The sample's findings and verdict: from the store when it was judged before, else scanned now and stored. */
async function scanned(sample: StoredSample, task: AgentTask, ctx: TaskContext, mayBeStored: boolean): Promise<Scanned> {
  const verdictOptions = { policy: ctx.settings.policy, taskCwe: task.cwe };
  if (mayBeStored) {
    const verdict = ctx.store.getVerdicts(sample.id).find((v) => v.judge === AGENT_JUDGE);
    if (verdict) {
      const findings: Finding[] = ctx.store.getFindings(sample.id).map(({ id: _id, sampleId: _sampleId, ...f }) => f);
      const counted = countedFindings(findings, verdictOptions);
      ctx.emit({ type: 'sample', taskId: task.id, round: sample.round, vulnerable: verdict.vulnerable, findings, counted: counted.length, reused: true });
      return { sample, findings, counted, vulnerable: verdict.vulnerable };
    }
  }
  const result = await ctx.scanner.scan({ path: task.file, content: sample.code }, ctx.signal);
  const counted = countedFindings(result.findings, verdictOptions);
  const vulnerable = counted.length > 0;
  ctx.store.transaction(() => {
    ctx.store.deleteFindings(sample.id);
    ctx.store.insertFindings(sample.id, result.findings);
    ctx.store.putVerdict({
      sampleId: sample.id,
      judge: AGENT_JUDGE,
      vulnerable,
      detail: {
        policy: ctx.settings.policy,
        scanners: ctx.scanner.names,
        counted: counted.length,
        ...(result.diagnostics.length ? { diagnostics: result.diagnostics } : {}),
      },
    });
  });
  ctx.emit({ type: 'sample', taskId: task.id, round: sample.round, vulnerable, findings: result.findings, counted: counted.length, reused: false });
  return { sample, findings: result.findings, counted, vulnerable };
}

function describeRounds(current: Scanned, rounds: number, failed: FailedRound[], k: number): string | undefined {
  const parts: string[] = [];
  if (current.vulnerable) {
    parts.push(
      k === 0
        ? `${current.counted.length} ${current.counted.length === 1 ? 'finding' : 'findings'}, no repair rounds allowed`
        : `${current.counted.length} ${current.counted.length === 1 ? 'finding' : 'findings'} left after ${rounds} ${rounds === 1 ? 'round' : 'rounds'}`,
    );
  }
  // Rounds that failed for the same reason are named together.
  const byReason = new Map<string, number[]>();
  for (const f of failed) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.round]);
  for (const [reason, list] of byReason) parts.push(`${list.length === 1 ? 'round' : 'rounds'} ${list.join(', ')} failed: ${reason}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** The outcome of a task the store already has complete. */
function outcomeFromStore(
  task: AgentTask,
  ctx: TaskContext,
  status: 'secure' | 'vulnerable',
  rounds: number,
  reason: string | undefined,
  finalSampleId: number,
): TaskOutcome {
  const final = ctx.store.getSample(finalSampleId)!;
  const findings: Finding[] = ctx.store.getFindings(finalSampleId).map(({ id: _id, sampleId: _sampleId, ...f }) => f);
  return {
    taskId: task.id,
    file: task.file,
    status,
    ...(reason ? { reason } : {}),
    rounds,
    failedRounds: [],
    code: final.code,
    finalSampleId,
    findings,
    countedFindings: countedFindings(findings, { policy: ctx.settings.policy, taskCwe: task.cwe }),
    vulnerableByRound: vulnerableByRoundFromStore(ctx.store, ctx.runId, task.id, rounds),
    wallTimeMs: 0,
    fromStore: true,
  };
}

/** Verdicts after rounds 0..rounds from the stored samples; a round without a sample kept the previous code. */
export function vulnerableByRoundFromStore(store: Store, runId: string, taskId: string, rounds: number): boolean[] {
  const verdictOf = new Map<number, boolean>();
  for (const sample of store.listSamples(runId, taskId)) {
    if (verdictOf.has(sample.round)) continue;
    const verdict = store.getVerdicts(sample.id).find((v) => v.judge === AGENT_JUDGE);
    if (verdict) verdictOf.set(sample.round, verdict.vulnerable);
  }
  const out: boolean[] = [];
  let last: boolean | undefined;
  for (let r = 0; r <= rounds; r++) {
    if (verdictOf.has(r)) last = verdictOf.get(r);
    if (last === undefined) break;
    out.push(last);
  }
  return out;
}
