// The registry: every rule the built-in analyzer runs, in a stable order.
import type { Rule } from '../rule.js';
import codeInjection from './code-injection.js';
import commandInjection from './command-injection.js';
import sqlInjection from './sql-injection.js';

export const allRules: readonly Rule[] = [sqlInjection, commandInjection, codeInjection];
