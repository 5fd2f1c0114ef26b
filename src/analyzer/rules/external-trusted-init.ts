import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { comparisonOperands, comparisonOperators, nodesIn, parts, unparen, valuesOf } from './code-shape.js';

/** Session or state keys that grant rights. */
const PRIVILEGE_KEY = /(^|_)(role|roles|admin|is_admin|superuser|is_superuser|staff|is_staff|permission|permissions|privilege|privileges|access|access_level|level|group|groups|authenticated|is_authenticated|logged_in|is_logged_in|verified|trusted)$/i;

/** Where trusted process state lives: Flask/Django configuration, the environment, settings objects. */
function isTrustedStore(model: ModuleModel, target: PyNode): string | undefined {
  const base = target.type === 'subscript' ? target.child('value') : target.type === 'attribute' ? target.child('object') : undefined;
  if (!base) return undefined;
  // `self.x = ...`: a method's own object is the class (`$.Class`), no store of those below.
  const names = isPlainSelf(model, base) ? NO_NAMES : valuesOf(model, base);
  if (names.some((n) => n === 'os.environ')) return 'os.environ';
  if (names.some((n) => /^(flask\.Flask|flask\.current_app)\.config$/.test(n)) || /(^|\.)config$/.test(base.text)) return `${base.text}`;
  if (names.some((n) => n.startsWith('django.conf.settings'))) return 'django settings';
  return undefined;
}

const NO_NAMES: string[] = [];

/**
 * The first parameter of a method, unannotated and the only binding reaching the use: its
 * qualified names are just the class's local name (`$.Class`), as `model.values` gives it.
 */
function isPlainSelf(model: ModuleModel, base: PyNode): boolean {
  if (base.type !== 'identifier') return false;
  const bindings = model.reaching(base);
  const b = bindings.length === 1 ? bindings[0]! : undefined;
  if (b?.kind !== 'param' || b.index !== 0 || b.annotation) return false;
  const fn = model.functionInfo(b.fn);
  if (!fn?.cls) return false;
  for (const d of fn.decorators) if (d.text === 'staticmethod') return false;
  return true;
}

/** Never tainted, whatever taint kind: literals (without interpolations) and empty containers. */
function untaintable(value: PyNode): boolean {
  switch (value.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
      for (const c of value.children) if (c.type === 'interpolation') return false;
      return true;
    case 'list':
    case 'tuple':
    case 'dictionary':
    case 'set':
      return value.namedChildren.length === 0;
    default:
      return false;
  }
}

/** A session-like store: `session[...]`, `request.session[...]`, `flask.g`. */
function isSessionStore(model: ModuleModel, target: PyNode): boolean {
  const base = target.type === 'subscript' ? target.child('value') : target.type === 'attribute' ? target.child('object') : undefined;
  if (!base) return false;
  return valuesOf(model, base).some((n) => n === 'flask.session' || n === 'flask.g' || n.endsWith('HttpRequest.session')) || /(^|\.)session$/.test(base.text);
}

/** The key of `store['key']` or the attribute name of `obj.key`. */
function keyOf(model: ModuleModel, target: PyNode): string | undefined {
  if (target.type === 'subscript') return model.constString(target.child('subscript'));
  if (target.type === 'attribute') return target.child('attribute')?.text;
  return target.type === 'identifier' ? target.text : undefined;
}

/** Names of what proves identity: passwords, PINs, one-time codes. */
const CREDENTIAL = /(^|_)(password|passwd|passphrase|passcode|pwd|pw|pass|pin|otp|secret|credentials?)(_|$)/i;

