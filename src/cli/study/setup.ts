// Turning `secagent study` options into models, scanners, detectors, sample sources and a
// progress display.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../../core/types.js';
import { createChatModel } from '../../llm/create.js';
import type { ChatModel } from '../../llm/types.js';
import { createScanners, parseScannerList } from '../../scanners/registry.js';
import type { Scanner } from '../../scanners/types.js';
import type { Store } from '../../store/store.js';
import { SCANNER_DETECTOR_PREFIX, readTruthLabels, samplesFromArtifacts, samplesFromRq1Run, withLabels, type SampleSource } from '../../study/experiments/index.js';
import type { ExperimentProgress } from '../../study/experiments/types.js';
import { studyArtifactsDir } from '../../tasks/datasets.js';
import { chatModelOptions, describeScanners, type ChosenScanners } from '../agent/options.js';
import { note } from '../output.js';

/** `a,b , c` → ['a', 'b', 'c']. */
export function listValue(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return [...(previous ?? []), ...items];
}

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export interface ModelOptions {
  concurrency: number;
  timeout?: number;
  retries?: number;
}

/** One model per distinct specifier, shared by every role it plays. */
export class ModelPool {
  private readonly models = new Map<string, ChatModel>();
  constructor(private readonly options: ModelOptions) {}

  get(spec: string): ChatModel {
    const key = spec.trim();
    let model = this.models.get(key);
    if (!model) {
      model = createChatModel(key, chatModelOptions(this.options));
      this.models.set(key, model);
      this.models.set(model.id, model);
    }
    return model;
  }

  all(specs: readonly string[]): ChatModel[] {
    return specs.map((s) => this.get(s));
  }
}

/** Scanners by name list (`auto` = those available); the LLM judge is not offered here (use a detector model). */
export async function chooseScanners(list: string, bandit?: string): Promise<ChosenScanners> {
  const names = parseScannerList(list);
  if (names !== 'auto' && names.includes('llm')) {
    throw new UserError('the llm scanner is not offered in study experiments; ask a model directly (rq2 --detectors)');
  }
  const created = await createScanners(names, bandit ? { bandit: { executable: bandit } } : {});
  note(describeScanners(created));
  return created;
}

/** `--detectors openai:gpt-4o,scanner:builtin` → models and scanners. */
export async function chooseDetectors(specs: readonly string[], pool: ModelPool, bandit?: string): Promise<{ models: ChatModel[]; scanners: Scanner[] }> {
  const scannerNames = specs.filter((s) => s.toLowerCase().startsWith(SCANNER_DETECTOR_PREFIX)).map((s) => s.slice(SCANNER_DETECTOR_PREFIX.length));
  const models = pool.all(specs.filter((s) => !s.toLowerCase().startsWith(SCANNER_DETECTOR_PREFIX)));
  const scanners = scannerNames.length ? (await chooseScanners(scannerNames.join(','), bandit)).scanners : [];
  return { models, scanners };
}

/** `--artifacts [dir]`'s folder: the one given, else the study's artifacts in the shared datasets. */
export function artifactsDir(value: string | boolean | undefined): string {
  const dir = typeof value === 'string' ? value : studyArtifactsDir();
  checkArtifactsDir(dir);
  return dir;
}

/** A clear error for a folder that is not the study's artifacts, before any file in it is missed. */
export function checkArtifactsDir(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new UserError(`${dir}: no such folder; --artifacts takes the study's artifacts folder (llmsecurecode, with RQ1/ to RQ4/ inside)`);
  }
  if (!stat.isDirectory()) throw new UserError(`${dir}: is a file; --artifacts takes the study's artifacts folder (llmsecurecode, with RQ1/ to RQ4/ inside)`);
  const missing = ['RQ1', 'RQ2', 'RQ3', 'RQ4'].filter((d) => !existsSync(join(dir, d)));
  if (missing.length === 4) throw new UserError(`${dir}: not the study's artifacts folder (no RQ1/ to RQ4/ inside); pass --artifacts <path to llmsecurecode>`);
}

export interface SourceOptions {
  from?: string;
  artifacts?: string | boolean;
  generators?: string[];
  only?: string[];
  labels?: string;
}

/** The RQ1 samples to work on: a stored rq1 run (`--from`) or the published artifacts (`--artifacts`). */
export function chooseSource(store: Store, options: SourceOptions): SampleSource {
  if (options.from && options.artifacts) throw new UserError('give --from <rq1-run-id> or --artifacts, not both');
  if (!options.from && !options.artifacts) throw new UserError('which samples? give --from <rq1-run-id> (a stored rq1 run) or --artifacts [dir] (the study\'s RQ1 code)');
  const filter = { generators: options.generators, only: options.only };
  const source = options.from
    ? samplesFromRq1Run(store, options.from, filter)
    : samplesFromArtifacts(artifactsDir(options.artifacts), filter);
  return options.labels ? withLabels(source, readTruthLabels(options.labels), options.labels) : source;
}

/** A bar on a terminal; otherwise one line per unit done. */
export class ExperimentProgressDisplay {
  private bar?: cliProgress.SingleBar;
  constructor(
    /** Shown before the bar; default the experiment's name. */
    private readonly label?: string,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  readonly onProgress = (p: ExperimentProgress): void => {
    if (!this.tty) {
      note(`[${p.done}/${p.total}] ${p.cell}${p.detail ? `: ${p.detail}` : ''}`);
      return;
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: `${this.label ?? p.experiment} {bar} {value}/{total} | {cell}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.total, 0, { cell: p.cell });
    }
    this.bar.update(p.done, { cell: p.cell });
  };

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
