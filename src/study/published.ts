// The figures the EASE 2025 paper publishes for Tables 2-5 (facts, for comparison with what
// the artifacts give). Rows are the judging or repairing model, columns the generating model.
import type { ModelKey } from './artifacts.js';

type Row<T> = Partial<Record<ModelKey, T>>;

export const PUBLISHED = {
  /** Vulnerable samples of 121 per generator (RQ1). */
  table2: { 'gpt3.5': 92, gpt4: 91, codellama: 91, codegeex2: 95 } as Row<number>,
  /** Correct detector answers of 121 (RQ2). */
  table3: {
    'gpt3.5': { 'gpt3.5': 58, gpt4: 52, codellama: 52, codegeex2: 49 },
    gpt4: { 'gpt3.5': 91, gpt4: 90, codellama: 87, codegeex2: 93 },
  } as Row<Row<number>>,
  /** Fixed of vulnerable samples, one-shot repair (RQ3). */
  table4: {
    'gpt3.5': {
      'gpt3.5': { fixed: 28, vulnerable: 92 },
      gpt4: { fixed: 30, vulnerable: 91 },
      codellama: { fixed: 31, vulnerable: 91 },
      codegeex2: { fixed: 34, vulnerable: 95 },
    },
    gpt4: {
      'gpt3.5': { fixed: 56, vulnerable: 92 },
      gpt4: { fixed: 50, vulnerable: 91 },
      codellama: { fixed: 58, vulnerable: 91 },
      codegeex2: { fixed: 56, vulnerable: 95 },
    },
  } as Row<Row<{ fixed: number; vulnerable: number }>>,
  /** Fix rate of iterative repair in percent, one decimal (RQ4). */
  table5: {
    'gpt3.5': { 'gpt3.5': 65.9, gpt4: 67.6 },
    gpt4: { 'gpt3.5': 77.4, gpt4: 85.5 },
  } as Row<Row<number>>,
} as const;
