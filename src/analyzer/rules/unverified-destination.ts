import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { anyIdIn, callsUnimplemented } from './code-shape.js';
import { destinationVetted, enclosingLoop, isReceive, receivedOrigin } from './datagram-helpers.js';

/** A value whose text says it is a network destination. */
const ADDRESS_LIKE = /(^|_|\b)(ip|ips|addr|address|host|hostname|dest|destination|target|peer|port)(_|\b|$)|[a-z](IP|Ip|Addr|Address|Host)\b/;

export default defineRule({
  meta: {
    id: 'py/unverified-destination',
    cwes: [941],
    severity: 'medium',
    confidence: 'medium',
    message: 'Data sent to a destination taken from a received packet',
    fixHint:
      "Reply only to the address the packet was received from on a connected or authenticated channel, and never to an address read from the packet's content; check destinations against an allow-list (ipaddress.ip_address(host) in ALLOWED_NETWORKS) before sending.",
    doc: 'A server that sends its answer to an address named inside the request, or to the unauthenticated source address of a UDP datagram, can be made to send traffic to any host: a spoofed packet turns it into a reflector that floods a victim, or leaks the answer to a third party. The destination has to be verified, not taken from the packet.',
  },
  check(context) {
    const { model } = context;
    /** Ids of the module's receive calls, ascending. */
    let receives: number[] | undefined;
    const judge = (send: CallInfo, dest: PyNode | undefined, how: string): void => {
      if (!dest || model.isConstant(dest)) return;
      const origin = receivedOrigin(model, dest);
      if (!origin || destinationVetted(model, send, dest)) return;
      context.report({
        node: send.node,
        confidence: origin === 'payload' ? 'high' : 'low',
        message:
          origin === 'payload'
            ? `${how} an address read from the received packet's content`
            : `${how} the unverified source address of a received datagram (UDP source addresses can be spoofed)`,
      });
    };
    return {
      call(c) {
        if (c.method === 'sendto') return judge(c, c.positional.length >= 3 ? c.positional[2] : c.positional[1] ?? c.keywords.get('address'), 'data sent to');
        if (c.method === 'connect' || c.method === 'connect_ex') return judge(c, c.positional[0], 'connection opened to');
        if (c.qname === 'socket.create_connection') return judge(c, c.arg(0, 'address'), 'connection opened to');
        // A helper the snippet does not implement, called from a receive loop with an address.
        // (Cheapest tests first: arguments, a loop, a receive call in it, then the callee.)
        if (c.positional.length === 0) return;
        const loop = enclosingLoop(c.node);
        if (!loop) return;
        receives ??= model.calls.filter((k) => isReceive(model, k.node)).map((k) => k.node.id).sort((a, b) => a - b);
        if (!anyIdIn(receives, loop) || !callsUnimplemented(model, c)) return;
        for (const arg of c.positional) {
          const origin = receivedOrigin(model, arg);
          if (!origin || (origin === 'payload' && !ADDRESS_LIKE.test(arg.text))) continue;
          if (destinationVetted(model, c, arg)) continue;
          context.report({
            node: c.node,
            confidence: 'low',
            message: `${c.callee.text}() is given ${arg.text}, ${origin === 'payload' ? "an address read from the packet's content" : "the datagram's unverified source address"}, as where to send`,
          });
          return;
        }
      },
    };
  },
});
