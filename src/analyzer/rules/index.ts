// The registry: every rule the built-in analyzer runs, in a stable order.
import type { Rule } from '../rule.js';
// Files, resources, concurrency, logic and authorisation (group B).
import { groupBRules } from './group-b-rules.js';
import archiveExtraction from './archive-extraction.js';
import badHtmlFilter from './bad-html-filter.js';
import codeInjection from './code-injection.js';
import commandInjection from './command-injection.js';
import headerInjection from './header-injection.js';
import jinja2AutoescapeFalse from './jinja2-autoescape-false.js';
import ldapInjection from './ldap-injection.js';
import logInjection from './log-injection.js';
import nosqlInjection from './nosql-injection.js';
import openRedirect from './open-redirect.js';
import pathTraversal from './path-traversal.js';
import redos from './redos.js';
import reflectedXss from './reflected-xss.js';
import regexInjection from './regex-injection.js';
import sqlInjection from './sql-injection.js';
import ssrf from './ssrf.js';
import templateInjection from './template-injection.js';
import unsafeDeserialization from './unsafe-deserialization.js';
import unsafeXmlParser from './unsafe-xml-parser.js';
import urlOpenAnyScheme from './url-open-any-scheme.js';
import xpathInjection from './xpath-injection.js';
import xxe from './xxe.js';
// Cryptography, secrets, configuration and information exposure (group A).
import { groupARules } from './group-a-rules.js';
import loggingConfigListen from './logging-config-listen.js';

export const allRules: readonly Rule[] = [
  // Injection (taint-based)
  sqlInjection,
  commandInjection,
  codeInjection,
  templateInjection,
  ldapInjection,
  xpathInjection,
  nosqlInjection,
  pathTraversal,
  archiveExtraction,
  urlOpenAnyScheme,
  reflectedXss,
  jinja2AutoescapeFalse,
  badHtmlFilter,
  headerInjection,
  openRedirect,
  ssrf,
  logInjection,
  unsafeDeserialization,
  xxe,
  unsafeXmlParser,
  regexInjection,
  redos,
  // Cryptography, secrets, configuration and information exposure (group A).
  ...groupARules,
  // Files, resources, concurrency, logic and authorisation (group B).
  ...groupBRules,
  loggingConfigListen,
];
