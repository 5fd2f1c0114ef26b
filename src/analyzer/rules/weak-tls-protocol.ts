import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule, type ReportDescriptor } from '../rule.js';
import { assignedName, callNames, methodCallsOn, namesOf, scopeNode, sourceMentions } from './value-flow.js';

/**
 * Protocol constants that select SSL 2/3 or TLS 1.0/1.1. The OpenSSL method names
 * (SSLv3_METHOD, TLSv1_METHOD...) mean the same in every OpenSSL binding, so they count
 * whatever module they were imported from.
 */
const OLD_PROTOCOL = /^(ssl\.PROTOCOL_(SSLv2|SSLv3|TLSv1|TLSv1_1)|ssl\.TLSVersion\.(SSLv3|TLSv1|TLSv1_1))$|(^|\.)(SSLv2|SSLv3|TLSv1|TLSv1_1)_METHOD$/;
/** Version-pinned constants that Python deprecates (no TLS 1.3, no negotiation). */
const PINNED_PROTOCOL = /^ssl\.PROTOCOL_TLSv1_2$/;
/** Negotiating constants that still allow TLS 1.0/1.1 unless the context excludes them. */
const NEGOTIATING = /^ssl\.PROTOCOL_(TLS|SSLv23)$|(^|\.)SSL\.(SSLv23|TLS|TLS_CLIENT)_METHOD$/;
/**
 * OpenSSL cipher-string elements that enable broken suites: no encryption or no
 * authentication, export grade, RC4, single and triple DES, MD5 MACs; `@SECLEVEL=0/1` lifts
 * the library's own floor.
 */
const WEAK_CIPHER_ELEMENT = /^(e?NULL|aNULL|EXP(ORT)?(40|56)?|RC4|RC2|DES|3DES|MD5|LOW|ADH|AECDH|IDEA|SEED)$|(^|-)(NULL|RC4|RC2|DES|EXP|EXPORT|MD5|ADH|AECDH|IDEA|SEED)(-|$)|^@SECLEVEL=[01]$/i;

/** The weak elements a cipher string switches on (not those it removes with `!` or `-`). */
function weakCipherElements(list: string): string[] {
  return list
    .split(/[:,\s]+/)
    .filter((e) => e !== '' && !/^[!-]/.test(e))
    .map((e) => e.replace(/^\+/, ''))
    .filter((e) => WEAK_CIPHER_ELEMENT.test(e));
}
/** `OP_NO_*` flags that keep an obsolete protocol out: clearing one switches that protocol back on. */
const OLD_PROTOCOL_EXCLUSION = /(^|\.)OP_NO_(SSLv2|SSLv3|TLSv1|TLSv1_1)$/;

/** `~ssl.OP_NO_TLSv1` (or `~(ssl.OP_NO_SSLv3 | ssl.OP_NO_TLSv1)`) inside a value: the obsolete flags it clears. */
function clearedExclusions(model: ModuleModel, value: PyNode | undefined): string[] {
  const out: string[] = [];
  if (!value || !value.text.includes('~')) return out;
  for (const n of value.walk()) {
    if (n.type !== 'unary_operator' || n.children[0]?.text !== '~') continue;
    for (const m of n.walk())
      if (m.type === 'attribute' || m.type === 'identifier') {
        const flag = [...namesOf(model, m), m.text].find((q) => OLD_PROTOCOL_EXCLUSION.test(q));
        if (flag && !out.includes(flag.split('.').pop()!)) out.push(flag.split('.').pop()!);
      }
  }
  return out;
}

/** M2Crypto's SSL.Context('sslv3') names the protocol with a string. */
const OLD_PROTOCOL_NAME = /^(sslv2|sslv3|tlsv1|tlsv1_1)$/i;

