// Options shared by `generate`, `fix` and `run`, and turning them into models, scanners and
// agent settings.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_MAX_ASKS, DEFAULT_MAX_ITERATIONS, MAX_TEMPERATURE, type AgentSettings } from '../../agent/index.js';
import { UserError } from '../../core/types.js';
import { createChatModel, type ChatModelOptions } from '../../llm/create.js';
import { PROMPT_PRESETS, type PromptPreset } from '../../llm/prompts.js';
import type { ChatModel } from '../../llm/types.js';
import { VERDICT_POLICIES, type VerdictPolicy } from '../../scanners/combine.js';
import { createScanners, parseScannerList, type SkippedScanner } from '../../scanners/registry.js';
import type { Scanner } from '../../scanners/types.js';
import { cweValue } from '../cwe-option.js';

export interface AgentCliOptions {
  model?: string;
  repairModel?: string;
  maxIterations: number;
  scanners: string;
  policy: VerdictPolicy;
  cwe?: number;
  prompt: PromptPreset;
  temperature?: number;
  temperatureStep?: number;
  maxAsks: number;
  timeout?: number;
  retries?: number;
  bandit?: string;
}

export const NO_MODEL_MESSAGE =
  'no model configured: pass --model openai:gpt-4o-mini (with OPENAI_API_KEY) or ollama:llama3, or set SECAGENT_MODEL';

export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

function temperatureValue(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_TEMPERATURE) {
    throw new InvalidArgumentError(`expected a number from 0 to ${MAX_TEMPERATURE}`);
  }
  return n;
}

function stepValue(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_TEMPERATURE) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

export { cweValue };

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

/** Adds the loop's options to a command. */
export function addAgentOptions(command: Command): Command {
  return command
    .option('-m, --model <spec>', 'model that writes the code, e.g. openai:gpt-4o-mini (default: $SECAGENT_MODEL)')
    .option('--repair-model <spec>', 'model that repairs it (default: the --model)')
    .option('-k, --max-iterations <k>', 'repair rounds at most', integerAtLeast(0), DEFAULT_MAX_ITERATIONS)
    .option('--scanners <list>', 'scanners: auto, or a list of builtin,bandit,codeql,semgrep', 'auto')
    .addOption(
      new Option('--policy <policy>', 'what counts: any finding (the study), or only the task CWE (along the hierarchy)')
        .choices(VERDICT_POLICIES as string[])
        .default('any'),
    )
    .addOption(new Option('--prompt <preset>', 'repair prompt: the study\'s words, or every finding in detail').choices([...PROMPT_PRESETS]).default('precise'))
    .option('--temperature <t>', 'sampling temperature (default: the provider\'s)', temperatureValue)
    .option('--temperature-step <s>', 'added to the temperature each repair round', stepValue)
    .option('--max-asks <n>', 'calls per round at most, re-asks after an unusable reply included', integerAtLeast(1), DEFAULT_MAX_ASKS)
    .option('--timeout <seconds>', 'per LLM request attempt (default 120)', positiveSeconds)
    .option('--retries <n>', 'retries of a failed LLM request (429, 5xx, timeouts; default 2)', integerAtLeast(0))
    .option('--bandit <path>', 'the bandit executable (default: bandit on PATH)');
}

/** Adds `--cwe` (for commands whose tasks carry no CWE of their own). */
export function addCweOption(command: Command): Command {
  return command.option('--cwe <id>', 'the CWE the code is judged against (policy task-cwe, the repair prompt)', cweValue);
}

export function settingsFrom(options: AgentCliOptions): AgentSettings {
  return {
    maxIterations: options.maxIterations,
    policy: options.policy,
    prompt: options.prompt,
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.temperatureStep !== undefined ? { temperatureStep: options.temperatureStep } : {}),
    maxAsks: options.maxAsks,
  };
}

/** The chat-model options the CLI's --timeout (seconds) and --retries set. */
export function chatModelOptions(options: { concurrency: number; timeout?: number; retries?: number }): ChatModelOptions {
  return {
    concurrency: options.concurrency,
    ...(options.timeout !== undefined ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
    ...(options.retries !== undefined ? { maxRetries: options.retries } : {}),
  };
}

export interface Models {
  generator: ChatModel;
  repairer: ChatModel;
}

/** The generator and repairer; one instance when they are the same model. Bad configuration is a UserError. */
export function modelsFrom(options: AgentCliOptions, concurrency: number, env: NodeJS.ProcessEnv = process.env): Models {
  const spec = options.model?.trim() || env.SECAGENT_MODEL?.trim();
  if (!spec) throw new UserError(NO_MODEL_MESSAGE);
  const modelOptions = { env, ...chatModelOptions({ concurrency, timeout: options.timeout, retries: options.retries }) };
  const generator = createChatModel(spec, modelOptions);
  const repairSpec = options.repairModel?.trim();
  const repairer = repairSpec && repairSpec !== generator.id ? createChatModel(repairSpec, modelOptions) : generator;
  return { generator, repairer };
}

export interface ChosenScanners {
  scanners: Scanner[];
  skipped: SkippedScanner[];
}

export async function scannersFrom(options: AgentCliOptions): Promise<ChosenScanners> {
  const names = parseScannerList(options.scanners);
  if (names !== 'auto' && names.includes('llm')) {
    throw new UserError('the llm scanner is not available in the agent loop yet; use builtin, bandit, codeql or semgrep');
  }
  const created = await createScanners(names, options.bandit ? { bandit: { executable: options.bandit } } : {});
  return { scanners: created.scanners, skipped: created.skipped };
}

/** `scanners: builtin, bandit (not used: codeql: …)`. */
export function describeScanners(chosen: ChosenScanners): string {
  const used = chosen.scanners.map((s) => s.name).join(', ');
  const skipped = chosen.skipped.length ? ` (not used: ${chosen.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
  return `scanners: ${used}${skipped}`;
}
