// Where the shared datasets live: `../shared/datasets` next to the repository root.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json (works from src/ and dist/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** `<repo>/../shared/datasets`, the default home of SecurityEval and the study artifacts. */
export function defaultDatasetsDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'datasets');
}

/** The SecurityEval JSONL inside a datasets folder. */
export function securityEvalPath(datasetsDir = defaultDatasetsDir()): string {
  return join(datasetsDir, 'securityeval', 'dataset.jsonl');
}

/** The LLMSecureCode study artifacts (RQ1-RQ4) inside a datasets folder. */
export function studyArtifactsDir(datasetsDir = defaultDatasetsDir()): string {
  return join(datasetsDir, 'llmsecurecode');
}
