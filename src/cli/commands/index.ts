import type { Command } from 'commander';
import { registerFix } from './fix.js';
import { registerGenerate } from './generate.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerScan } from './scan.js';
import { registerStudy } from './study.js';

export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [registerGenerate, registerFix, registerRun, registerScan, registerStudy, registerReport];