export default defineRule({
  meta: {
    id: 'py/weak-tls-protocol',
    cwes: [327, 757, 326],
    severity: 'high',
    confidence: 'high',
    message: 'Insecure SSL/TLS protocol version',
    fixHint:
      'Create client contexts with ssl.create_default_context() (or ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)) and set context.minimum_version = ssl.TLSVersion.TLSv1_2; wrap sockets with context.wrap_socket(sock, server_hostname=host) instead of the removed ssl.wrap_socket().',
    doc: 'SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1 have known attacks (POODLE, BEAST, downgrade) and are disabled by current standards (RFC 8996). ssl.wrap_socket() is deprecated (removed in Python 3.12) and neither checks the host name nor, by default, the certificate; contexts should come from ssl.create_default_context() with a TLS 1.2 minimum. Cipher lists that switch on NULL, export, RC4, DES/3DES or MD5 suites (or lower OpenSSL\'s @SECLEVEL) undo the protocol\'s protection.',
    bandit: ['B502', 'B503', 'B504'],
  },
  check(context) {
    const { model } = context;
    /** The context the call creates also restricts the protocol (minimum_version, OP_NO_TLSv1...). */
    const restricted = (c: CallInfo): boolean => {
      const target = assignedName(c.node);
      if (!target) return false;
      const scope = scopeNode(c.node);
      for (const n of model.byType('attribute')) {
        if (!scope.contains(n) || n.child('object')?.text !== target.name) continue;
        const attr = n.child('attribute')?.text;
        // (`ctx.options &= ~ssl.OP_NO_TLSv1` widens it instead: reported where the flag is cleared.)
        if (attr === 'minimum_version' || attr === 'options') return true;
      }
      return methodCallsOn(model, target.name, scope, ['set_options', 'set_min_proto_version']).length > 0;
    };

    /** The context the call creates wraps a socket or is handed to a client as `context=`. */
    const makesConnection = (c: CallInfo): boolean => {
      const parent = c.node.parent;
      // ssl.create_default_context().wrap_socket(sock)
      if (parent?.type === 'attribute' && parent.child('object') === c.node) return /^wrap_(socket|bio)$/.test(parent.child('attribute')?.text ?? '');
      const target = assignedName(c.node);
      if (!target) return c.node.parent?.type === 'keyword_argument' && c.node.parent.child('name')?.text === 'context';
      const scope = scopeNode(c.node);
      if (methodCallsOn(model, target.name, scope, ['wrap_socket', 'wrap_bio']).length > 0) return true;
      return model.calls.some((k) => scope.contains(k.node) && k.keywords.get('context')?.text === target.name);
    };

    // Module-wide tests of the source text (see `sourceMentions`): the ssl names need `ssl`
    // or `SSL` (`OpenSSL.SSL.Context`), and every obsolete or pinned protocol constant is
    // spelled with `TLSv` or `SSLv` (protocol arguments are found by `PROTOCOL_`, `_METHOD` too).
    let ssl: boolean | undefined;
    let protocols: boolean | undefined;
    const mentionsSsl = (): boolean => (ssl ??= sourceMentions(model, /ssl|SSL/));
    const mentionsProtocols = (): boolean => (protocols ??= sourceMentions(model, /PROTOCOL_|_METHOD|TLSv|SSLv/));

    const checkProtocolValue = (node: PyNode): void => {
      if (!mentionsProtocols()) return;
      // An attribute of an unresolved object (a module passed in) is judged by its spelling.
      const names = [...namesOf(model, node), ...(node.type === 'attribute' ? [node.text] : [])];
      const old = names.find((q) => OLD_PROTOCOL.test(q));
      if (old) context.report({ node, message: `${old.split('.').pop()} is an obsolete protocol version` });
      else if (names.some((q) => PINNED_PROTOCOL.test(q)))
        context.report({ node, message: 'ssl.PROTOCOL_TLSv1_2 pins one deprecated protocol constant (no TLS 1.3); use PROTOCOL_TLS_CLIENT with minimum_version', severity: 'low', confidence: 'medium' });
    };

    const reportCleared = (node: PyNode, value: PyNode | undefined): void => {
      const cleared = clearedExclusions(model, value);
      if (cleared.length > 0) context.report({ node, message: `Clearing ${cleared.join(', ')} switches the obsolete protocol back on for this context` });
    };

    const protocolArgument = (a: PyNode): void => {
      if (a.type !== 'attribute' && a.type !== 'identifier') return;
      // Cheap test first: protocol constants are spelled PROTOCOL_*, *_METHOD or TLSVersion.*.
      if (/PROTOCOL_|_METHOD|TLSv|SSLv/.test(a.text)) checkProtocolValue(a);
    };

    /** The ssl module's own calls and SSL contexts; true when the call was one of them (judged). */
    const sslCall = (c: CallInfo): boolean => {
      const names = callNames(model, c);
      if (names.includes('ssl.wrap_socket')) {
        const version = c.keywords.get('ssl_version') ?? c.positional[5];
        const old = version ? namesOf(model, version).find((q) => OLD_PROTOCOL.test(q)) : undefined;
        const negotiating = version ? namesOf(model, version).some((q) => NEGOTIATING.test(q)) : false;
        if (version && !old && !negotiating)
          // A current protocol was chosen: what is left is the missing certificate and host name checks.
          return reported({
            node: c.node,
            message: 'ssl.wrap_socket() is deprecated (removed in Python 3.12) and checks neither the host name nor, unless cert_reqs=CERT_REQUIRED, the certificate',
            cwes: [295, 327],
            confidence: 'medium',
          });
        return reported({
          node: c.node,
          message: old ? `ssl.wrap_socket() with the obsolete ${old.split('.').pop()}` : 'ssl.wrap_socket() is deprecated and does not check host names; its default protocol may allow old TLS versions',
        });
      }
      // create_default_context() negotiates TLS 1.0/1.1 before Python 3.10 (CodeQL py/insecure-protocol):
      // reported when the context makes a connection and nothing raises its minimum version.
      if (names.includes('ssl.create_default_context') && !c.hasSplat && !restricted(c) && makesConnection(c))
        return reported({
          node: c.node,
          message: 'ssl.create_default_context() still accepts TLS 1.0/1.1 on Python before 3.10; set context.minimum_version = ssl.TLSVersion.TLSv1_2',
          severity: 'low',
          confidence: 'low',
        });
      // OpenSSL.SSL.Context (pyOpenSSL) and M2Crypto.SSL.Context take the protocol first.
      const isContext = names.includes('ssl.SSLContext') || names.some((q) => q.endsWith('SSL.Context') && /(^|\.)SSL\.Context$/.test(q));
      if (isContext && !names.includes('ssl.SSLContext')) {
        const name = model.constString(c.arg(0, 'protocol') ?? c.arg(0, 'method'));
        if (name !== undefined && OLD_PROTOCOL_NAME.test(name)) return reported({ node: c.node, message: `SSL context for the obsolete ${name} protocol` });
      }
      // ssl.SSLContext() without a protocol means PROTOCOL_TLS (deprecated since Python 3.10).
      if (names.includes('ssl.SSLContext') && !c.arg(0, 'protocol') && !c.hasSplat && !restricted(c))
        return reported({ node: c.node, message: 'ssl.SSLContext() without a protocol allows TLS 1.0/1.1 unless minimum_version restricts it', confidence: 'medium' });
      if (isContext) {
        const a = c.arg(0, names.includes('ssl.SSLContext') ? 'protocol' : 'method');
        if (!a || (a.type !== 'attribute' && a.type !== 'identifier')) return true;
        checkProtocolValue(a);
        if (namesOf(model, a).some((q) => NEGOTIATING.test(q)) && !restricted(c))
          context.report({ node: c.node, message: 'SSL context allows TLS 1.0/1.1 unless minimum_version or OP_NO_TLSv1/OP_NO_TLSv1_1 restrict it', confidence: 'medium' });
        return true;
      }
      return false;
    };
    /** Reports and says the call was judged. */
    const reported = (d: ReportDescriptor): true => {
      context.report(d);
      return true;
    };

    return {
      call(c) {
        // ctx.set_ciphers('RC4-SHA:DES-CBC3-SHA'), pyOpenSSL ctx.set_cipher_list(b'...')
        const cipherList = c.method === 'set_ciphers' || c.method === 'set_cipher_list' ? c.arg(0, 'ciphers') : undefined;
        if (cipherList) {
          const v = model.constValue(cipherList);
          const weak = typeof v === 'string' ? weakCipherElements(v) : [];
          if (weak.length > 0) context.report({ node: c.node, message: `Cipher list enables broken suites (${weak.slice(0, 3).join(', ')})` });
        }
        if (mentionsSsl() && sslCall(c)) return;
        if (!mentionsProtocols()) return;
        // Any other call: protocol constants passed as arguments (positional, then keywords).
        for (const a of c.positional) protocolArgument(a);
        for (const a of c.keywords.values()) protocolArgument(a);
      },
      nodes: {
        // def connect(version=ssl.PROTOCOL_SSLv3)
        default_parameter(node) {
          const value = node.child('value');
          if (value && (value.type === 'attribute' || value.type === 'identifier')) checkProtocolValue(value);
        },
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          const attr = left?.type === 'attribute' ? left.child('attribute')?.text : undefined;
          if (right && (attr === 'minimum_version' || attr === 'maximum_version' || attr === 'ssl_version' || attr === 'PROTOCOL')) checkProtocolValue(right);
          // ctx.options = ctx.options & ~ssl.OP_NO_SSLv3
          if (right && attr === 'options' && left?.child('object')?.text !== 'self') reportCleared(node, right);
        },
        // ctx.options &= ~ssl.OP_NO_TLSv1_1: the obsolete protocol is allowed again.
        augmented_assignment(node) {
          const left = node.child('left');
          // (`self.options` is an SSLContext subclass handling its own flags, as ssl.py does.)
          if (left?.type === 'attribute' && left.child('attribute')?.text === 'options' && left.child('object')?.text !== 'self' && node.child('operator')?.text === '&=') reportCleared(node, node.child('right'));
        },
      },
    };
  },
});
