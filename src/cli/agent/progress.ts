// What the agent commands say on stderr while they work. stdout is left to the result.
import cliProgress from 'cli-progress';
import type { AgentEvent } from '../../agent/index.js';
import { formatCwe, type Finding } from '../../core/types.js';

export type Write = (line: string) => void;

const toStderr: Write = (line) => process.stderr.write(`${line}\n`);

export function formatFinding(f: Finding): string {
  const cwes = f.cwes.length ? f.cwes.map(formatCwe).join(',') : 'no CWE';
  return `${f.file}:${f.line}:${f.column} ${cwes} ${f.scanner}/${f.ruleId} (${f.severity}): ${f.message.split('\n')[0]}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Round by round for one or a few tasks (`generate`, `fix`), with the findings. */
export function detailedReporter(write: Write = toStderr, options: { prefixTask?: boolean } = {}): (event: AgentEvent) => void {
  return (event) => {
    const who = (taskId: string) => (options.prefixTask ? `${taskId}: ` : '');
    switch (event.type) {
      case 'sample': {
        const what = event.round === 0 ? 'round 0' : `round ${event.round}`;
        const verdict = event.vulnerable ? `vulnerable (${plural(event.counted, 'finding')} counted)` : 'secure';
        write(`${who(event.taskId)}${what}: ${plural(event.findings.length, 'finding')}, ${verdict}`);
        for (const f of event.findings) write(`  ${formatFinding(f)}`);
        break;
      }
      case 'round-failed':
        write(`${who(event.taskId)}round ${event.round} failed: ${event.reason}`);
        break;
      case 'task-done': {
        const o = event.outcome;
        write(`${who(o.taskId)}${o.status}${o.reason ? ` (${o.reason})` : ''}`);
        break;
      }
      default:
        break;
    }
  };
}

export interface ProgressCounts {
  done: number;
  total: number;
  round: number;
  vulnerable: number;
  failed: number;
}

/**
 * Task-set progress: a bar (tasks done, highest round reached, tasks whose latest code is
 * vulnerable) on a terminal, one plain line per finished task otherwise.
 */
export class RunProgress {
  readonly #bar?: cliProgress.SingleBar;
  readonly #write: Write;
  readonly #latest = new Map<string, boolean>();
  readonly counts: ProgressCounts;

  constructor(total: number, options: { tty?: boolean; write?: Write } = {}) {
    this.counts = { done: 0, total, round: 0, vulnerable: 0, failed: 0 };
    this.#write = options.write ?? toStderr;
    if (options.tty ?? Boolean(process.stderr.isTTY)) {
      this.#bar = new cliProgress.SingleBar(
        {
          format: 'tasks {bar} {value}/{total} | round {round} | vulnerable {vulnerable} | failed {failed}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, 0, this.#payload());
    }
  }

  #payload(): Record<string, number> {
    return { round: this.counts.round, vulnerable: this.counts.vulnerable, failed: this.counts.failed };
  }

  readonly onEvent = (event: AgentEvent): void => {
    switch (event.type) {
      case 'sample':
        this.counts.round = Math.max(this.counts.round, event.round);
        this.#latest.set(event.taskId, event.vulnerable);
        break;
      case 'task-done': {
        const o = event.outcome;
        this.counts.done++;
        if (o.status === 'failed') this.counts.failed++;
        this.#latest.set(o.taskId, o.status === 'vulnerable');
        if (!this.#bar) {
          const detail =
            o.status === 'failed'
              ? `failed: ${o.reason ?? 'unknown reason'}`
              : `${o.status} after ${plural(o.rounds, 'round')}${o.fromStore ? ' (done before)' : ''}`;
          this.#write(`[${this.counts.done}/${this.counts.total}] ${o.taskId}: ${detail}`);
        }
        break;
      }
      default:
        break;
    }
    this.counts.vulnerable = [...this.#latest.values()].filter(Boolean).length;
    this.#bar?.update(this.counts.done, this.#payload());
  };

  stop(): void {
    this.#bar?.stop();
  }
}