function isCredentialName(name: string): boolean {
  return CREDENTIAL.test(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

/** `password == 'admin123'`, `self.password == password`: a credential tested with ==. */
function credentialComparison(cond: PyNode): PyNode | undefined {
  for (const cmp of [cond, ...cond.walk()].filter((n) => n.type === 'comparison_operator')) {
    const ops = comparisonOperators(cmp);
    if (ops.length !== 1 || ops[0] !== '==') continue;
    const operands = comparisonOperands(cmp).map((o) => unparen(o));
    const named = (o: PyNode | undefined): boolean => {
      if (!o) return false;
      if (o.type === 'identifier') return isCredentialName(o.text);
      if (o.type === 'attribute') return isCredentialName(o.child('attribute')?.text ?? '');
      if (o.type === 'subscript' || o.type === 'call') return /['"](password|passwd|pwd|pass|secret)['"]/i.test(o.text);
      return false;
    };
    if (operands.some(named)) return cmp;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'py/external-trusted-init',
    cwes: [454],
    severity: 'high',
    confidence: 'medium',
    message: 'Trusted state initialised from data the client controls',
    fixHint:
      "Derive rights on the server: authenticate against a credential store (hashed passwords), keep the result per user (e.g. flask_login's current_user, Django's request.user with is_staff/permissions), never set process-wide flags or configuration from request values, and never trust role or privilege fields sent by the client.",
    doc: 'Configuration, environment variables, module globals and session flags are trusted by the rest of the program. When their values come straight from the request, or a privilege flag is switched on by comparing request values with constants in the code, the client decides what the program trusts. A process-wide flag set for one user is also seen by every other user.',
  },
  check(context) {
    const { model } = context;
    // A scope's globals are the names of its `global` statements: a module without one has none.
    const hasGlobalStatements = model.byType('global_statement').length > 0;
    const isGlobal = (at: PyNode, name: string): boolean => hasGlobalStatements && model.scopeOf(at).globals.has(name);
    const tainted = (value: PyNode | undefined): boolean => {
      const t = context.taintOf(value, 'trusted-state');
      return !!t && t.origin === 'remote';
    };
    return {
      nodes: {
        assignment(node) {
          const target = node.child('left');
          const value = node.child('right');
          if (!target || !value) return;
          // 1. Configuration, environment or privilege keys filled with request data (stores
          // are subscripts and attributes; a literal value is no request data, whatever the store).
          if ((target.type === 'subscript' || target.type === 'attribute') && !untaintable(value)) {
            const store = isTrustedStore(model, target);
            if (store && tainted(value)) {
              context.report({ node, message: `${store} set from request data: the client decides a setting the application trusts`, confidence: 'high' });
              return;
            }
            // (The key is looked at before the store.)
            const key = keyOf(model, target);
            if (key && PRIVILEGE_KEY.test(key) && isSessionStore(model, target) && tainted(value)) {
              context.report({ node, message: `session '${key}' taken from the request: the client chooses its own rights`, confidence: 'high' });
              return;
            }
          }
          // The enclosing function matters only for a global name or a flag set to True.
          const isTrue = unparen(value)?.type === 'true';
          if (!isTrue && (target.type !== 'identifier' || !hasGlobalStatements)) return;
          const fn = model.enclosingFunction(node);
          if (fn && target.type === 'identifier' && isGlobal(node, target.text) && tainted(value)) {
            context.report({ node, message: `global ${target.text} set from request data: one request changes state every other request trusts` });
            return;
          }
          // 2. A privilege flag switched on by comparing credentials with values in the code.
          if (!fn || !isTrue) return;
          const holder = enclosingIf(node, fn.node);
          const cond = holder?.child('condition');
          const cmp = cond && credentialComparison(cond);
          if (!cmp) return;
          const persisted =
            target.type === 'attribute' ||
            target.type === 'subscript' ||
            (target.type === 'identifier' && (isGlobal(node, target.text) || returnsName(fn.node, target.text)));
          if (!persisted) return;
          context.report({
            node,
            message: `${target.text} is switched on by comparing credentials with values fixed in the code (${cmp.text.slice(0, 40)}): whoever sends them is trusted${target.type === 'identifier' && isGlobal(node, target.text) ? ', for every later request too' : ''}`,
          });
        },
      },
      calls: {
        '*.config.update'(c) {
          if (c.positional.some((a) => !untaintable(a) && tainted(a))) context.report({ node: c.node, confidence: 'high', message: 'application configuration updated from request data' });
        },
        setattr(c) {
          // `setattr(obj, 'name', value)`: a literal name or value is no request data (no taint query).
          const name = c.arg(1);
          const value = c.arg(2);
          if (!name || !value || untaintable(name) || untaintable(value)) return;
          if (tainted(name) && tainted(value)) context.report({ node: c.node, message: 'attribute chosen and set by the request' });
        },
      },
    };
  },
});

/** The `if`/`elif` (inside the function) whose consequence holds the node. */
function enclosingIf(node: PyNode, fnNode: PyNode): PyNode | undefined {
  for (let p = node.parent; p && p !== fnNode; p = p.parent) {
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.child('consequence')?.contains(node)) return p;
  }
  return undefined;
}

function returnsName(fnNode: PyNode, name: string): boolean {
  for (const r of nodesIn(fnNode.child('body') ?? fnNode, 'return_statement')) if (parts(r).some((v) => v.text === name)) return true;
  return false;
}
