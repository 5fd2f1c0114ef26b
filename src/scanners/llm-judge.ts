// LLM-as-scanner: asks a chat model whether each file has the CWE of its task (the study's RQ2 detection).
import pLimit from 'p-limit';
import type { Finding, Level, Usage } from '../core/types.js';
import { formatCwe } from '../core/types.js';
import type { ChatMessage, ChatModel, ChatResponse } from '../llm/types.js';
import { findingSpan } from './source-lines.js';
import type { Diagnostic, ScanOptions, ScanResult, Scanner, SourceFile } from './types.js';

export interface JudgedCwe {
  id: number;
  name: string;
}

export interface LlmJudgeCall {
  file: SourceFile;
  cwe: JudgedCwe;
  response: ChatResponse;
  verdict: boolean | undefined;
}

export interface LlmJudgeOptions {
  model: ChatModel;
  /** The CWE to ask about for a file (a batch mixes tasks); undefined skips the file with a diagnostic. */
  cweFor(file: SourceFile): number | undefined;
  cweName(id: number): string | undefined;
  /** Builds the detection prompt (the study's prompt lives in src/llm/prompts.ts). */
  detectionPrompt(code: string, cwe: JudgedCwe): ChatMessage[];
  /** true = vulnerable, false = not, undefined = could not tell from the answer. */
  parseAnswer(text: string): boolean | undefined;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  temperature?: number;
  maxTokens?: number;
  /** Severity given to a positive verdict. Default medium. */
  severity?: Level;
  /** Called after every answered request (for storing calls and cost). */
  onCall?(call: LlmJudgeCall): void;
}

export const LLM_JUDGE_RULE_ID = 'llm/judge';

export class LlmJudgeScanner implements Scanner {
  readonly name = 'llm';
  /** Tokens spent by this scanner so far. */
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private readonly options: LlmJudgeOptions;

  constructor(options: LlmJudgeOptions) {
    const concurrency = options.concurrency ?? 4;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`llm judge concurrency must be a positive integer, got ${concurrency}`);
    }
    this.options = { ...options, concurrency };
  }

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async scan(files: SourceFile[], scanOptions: ScanOptions = {}): Promise<ScanResult> {
    const limit = pLimit(this.options.concurrency ?? 4);
    const outcomes = await Promise.all(files.map((file) => limit(() => this.judge(file, scanOptions.signal))));
    const result: ScanResult = { findings: [], diagnostics: [], suppressed: 0 };
    for (const outcome of outcomes) {
      if (outcome.finding) result.findings.push(outcome.finding);
      if (outcome.diagnostic) result.diagnostics.push(outcome.diagnostic);
    }
    return result;
  }

  private async judge(file: SourceFile, signal: AbortSignal | undefined): Promise<{ finding?: Finding; diagnostic?: Diagnostic }> {
    signal?.throwIfAborted();
    const { model } = this.options;
    const cweId = this.options.cweFor(file);
    if (cweId === undefined) {
      return { diagnostic: { scanner: this.name, file: file.path, message: 'no CWE to ask the judge about; file not judged' } };
    }
    const cwe: JudgedCwe = { id: cweId, name: this.options.cweName(cweId) ?? formatCwe(cweId) };
    const response = await model.chat({
      messages: this.options.detectionPrompt(file.content, cwe),
      temperature: this.options.temperature,
      maxTokens: this.options.maxTokens,
      signal,
    });
    this.usage.inputTokens += response.usage.inputTokens;
    this.usage.outputTokens += response.usage.outputTokens;
    const verdict = this.options.parseAnswer(response.text);
    this.options.onCall?.({ file, cwe, response, verdict });

    if (verdict === undefined) {
      return {
        diagnostic: {
          scanner: this.name,
          file: file.path,
          message: `${model.id} gave no clear answer about ${formatCwe(cwe.id)}: ${excerpt(response.text)}`,
        },
      };
    }
    if (!verdict) return {};
    return {
      finding: {
        scanner: this.name,
        ruleId: LLM_JUDGE_RULE_ID,
        cwes: [cwe.id],
        severity: this.options.severity ?? 'medium',
        confidence: 'low',
        message: `${model.id} judged this code vulnerable to ${formatCwe(cwe.id)} (${cwe.name})`,
        file: file.path,
        // The verdict is about the whole file: the span of its first line.
        ...findingSpan(file.content, 1, 1, 1),
      },
    };
  }
}

function excerpt(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine || '(empty answer)';
}
