// Group A of the rule registry: cryptography, secrets, configuration and information
// exposure. `index.ts` spreads this list into `allRules`.
import type { Rule } from '../rule.js';
import debugMode from './debug-mode.js';
import hardcodedCredentials from './hardcoded-credentials.js';
import stackTraceExposure from './stack-trace-exposure.js';

export const groupARules: readonly Rule[] = [debugMode, stackTraceExposure, hardcodedCredentials];
