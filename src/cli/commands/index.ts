import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

/** A command of the CLI: its name and how to load its module (loaded only when needed). */
export interface CommandEntry {
  name: string;
  load: () => Promise<RegisterCommand>;
}

/**
 * Every command of the CLI, in the order `--help` lists them. Modules are imported on demand:
 * a `scan` need not load the LLM SDKs, the run store or the chart renderer that other
 * commands use (they cost about half a second of start-up).
 */
export const commands: CommandEntry[] = [
  { name: 'generate', load: async () => (await import('./generate.js')).registerGenerate },
  { name: 'fix', load: async () => (await import('./fix.js')).registerFix },
  { name: 'run', load: async () => (await import('./run.js')).registerRun },
  { name: 'scan', load: async () => (await import('./scan.js')).registerScan },
  { name: 'study', load: async () => (await import('./study.js')).registerStudy },
  { name: 'report', load: async () => (await import('./report.js')).registerReport },
];
