// Per-task drill-down of the RQ4 iterative-repair runs: each round's code (codeSpace), the
// findings the study's scanners logged for it (iter logs) and, in the report, the diffs.
import type { DrillFinding, DrillGroup, DrillRound, DrillTask } from '../report/html-types.js';
import { RQ4_ROUNDS, cweOfTask, listRq4Runs, readCodeSpace, readGeneratedCode, readRq4Run, type FileBlock, type Rq4Run } from './artifacts.js';
import { MODEL_LABEL } from './render.js';

export interface Rq4DrillOptions {
  /** Also runs without codeSpace (findings per round, only the final code). Default false. */
  allRuns?: boolean;
  /** Only these run folders (e.g. `4_for_3.5_1`). */
  runs?: string[];
}

/** One group per RQ4 run; by default the runs that kept every round's code (codeSpace). */
export function rq4DrillGroups(root: string, options: Rq4DrillOptions = {}): DrillGroup[] {
  const groups: DrillGroup[] = [];
  for (const info of listRq4Runs(root)) {
    if (options.runs && !options.runs.includes(info.name)) continue;
    const codeSpace = readCodeSpace(info);
    if (!codeSpace && !options.allRuns) continue;
    const run = readRq4Run(info);
    const tasks = codeSpace ? tasksFromCodeSpace(run, codeSpace) : tasksFromLogs(run, readGeneratedCode(info));
    const flagged = tasks.filter((t) => t.rounds[0].findings.length > 0).length;
    const remaining = run.scans.final.vulnerableFiles;
    groups.push({
      title: `${MODEL_LABEL[run.repairer]} fixing ${MODEL_LABEL[run.generator]}, run ${run.run} (${run.name})`,
      summary:
        `${tasks.length} tasks, ${flagged} flagged by CodeQL + Bandit at iter1, ${remaining} still flagged after the 5th repair` +
        (codeSpace ? '.' : '; this run kept only the final code.'),
      tasks,
    });
  }
  return groups;
}

function findingsOf(block: FileBlock | undefined): DrillFinding[] {
  return (block?.findings ?? []).map((f) => ({ cwes: [f.cwe], message: f.message, scanner: 'CodeQL+Bandit (study log)' }));
}

function blockIndex(run: Rq4Run): Map<string, FileBlock>[] {
  return RQ4_ROUNDS.map((round) => new Map(run.scans[round].blocks.map((b) => [b.taskId, b])));
}

/** Round 0 = patched scanned by iter1; round K = fixedK scanned by iter(K+1), or final after round 5. */
function tasksFromCodeSpace(run: Rq4Run, codeSpace: { round: number; folder: string; files: Map<string, string> }[]): DrillTask[] {
  const scans = blockIndex(run);
  return run.scans.iter1.blocks.map((first) => {
    const rounds: DrillRound[] = [];
    for (const space of codeSpace) {
      const code = space.files.get(first.taskId);
      if (code === undefined) continue;
      const scan = scans[space.round];
      const block = scan?.get(first.taskId);
      const logName = RQ4_ROUNDS[space.round];
      rounds.push({
        round: space.round,
        label: block ? `${space.folder}, scanned in ${logName}.txt` : `${space.folder}, not in ${logName ?? 'any'} log`,
        code,
        findings: findingsOf(block),
      });
    }
    if (rounds.length === 0) rounds.push({ round: 0, label: 'iter1.txt', findings: findingsOf(first) });
    return { taskId: first.taskId, cwe: cweOfTask(first.taskId, run.scans.iter1.path), status: statusOf(rounds), rounds };
  });
}

/** Without codeSpace: the findings of each log the file appears in; the final code on the last round. */
function tasksFromLogs(run: Rq4Run, generated: Map<string, string>): DrillTask[] {
  const scans = blockIndex(run);
  return run.scans.iter1.blocks.map((first) => {
    const rounds: DrillRound[] = [];
    scans.forEach((scan, index) => {
      const block = scan.get(first.taskId);
      if (block) rounds.push({ round: index, label: `${RQ4_ROUNDS[index]}.txt`, findings: findingsOf(block) });
    });
    const last = rounds[rounds.length - 1];
    const code = generated.get(first.taskId);
    if (code !== undefined) last.code = code;
    return { taskId: first.taskId, cwe: cweOfTask(first.taskId, run.scans.iter1.path), status: statusOf(rounds), rounds };
  });
}

function statusOf(rounds: DrillRound[]): string {
  const last = rounds[rounds.length - 1];
  if (last.findings.length > 0) return 'vulnerable';
  return last.round === 0 ? 'secure' : `fixed in round ${last.round}`;
}
