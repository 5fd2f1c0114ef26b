// Group A of the rule registry: cryptography, secrets, configuration and information
// exposure. `index.ts` spreads this list into `allRules`.
import type { Rule } from '../rule.js';
import certificateValidationDisabled from './certificate-validation-disabled.js';
import cleartextStorage from './cleartext-storage.js';
import cleartextTransmission from './cleartext-transmission.js';
import csrfDisabled from './csrf-disabled.js';
import debugMode from './debug-mode.js';
import emptyPassword from './empty-password.js';
import hardcodedCredentials from './hardcoded-credentials.js';
import insecureCookie from './insecure-cookie.js';
import insecureRandom from './insecure-random.js';
import jwtSignatureNotVerified from './jwt-signature-not-verified.js';
import passwordInResponse from './password-in-response.js';
import permissiveCors from './permissive-cors.js';
import plaintextPassword from './plaintext-password.js';
import predictableSeed from './predictable-seed.js';
import sensitiveDataLogged from './sensitive-data-logged.js';
import sshHostKeyUnverified from './ssh-host-key-unverified.js';
import stackTraceExposure from './stack-trace-exposure.js';
import staticIv from './static-iv.js';
import weakCipher from './weak-cipher.js';
import weakHash from './weak-hash.js';
import weakKeySize from './weak-key-size.js';
import weakPasswordHash from './weak-password-hash.js';
import weakPasswordPolicy from './weak-password-policy.js';
import weakTlsProtocol from './weak-tls-protocol.js';

export const groupARules: readonly Rule[] = [
  // Configuration and information exposure
  debugMode,
  stackTraceExposure,
  passwordInResponse,
  insecureCookie,
  csrfDisabled,
  permissiveCors,
  sensitiveDataLogged,
  cleartextStorage,
  // Secrets
  hardcodedCredentials,
  plaintextPassword,
  emptyPassword,
  weakPasswordPolicy,
  // Cryptography
  weakCipher,
  weakHash,
  weakPasswordHash,
  staticIv,
  weakKeySize,
  insecureRandom,
  predictableSeed,
  jwtSignatureNotVerified,
  // Transport
  certificateValidationDisabled,
  weakTlsProtocol,
  sshHostKeyUnverified,
  cleartextTransmission,
];
