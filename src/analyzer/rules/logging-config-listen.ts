import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'py/logging-config-listen',
    cwes: [94, 306],
    severity: 'medium',
    confidence: 'high',
    message: 'logging.config.listen() accepts configuration from the network without verification',
    fixHint:
      'Do not start logging.config.listen() in production; if live reconfiguration is needed, pass verify= a function that checks a signature (hmac.compare_digest against a shared key) or decrypts the payload and returns None for anything else.',
    doc: 'logging.config.listen() opens a socket that applies any logging configuration sent to it. Such a configuration can name arbitrary classes and callables (handlers, filters, "()" factories), so whoever can connect to the port, any local user or process at least, can make the program run code. A verify function that authenticates the bytes before they are used closes the hole.',
    bandit: ['B612'],
  },
  check(context) {
    const { model } = context;
    return {
      calls: {
        'logging.config.listen': (c) => {
          const verify = c.arg(1, 'verify');
          if (c.hasSplat || (verify && verify.type !== 'none' && model.constValue(verify) !== null)) return;
          context.report({ node: c.node });
        },
      },
    };
  },
});
