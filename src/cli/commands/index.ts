import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [];
