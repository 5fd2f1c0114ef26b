import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The standard library's folders left out of the speed benchmark: its own tests, and installed packages. */
export const STDLIB_EXCLUDES = ['test', 'site-packages'];

export function stdlibPath(): string {
  return execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `--name=value` or `--name value` from a flag list. */
export function option(flags: string[], name: string): string | undefined {
  const i = flags.findIndex((f) => f === `--${name}` || f.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return flags[i]!.includes('=') ? flags[i]!.split('=').slice(1).join('=') : flags[i + 1];
}
