import type { PyNode } from '../ast.js';
import type { ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { callsIn, callsUnimplemented, localCallee } from './code-shape.js';
import { enclosingLoop, isReceive, receivedOrigin } from './datagram-helpers.js';

const SEND_METHODS = new Set(['send', 'sendto', 'sendall', 'sendmsg']);
/** Anything that paces a loop: sleeping, reading a clock, waiting on a limiter. */
const THROTTLE = /^(time\.(sleep|time|monotonic|perf_counter|time_ns|monotonic_ns)|asyncio\.sleep|threading\.(Semaphore|BoundedSemaphore)|.*[Rr]ate[Ll]imit.*|.*[Tt]oken[Bb]ucket.*|ratelimit\..*|limits\..*)/;

/** The loop (or a module function it calls) paces itself or limits how much it sends. */
function throttled(model: ModuleModel, scope: PyNode, depth = 0): boolean {
  if (depth > 2) return false;
  for (const call of callsIn(scope)) {
    const info = model.call(call);
    if (!info) continue;
    if (info.qnames.some((q) => THROTTLE.test(q)) || info.method === 'acquire' || info.method === 'wait') return true;
    const def = localCallee(model, info);
    if (def && def !== scope && throttled(model, def, depth + 1)) return true;
  }
  return false;
}

/** A call in the loop that sends something, directly or through a module function. */
function sendsFrom(model: ModuleModel, call: PyNode, depth = 0): boolean {
  const info = model.call(call);
  if (!info || depth > 2) return false;
  if (info.method && SEND_METHODS.has(info.method)) return true;
  const def = localCallee(model, info);
  if (def) for (const inner of callsIn(def)) if (sendsFrom(model, inner, depth + 1)) return true;
  return false;
}

export default defineRule({
  meta: {
    id: 'py/network-amplification',
    cwes: [406, 405],
    severity: 'medium',
    confidence: 'medium',
    message: 'Every received datagram is answered without limiting the rate',
    fixHint:
      'Limit how much the server sends back: rate-limit replies per source address (a token bucket keyed by address, or time-based counters), keep answers no larger than the request unless the client is verified, and drop packets once the limit is reached.',
    doc: 'A UDP service answers packets whose source address anyone can forge. If it replies to every packet, especially with answers larger than the question (DNS-style lookups), attackers use it to reflect and amplify traffic toward a victim. Controlling the volume of replies (per-source rate limits, response size limits) is what keeps the service from being a weapon.',
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        if (!isReceive(model, c.node)) return;
        const loop = enclosingLoop(c.node);
        if (!loop || throttled(model, loop)) return;
        // The reply: a send of received data, or received data handed to a helper that answers.
        for (const call of callsIn(loop.child('body') ?? loop)) {
          if (call === c.node || call.startIndex < c.node.endIndex) continue;
          const info = model.call(call);
          if (!info || info.qname === 'print' || /^(logging|logger)\b/.test(info.callee.text)) continue;
          const carries = info.positional.some((a) => receivedOrigin(model, a));
          if (!carries) continue;
          const answers = sendsFrom(model, call) || (callsUnimplemented(model, info) && info.positional.some((a) => receivedOrigin(model, a) === 'address'));
          const last = info.positional.length > 1 && callsUnimplemented(model, info);
          if (!answers && !last) continue;
          context.report({ node: c.node, message: `datagrams received here are answered (${info.callee.text}()) with no limit on how often or how much is sent back` });
          return;
        }
      },
    };
  },
});
