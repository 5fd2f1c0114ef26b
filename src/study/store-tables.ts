// Tables 2 and 4 from runs imported into the store (importArtifacts), by any judge whose
// verdicts the store holds: the published labels, or e.g. secagent's analyzer after re-judging.
import type { Store } from '../store/index.js';
import type { ModelKey } from './artifacts.js';
import { IMPORT_KINDS, LABEL_JUDGE } from './import.js';
import type { Table2Cell, Table4Cell } from './tables.js';

export interface StoreTables {
  table2: Partial<Record<ModelKey, Table2Cell>>;
  table4: Partial<Record<ModelKey, Partial<Record<ModelKey, Table4Cell>>>>;
}

/**
 * Table 2: per RQ1 run, samples the judge calls vulnerable of the run's tasks. Table 4: per RQ3
 * run, round-1 samples the judge calls not vulnerable (fixed) and round-0 samples it calls vulnerable.
 */
export function storeTables(store: Store, judge = LABEL_JUDGE): StoreTables {
  const table2: StoreTables['table2'] = {};
  for (const run of store.listRuns({ kind: IMPORT_KINDS.rq1 })) {
    const generator = run.config.generator as ModelKey;
    const vulnerable = store.listVerdicts(run.id, { judge }).filter((v) => v.vulnerable).length;
    table2[generator] = { vulnerable, total: store.listTasks(run.id).length };
  }
  const table4: StoreTables['table4'] = {};
  for (const run of store.listRuns({ kind: IMPORT_KINDS.rq3 })) {
    const cell: Table4Cell = { fixed: 0, vulnerable: 0 };
    for (const v of store.listVerdicts(run.id, { judge })) {
      const round = store.getSample(v.sampleId)?.round;
      if (round === 0 && v.vulnerable) cell.vulnerable++;
      if (round === 1 && !v.vulnerable) cell.fixed++;
    }
    (table4[run.config.repairer as ModelKey] ??= {})[run.config.generator as ModelKey] = cell;
  }
  return { table2: sortKeys(table2), table4: Object.fromEntries(Object.entries(sortKeys(table4)).map(([k, v]) => [k, sortKeys(v!)])) };
}

const ORDER: ModelKey[] = ['gpt3.5', 'gpt4', 'codellama', 'codegeex2'];

function sortKeys<T>(record: Partial<Record<ModelKey, T>>): Partial<Record<ModelKey, T>> {
  const out: Partial<Record<ModelKey, T>> = {};
  for (const k of ORDER) if (record[k] !== undefined) out[k] = record[k];
  return out;
}
