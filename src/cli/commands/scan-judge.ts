// The LLM judge of `secagent scan --scanners llm --judge-model <spec>`: the study's detection
// question (RQ2) about one CWE per file, asked through the run store, so every call is recorded
// and an identical question is answered from the store instead of being paid twice.
import { cweOfTaskId, UserError } from '../../core/types.js';
import { cweName } from '../../cwe/index.js';
import { createChatModel } from '../../llm/create.js';
import { costOf } from '../../llm/pricing.js';
import { detectionMessages, parseDetectionAnswer } from '../../llm/prompts.js';
import type { LlmJudgeOptions } from '../../scanners/llm-judge.js';
import { CachedChatModel } from '../../store/cached-model.js';
import { openStore } from '../../store/store.js';

export interface ScanJudge {
  options: LlmJudgeOptions;
  close(): void;
}

/** The CWE named by a file's name, else by its folder's (`CWE-089_author_1.py`, `CWE-089/author_1.py`). */
export function cweOfPath(path: string): number | undefined {
  const parts = path.split(/[\\/]/);
  return cweOfTaskId(parts[parts.length - 1] ?? '') ?? cweOfTaskId(parts[parts.length - 2] ?? '');
}

/**
 * The judge's options. It asks about `cwe` when given, else about the CWE a file's path names
 * (SecurityEval style, `CWE-089/author_1.py`); a file with neither is left unjudged with a note.
 */
export function scanJudge(spec: string | undefined, cwe: number | undefined, storePath: string): ScanJudge {
  if (!spec?.trim()) throw new UserError('--scanners llm needs a model to ask: add --judge-model openai:gpt-4o-mini (or another model specifier)');
  const model = createChatModel(spec.trim());
  const store = openStore(storePath);
  return {
    options: {
      model: new CachedChatModel(model, store, { costOf, context: { purpose: 'detect' } }),
      cweFor: (file) => cwe ?? cweOfPath(file.path),
      cweName,
      detectionPrompt: (code, judged) => detectionMessages(code, judged),
      parseAnswer: parseDetectionAnswer,
    },
    close: () => store.close(),
  };
}
