import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { argumentsFor } from './code-shape.js';
import { assignedName, callNames, methodCallsOn, namesOf, scopeNode, targetName } from './value-flow.js';

/** HTTP client libraries whose calls take `verify=`. */
const HTTP_CLIENT = /^(requests|httpx|pip\._vendor\.requests|treq|grequests)\./;
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send', 'stream']);

function isFalse(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = model.constValue(node);
  return v === false || v === 0;
}

function isCertNone(model: ModuleModel, node: PyNode | undefined): boolean {
  if (!node) return false;
  // urllib3 also resolves the bare name: cert_reqs='NONE' means ssl.CERT_NONE.
  const v = model.constValue(node);
  if (v === 'CERT_NONE' || v === 'NONE' || v === 'none') return true;
  return namesOf(model, node).some((q) => /(^|\.)CERT_NONE$/.test(q));
}

/**
 * `def fetch(url, verify=False): requests.get(url, verify=verify)`: a parameter of a module
 * function that is false by default (and some call leaves it out) or that a call of the module
 * passes False. Says where the false value comes from.
 */
function falseThroughParameter(model: ModuleModel, node: PyNode): string | undefined {
  if (node.type !== 'identifier') return undefined;
  const bindings = model.reaching(node);
  const b = bindings.length === 1 ? bindings[0]! : undefined;
  if (b?.kind !== 'param' || b.star) return undefined;
  const passed = argumentsFor(model, b.fn, b.name, b.index);
  const falseArg = passed.find((a) => isFalse(model, a));
  if (falseArg) return `the call on line ${falseArg.line} passes ${falseArg.text} for ${b.name}`;
  if (!b.default || !isFalse(model, b.default)) return undefined;
  const fn = model.functionInfo(b.fn);
  const calls = fn ? model.calls.filter((c) => c.qnames.includes(fn.qname)).length : 0;
  return calls === 0 || passed.length < calls ? `${b.name} defaults to ${b.default.text}` : undefined;
}

