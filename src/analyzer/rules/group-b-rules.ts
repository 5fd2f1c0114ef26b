// Rules about files, resources, concurrency, logic and authorisation (issue 4, group B),
// listed here and spread into `allRules` by index.ts.
import type { Rule } from '../rule.js';
import insecureTempFile from './insecure-temp-file.js';
import obsoleteFunction from './obsolete-function.js';
import permissiveFilePermissions from './permissive-file-permissions.js';
import sharedPortBind from './shared-port-bind.js';
import timingUnsafeComparison from './timing-unsafe-comparison.js';

export const groupBRules: readonly Rule[] = [insecureTempFile, permissiveFilePermissions, obsoleteFunction, sharedPortBind, timingUnsafeComparison];
