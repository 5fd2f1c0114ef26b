import { defineRule } from '../rule.js';
import { callNames, namesOf } from './value-flow.js';

const ACCEPTING_POLICY = /^paramiko\.(client\.)?(AutoAddPolicy|WarningPolicy)$/;

export default defineRule({
  meta: {
    id: 'py/ssh-host-key-unverified',
    cwes: [295, 322],
    severity: 'high',
    confidence: 'high',
    message: 'SSH connection accepts unknown host keys',
    fixHint:
      "Verify the server's host key: client.load_system_host_keys() (or load_host_keys('known_hosts')) and client.set_missing_host_key_policy(paramiko.RejectPolicy()); with asyncssh pass a known_hosts file, not known_hosts=None.",
    doc: "SSH authenticates the server by its host key. Accepting any unknown key (paramiko's AutoAddPolicy or WarningPolicy, asyncssh with known_hosts=None) lets a machine in the middle pose as the server and capture the password or commands sent to it.",
    bandit: ['B507'],
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        if (c.method === 'set_missing_host_key_policy') {
          const policy = c.arg(0, 'policy');
          const callee = policy?.type === 'call' ? policy.child('function') : policy;
          if (callee && namesOf(model, callee).some((q) => ACCEPTING_POLICY.test(q))) context.report({ node: c.node, message: `SSH client trusts unknown host keys (${callee.text.split('.').pop()})` });
          return;
        }
        const names = callNames(model, c);
        if (names.some((q) => /^asyncssh\.(connect|SSHClientConnectionOptions|connect_reverse|create_connection)$/.test(q)) && c.keywords.get('known_hosts')?.type === 'none')
          return context.report({ node: c.node, message: 'asyncssh connection with known_hosts=None skips host key checks' });
      },
      nodes: {
        assignment(node) {
          // pysftp: cnopts.hostkeys = None
          const left = node.child('left');
          if (left?.type === 'attribute' && left.child('attribute')?.text === 'hostkeys' && node.child('right')?.type === 'none' && model.importsModule('pysftp'))
            context.report({ node, message: 'pysftp host key checking turned off (hostkeys = None)' });
        },
      },
    };
  },
});