/** A verify callback of this module that accepts every certificate (`return True`). */
function acceptsEverything(model: ModuleModel, callback: PyNode | undefined): boolean {
  if (!callback) return false;
  if (callback.type === 'lambda') {
    const v = model.constValue(callback.child('body'));
    return v === true || v === 1;
  }
  for (const q of namesOf(model, callback)) {
    const def = model.localDefinition(q);
    const fn = def?.type === 'function_definition' ? model.functionInfo(def) : undefined;
    if (fn && fn.returns.length > 0 && fn.returns.every((r) => model.constValue(r) === true || model.constValue(r) === 1)) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'py/certificate-validation-disabled',
    cwes: [295],
    severity: 'high',
    confidence: 'high',
    message: 'TLS certificate validation is disabled',
    fixHint:
      "Keep certificate and hostname checks on: drop verify=False (pass verify='/path/to/ca.pem' for a private CA), use ssl.create_default_context() for clients without changing check_hostname or verify_mode, and with pyOpenSSL call ctx.set_verify(SSL.VERIFY_PEER, callback) plus ctx.set_default_verify_paths().",
    doc: 'Without certificate validation a TLS connection is encrypted to whoever answers, so anyone on the network path can impersonate the server with a self-made certificate and read or change the traffic, credentials included. Hostname checking matters as much: any valid certificate for another domain would otherwise be accepted.',
    bandit: ['B501', 'B323'],
  },
  check(context) {
    const { model } = context;
    const report = (node: PyNode, message: string, cwes?: number[]): void => context.report({ node, message, cwes });

    /** Methods called on the variable an SSL context was assigned to. */
    const contextUse = (c: CallInfo, methods: string[]): CallInfo[] => {
      const target = assignedName(c.node);
      return target ? methodCallsOn(model, target.name, scopeNode(c.node), methods) : [];
    };
    const attributeAssigned = (c: CallInfo, attr: string): PyNode[] => {
      const target = assignedName(c.node);
      if (!target) return [];
      const scope = scopeNode(c.node);
      return model.byType('assignment').filter((a) => scope.contains(a) && a.child('left')?.type === 'attribute' && a.child('left')?.child('object')?.text === target.name && a.child('left')?.child('attribute')?.text === attr).map((a) => a.child('right')!);
    };
    /** The context wraps a client socket (no server_side=True). */
    const wrapsClientSocket = (c: CallInfo): boolean => contextUse(c, ['wrap_socket', 'wrap_bio']).some((w) => model.constValue(w.keywords.get('server_side')) !== true);

    return {
      call(c) {
        const names = callNames(model, c);
        const relevant =
          c.keywords.has('verify') || c.keywords.has('verify_ssl') || c.keywords.has('ssl') || c.keywords.has('cert_reqs') || c.method === 'set_option' || c.method === 'set_verify' || names.some((q) => /^(ssl|OpenSSL|urllib3|pymongo|aiohttp)\./.test(q));
        if (!relevant) return;
        const is = (re: RegExp): boolean => names.some((q) => re.test(q));
        // requests.get(url, verify=False), session.post(..., verify=False), httpx.Client(verify=False)
        const verify = c.keywords.get('verify');
        if (verify && (is(HTTP_CLIENT) || (c.method !== undefined && HTTP_METHODS.has(c.method)))) {
          if (isFalse(model, verify)) return report(c.node, 'HTTPS request with verify=False: the server certificate is not checked');
          const why = falseThroughParameter(model, verify);
          if (why) return context.report({ node: c.node, message: `HTTPS request whose verify= can be False (${why}): the server certificate is not checked`, confidence: 'medium' });
        }
        // aiohttp: ssl=False / verify_ssl=False
        if (is(/^aiohttp\./) && (isFalse(model, c.keywords.get('verify_ssl')) || (c.keywords.has('ssl') && isFalse(model, c.keywords.get('ssl')))))
          return report(c.node, 'aiohttp connection with certificate checks off');
        if (is(/^urllib3\.((poolmanager\.)?(PoolManager|ProxyManager|connection_from_url|proxy_from_url)|(connectionpool\.)?HTTPSConnectionPool)$/) && isCertNone(model, c.keywords.get('cert_reqs')))
          return report(c.node, "urllib3 with cert_reqs='CERT_NONE' does not check certificates");
        const unverified = names.find((q) => /^ssl\._create_(unverified|stdlib)_context$/.test(q));
        if (unverified) return report(c.node, `${unverified}() turns off certificate and hostname checks`);
        if (is(/^ssl\.wrap_socket$/) && isCertNone(model, c.keywords.get('cert_reqs'))) return report(c.node, 'ssl.wrap_socket with cert_reqs=CERT_NONE does not check the peer certificate');
        // Any other client handed ssl.CERT_NONE (the constant, not a look-alike string) asks for no certificate check.
        const certReqs = c.keywords.get('cert_reqs');
        if (certReqs && certReqs.type !== 'string' && isCertNone(model, certReqs)) return report(c.node, 'cert_reqs=CERT_NONE: the peer certificate is not checked');
        if (is(/^pymongo\.MongoClient$/) && ['tlsAllowInvalidCertificates', 'tlsInsecure', 'ssl_match_hostname'].some((k) => model.constValue(c.keywords.get(k)) === (k === 'ssl_match_hostname' ? false : true)))
          return report(c.node, 'MongoDB client accepts invalid certificates');
        if (is(/^pymongo\.MongoClient$/) && isCertNone(model, c.keywords.get('ssl_cert_reqs'))) return report(c.node, 'MongoDB client accepts invalid certificates');
        // ldap.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_NEVER)
        if (c.method === 'set_option' && namesOf(model, c.positional[0]).some((q) => q.endsWith('OPT_X_TLS_REQUIRE_CERT')) && namesOf(model, c.positional[1]).some((q) => /OPT_X_TLS_(NEVER|ALLOW)$/.test(q)))
          return report(c.node, 'LDAP TLS configured not to require a valid certificate');
        if (is(/^ssl\.create_default_context$/)) {
          if (isFalse(model, c.keywords.get('check_hostname'))) return report(c.node, 'SSL context created with check_hostname=False', [297, 295]);
          // Purpose.CLIENT_AUTH makes a server-side context: as a client it checks nothing.
          const purpose = c.arg(0, 'purpose');
          if (purpose && namesOf(model, purpose).some((q) => q.endsWith('Purpose.CLIENT_AUTH')) && wrapsClientSocket(c))
            return report(c.node, 'A Purpose.CLIENT_AUTH (server) context is used for a client connection: the server certificate is not verified');
          return;
        }
        // ssl.SSLContext(...) defaults to CERT_NONE and no hostname check unless PROTOCOL_TLS_CLIENT.
        if (is(/^ssl\.SSLContext$/)) {
          const protocol = c.arg(0, 'protocol');
          if (protocol && namesOf(model, protocol).some((q) => q.endsWith('PROTOCOL_TLS_CLIENT'))) return;
          if (!wrapsClientSocket(c) || contextUse(c, ['load_cert_chain']).length > 0) return;
          const modes = attributeAssigned(c, 'verify_mode');
          if (modes.some((m) => namesOf(model, m).some((q) => /CERT_(REQUIRED|OPTIONAL)$/.test(q)))) return;
          return report(c.node, 'ssl.SSLContext() used for a client without verify_mode = CERT_REQUIRED: the server certificate is not checked');
        }
        // pyOpenSSL
        if (c.method === 'set_verify' && (model.importsModule('OpenSSL') || namesOf(model, c.receiver).some((q) => q.startsWith('OpenSSL.')))) {
          const mode = c.arg(0, 'mode');
          if (mode && namesOf(model, mode).some((q) => q.endsWith('VERIFY_NONE'))) return report(c.node, 'pyOpenSSL context set to VERIFY_NONE');
          if (acceptsEverything(model, c.arg(1, 'callback'))) return report(c.node, 'The certificate verify callback accepts every certificate');
          return;
        }
        if (is(/^OpenSSL\.SSL\.Context$/)) {
          const uses = contextUse(c, ['set_verify', 'use_certificate', 'use_certificate_file', 'use_certificate_chain_file', 'use_privatekey', 'use_privatekey_file', 'load_cert_chain']);
          const target = assignedName(c.node);
          const returned = target !== undefined || c.node.parent?.type === 'return_statement';
          if (returned && uses.length === 0) report(c.node, 'pyOpenSSL client context without set_verify(): peer certificates are not verified (the default is VERIFY_NONE)');
        }
      },
      nodes: {
        // websocket.create_connection(url, sslopt={'cert_reqs': ssl.CERT_NONE})
        pair(node) {
          const value = node.child('value');
          if (value?.type === 'attribute' && value.child('attribute')?.text === 'CERT_NONE' && model.constString(node.child('key')) === 'cert_reqs' && isCertNone(model, value))
            report(node, "TLS options with 'cert_reqs': CERT_NONE: the peer certificate is not checked");
        },
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          if (!left || !right) return;
          const attr = left.type === 'attribute' ? left.child('attribute')?.text : undefined;
          if (attr === 'verify_mode' && isCertNone(model, right)) return report(node, 'verify_mode = CERT_NONE: peer certificates are not checked');
          if (attr === 'check_hostname' && isFalse(model, right)) return report(node, 'check_hostname = False: a valid certificate for any host is accepted', [297, 295]);
          if (attr === 'verify' && isFalse(model, right) && namesOf(model, left.child('object')).some((q) => /^(requests\.Session|httpx\.Client)/.test(q) || q.endsWith('.Session()')))
            return report(node, 'HTTP session with verify = False: server certificates are not checked');
          if (attr === '_create_default_https_context' && namesOf(model, right).some((q) => q === 'ssl._create_unverified_context'))
            return report(node, 'Every HTTPS connection made by urllib skips certificate checks');
          // os.environ['PYTHONHTTPSVERIFY'] = '0', os.environ['CURL_CA_BUNDLE'] = ''
          const key = left.type === 'subscript' ? targetName(model, left) : undefined;
          if (key === 'PYTHONHTTPSVERIFY' && model.constString(right) === '0') return report(node, 'PYTHONHTTPSVERIFY=0 turns off certificate checks');
          if ((key === 'CURL_CA_BUNDLE' || key === 'REQUESTS_CA_BUNDLE') && model.constString(right) === '') return report(node, `An empty ${key} turns off certificate checks in requests`);
        },
      },
    };
  },
});
