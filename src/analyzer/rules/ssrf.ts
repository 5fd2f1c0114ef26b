import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const VERBS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];
const CLIENTS: Record<string, [number, string]> = {
  'urllib.request.urlopen': [0, 'url'],
  'urllib.request.Request': [0, 'url'],
  'urllib.request.urlretrieve': [0, 'url'],
  'http.client.HTTPConnection': [0, 'host'],
  'requests.request': [1, 'url'],
  'requests.Session.request': [1, 'url'],
  'httpx.request': [1, 'url'],
  'httpx.Client.request': [1, 'url'],
  'urllib3.PoolManager().request': [1, 'url'],
  'aiohttp.ClientSession().request': [1, 'url'],
};
for (const v of VERBS) {
  CLIENTS[`requests.${v}`] = [0, 'url'];
  CLIENTS[`requests.Session.${v}`] = [0, 'url'];
  CLIENTS[`httpx.${v}`] = [0, 'url'];
  CLIENTS[`httpx.Client.${v}`] = [0, 'url'];
  CLIENTS[`aiohttp.ClientSession().${v}`] = [0, 'url'];
}

export default defineRule({
  meta: {
    id: 'py/ssrf',
    cwes: [918],
    severity: 'high',
    confidence: 'high',
    message: 'Server-side request to a URL built from untrusted data',
    fixHint:
      "Do not let input choose where the server connects: build the URL from a fixed scheme and host and validate the variable part (e.g. re.fullmatch(r'[A-Za-z0-9_-]+', user_id)), or check urllib.parse.urlparse(url).hostname against an allow-list before requesting.",
    doc: 'When request data decides the host or path of an outgoing request, attackers can make the server reach internal services (cloud metadata, admin ports) or other paths of a trusted API. Fix the host and validate every variable part against a strict pattern or allow-list.',
  },
  check(context) {
    const { model } = context;
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(CLIENTS))
      calls[q] = (c) => {
        const url = c.arg(i, kw);
        if (!url || model.isConstant(url)) return;
        // A fixed host in front of the data only lets it pick the path: partial SSRF.
        const partial = /^https?:\/\/[^/{}]+\//i.test(model.templateText(url) ?? '');
        context.reportTaint({
          node: c.node,
          value: url,
          kind: 'ssrf',
          message: partial ? 'request path built from {source} (partial SSRF)' : 'request URL built from {source}',
          severity: partial ? 'medium' : 'high',
        });
      };
    return { calls };
  },
});
