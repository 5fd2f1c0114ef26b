import type { Finding, Task, TaskStatus } from '../core/types.js';
import type { PromptPreset } from '../llm/prompts.js';
import type { VerdictPolicy } from '../scanners/combine.js';

/** A task as the agent runs it: `file` is the name its code is scanned and written under. */
export interface AgentTask extends Task {
  file: string;
}

export interface AgentSettings {
  /** Repair rounds at most (k); 0 = generate (or take the code) and scan only. */
  maxIterations: number;
  policy: VerdictPolicy;
  prompt: PromptPreset;
  /** Sent with every request when set. */
  temperature?: number;
  /** Added to the temperature for each repair round (round r: temperature + r × step). */
  temperatureStep?: number;
  /** Calls per generation or repair round at most, re-asks after a bad reply included (default 3). */
  maxAsks: number;
}

export const DEFAULT_MAX_ITERATIONS = 3;
export const DEFAULT_MAX_ASKS = 3;
/** OpenAI's upper bound; a stepped temperature stops there. */
export const MAX_TEMPERATURE = 2;

export interface FailedRound {
  round: number;
  reason: string;
}

export interface TaskOutcome {
  taskId: string;
  file: string;
  status: TaskStatus;
  /** Why it failed, or what went wrong along the way. */
  reason?: string;
  /** Repair rounds spent, failed ones included. */
  rounds: number;
  failedRounds: FailedRound[];
  /** The last accepted code; absent when none was ever produced. */
  code?: string;
  finalSampleId?: number;
  /** The final code's findings, all of them. */
  findings: Finding[];
  /** Those of the findings that decide the verdict under the policy. */
  countedFindings: Finding[];
  /** Verdict after each round, from round 0 (as generated) to `rounds`. */
  vulnerableByRound: boolean[];
  /** This process's time on the task. */
  wallTimeMs: number;
  /** Found complete in the store (a resumed run): nothing was redone. */
  fromStore: boolean;
}

export type AgentEvent =
  | { type: 'task-start'; taskId: string }
  | { type: 'sample'; taskId: string; round: number; vulnerable: boolean; findings: Finding[]; counted: number; reused: boolean }
  | { type: 'round-failed'; taskId: string; round: number; reason: string }
  | { type: 'task-done'; outcome: TaskOutcome };
