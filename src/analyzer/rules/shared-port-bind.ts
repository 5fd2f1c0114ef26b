import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { parts } from './code-shape.js';

const ALL_INTERFACES = new Set(['', '0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

export default defineRule({
  meta: {
    id: 'py/shared-port-bind',
    cwes: [605],
    severity: 'medium',
    confidence: 'medium',
    message: 'Server socket can share its port with other sockets',
    fixHint:
      "Do not set SO_REUSEPORT (or SO_REUSEADDR on Windows; use SO_EXCLUSIVEADDRUSE there) on a listening socket, and bind to the one interface the service needs, e.g. sock.bind(('127.0.0.1', port)), instead of '' or '0.0.0.0'.",
    doc: 'With SO_REUSEPORT (and SO_REUSEADDR on some systems) a second process can bind the same port and receive part or all of the traffic meant for the server, or impersonate it. Binding to every interface exposes the service on networks it was not meant for, which makes such a hijack or spoofing reachable from outside.',
    bandit: ['B104'],
  },
  check(context) {
    const { model } = context;
    const optionName = (n: PyNode | undefined): string | undefined => {
      if (!n) return undefined;
      const m = /(SO_REUSEADDR|SO_REUSEPORT)$/.exec(model.qname(n) ?? n.text);
      return m?.[1];
    };
    const hostOf = (address: PyNode | undefined): { host: string; node: PyNode } | undefined => {
      if (!address) return undefined;
      const v = model.constValue(address);
      if (Array.isArray(v) && typeof v[0] === 'string') return { host: v[0], node: address };
      // A tuple with a constant host and a variable port.
      const tuple = address.type === 'tuple' ? address : undefined;
      const first = tuple ? parts(tuple)[0] : undefined;
      const host = model.constString(first);
      return host !== undefined && first ? { host, node: address } : undefined;
    };
    return {
      call(c: CallInfo) {
        if (c.method === 'setsockopt' && c.positional.length >= 3) {
          const opt = optionName(c.positional[1]);
          const value = model.constValue(c.positional[2]);
          if (!opt || value === 0 || value === false) return;
          context.report({
            node: c.node,
            confidence: opt === 'SO_REUSEPORT' ? 'high' : 'medium',
            message:
              opt === 'SO_REUSEPORT'
                ? 'SO_REUSEPORT lets another process bind the same port and take over part of its traffic'
                : 'SO_REUSEADDR lets other sockets bind the same port (on Windows they can take it over)',
          });
          return;
        }
        if (c.method === 'bind' && c.positional.length === 1 && !c.hasSplat) {
          const h = hostOf(c.positional[0]);
          if (h && ALL_INTERFACES.has(h.host))
            context.report({ node: c.node, message: `socket bound to all interfaces (${JSON.stringify(h.host)}): reachable from every network the host is on` });
          return;
        }
        if (c.method === 'run' || c.qname === 'uvicorn.run') {
          const host = model.constString(c.keywords.get('host'));
          if (host === undefined || !ALL_INTERFACES.has(host) || host === '') return;
          if (c.qname !== 'uvicorn.run' && !c.qnames.some((q) => q === 'flask.Flask.run')) return;
          context.report({ node: c.node, confidence: 'low', severity: 'low', message: `server listens on all interfaces (${host})` });
        }
      },
    };
  },
});
