// `--cwe`'s parser, on its own so that `scan` can use it without loading the agent's options
// (which bring the LLM clients).
import { InvalidArgumentError } from 'commander';
import { parseCweId } from '../core/types.js';

/** `--cwe`'s parser: `89`, `CWE-89` or `CWE-089`. */
export function cweValue(value: string): number {
  const n = parseCweId(value);
  if (n === undefined) throw new InvalidArgumentError('expected a CWE id such as 89 or CWE-89');
  return n;
}
