// Rules about files, resources, concurrency, logic and authorisation (issue 4, group B),
// listed here and spread into `allRules` by index.ts.
import type { Rule } from '../rule.js';
import insecureTempFile from './insecure-temp-file.js';
import obsoleteFunction from './obsolete-function.js';
import permissiveFilePermissions from './permissive-file-permissions.js';
import sharedPortBind from './shared-port-bind.js';
import timingUnsafeComparison from './timing-unsafe-comparison.js';
import offByOne from './off-by-one.js';
import infiniteLoop from './infinite-loop.js';
import duplicateKey from './duplicate-key.js';
import identityComparison from './identity-comparison.js';
import swallowedException from './swallowed-exception.js';
import assertCheck from './assert-check.js';
import toctouFileCheck from './toctou-file-check.js';
import unverifiedOwnership from './unverified-ownership.js';
import pamMissingAccountCheck from './pam-missing-account-check.js';
import unrestrictedUpload from './unrestricted-upload.js';
import forcedBrowsing from './forced-browsing.js';
import externalTrustedInit from './external-trusted-init.js';
import unverifiedDestination from './unverified-destination.js';
import networkAmplification from './network-amplification.js';
import missingLockCheck from './missing-lock-check.js';
import privilegeNotDropped from './privilege-not-dropped.js';
import uncheckedReturn from './unchecked-return.js';
import workflowBypass from './workflow-bypass.js';
import missingAuthentication from './missing-authentication.js';
import uncontrolledResourceConsumption from './uncontrolled-resource-consumption.js';
import missingAuthorization from './missing-authorization.js';

export const groupBRules: readonly Rule[] = [
  insecureTempFile,
  permissiveFilePermissions,
  obsoleteFunction,
  sharedPortBind,
  timingUnsafeComparison,
  offByOne,
  infiniteLoop,
  duplicateKey,
  identityComparison,
  swallowedException,
  assertCheck,
  toctouFileCheck,
  unverifiedOwnership,
  pamMissingAccountCheck,
  unrestrictedUpload,
  forcedBrowsing,
  externalTrustedInit,
  unverifiedDestination,
  networkAmplification,
  missingLockCheck,
  privilegeNotDropped,
  uncheckedReturn,
  workflowBypass,
  missingAuthentication,
  uncontrolledResourceConsumption,
  missingAuthorization,
];
