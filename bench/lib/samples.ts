// The labelled samples `npm run eval` scores a scanner on: SecurityEval's Insecure_code
// (all vulnerable), the RQ1 generations and the RQ3 repairs with the study's labels.
import { relative, sep } from 'node:path';
import { securityEvalPath, studyArtifactsDir } from '../../src/tasks/datasets.js';
import { readSecurityEval } from '../../src/tasks/load.js';
import { readSourceFile } from '../../src/tasks/read.js';
import { listRq1Samples, listRq3Samples, type StudySample } from '../../src/study/labels.js';

export type EvalSet = 'insecure' | 'rq1' | 'rq3';
export const EVAL_SETS: readonly EvalSet[] = ['insecure', 'rq1', 'rq3'];

export interface EvalSample {
  set: EvalSet;
  /** `securityeval`, the RQ1 generator, or `<repairer> fixing <generator>` for RQ3. */
  group: string;
  /** Folder form, `CWE-020/author_1.py`. */
  taskId: string;
  cwe: number;
  /** Unique path relative to the data folder, handed to the scanner as the file's name. */
  path: string;
  /** Where a person finds the code (a file, or the JSONL line for Insecure_code). */
  location: string;
  code: string;
  vulnerable: boolean;
}

export async function collectSamples(dataDir: string, sets: readonly EvalSet[] = EVAL_SETS): Promise<EvalSample[]> {
  const samples: EvalSample[] = [];
  if (sets.includes('insecure')) {
    const jsonl = securityEvalPath(dataDir);
    for (const record of await readSecurityEval(jsonl)) {
      if (record.cwe === undefined || record.insecureCode === undefined) continue;
      samples.push({
        set: 'insecure',
        group: 'securityeval',
        taskId: record.id,
        cwe: record.cwe,
        path: `securityeval/${record.id}`,
        location: `${toPosix(relative(dataDir, jsonl))}:${record.line} (${record.datasetId})`,
        code: record.insecureCode,
        vulnerable: true,
      });
    }
  }
  const artifacts = studyArtifactsDir(dataDir);
  if (sets.includes('rq1')) {
    for (const s of listRq1Samples(artifacts)) samples.push(fromStudy(s, s.generator, dataDir));
  }
  if (sets.includes('rq3')) {
    for (const s of listRq3Samples(artifacts)) samples.push(fromStudy(s, `${s.repairer} fixing ${s.generator}`, dataDir));
  }
  return samples;
}

function fromStudy(sample: StudySample, group: string, dataDir: string): EvalSample {
  const path = toPosix(relative(dataDir, sample.path));
  return {
    set: sample.set,
    group,
    taskId: sample.taskId,
    cwe: sample.cwe,
    path,
    location: path,
    code: readSourceFile(sample.path),
    vulnerable: sample.vulnerable,
  };
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
