import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { constructionCalls, incompleteUrlChecks } from './helpers.js';

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
  'http.client.HTTPSConnection': [0, 'host'],
  // urllib3 2's module-level request(), a pool's lower-level urlopen().
  'urllib3.request': [1, 'url'],
  'urllib3.PoolManager().urlopen': [1, 'url'],
  'urllib3.PoolManager().request_encode_url': [1, 'url'],
  'aiohttp.request': [1, 'url'],
  'httpx.stream': [1, 'url'],
  'httpx.Client.stream': [1, 'url'],
  // An opener (build_opener, URLopener) fetches like urlopen.
  'urllib.request.build_opener().open': [0, 'fullurl'],
  'urllib.request.OpenerDirector().open': [0, 'fullurl'],
  'urllib.request.URLopener().open': [0, 'fullurl'],
  'urllib.request.URLopener().retrieve': [0, 'url'],
  'urllib.request.FancyURLopener().open': [0, 'fullurl'],
  'urllib.request.FancyURLopener().retrieve': [0, 'url'],
  'tornado.httpclient.AsyncHTTPClient().fetch': [0, 'request'],
  'tornado.httpclient.HTTPClient().fetch': [0, 'request'],
  // Azure SDK clients connect to the account or vault URL they are given.
  'azure.keyvault.secrets.SecretClient': [0, 'vault_url'],
  'azure.keyvault.keys.KeyClient': [0, 'vault_url'],
  'azure.keyvault.certificates.CertificateClient': [0, 'vault_url'],
  'azure.storage.blob.BlobServiceClient': [0, 'account_url'],
  'azure.storage.blob.BlobClient.from_blob_url': [0, 'blob_url'],
  'azure.storage.blob.ContainerClient.from_container_url': [0, 'container_url'],
  'azure.storage.blob.download_blob_from_url': [0, 'blob_url'],
  'azure.storage.fileshare.ShareFileClient.from_file_url': [0, 'file_url'],
  'azure.storage.fileshare.ShareServiceClient': [0, 'account_url'],
  'azure.storage.queue.QueueClient.from_queue_url': [0, 'queue_url'],
};
/** Raw connections: `(host, port)` first. Reported for request data only (a command-line host is the user's own choice). */
const SOCKET_CONNECTS: Record<string, [number, string]> = {
  'socket.create_connection': [0, 'address'],
  'socket.socket.connect': [0, 'address'],
  'socket.socket.connect_ex': [0, 'address'],
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
    /** `conn = HTTPConnection(host)` followed by `conn.request(...)`: the request is where it goes out, reported there. */
    const requestedLater = (c: CallInfo): boolean =>
      model.calls.some((u) => (u.method === 'request' || u.method === 'putrequest') && u.receiver?.type === 'identifier' && model.reaching(u.receiver).some((b) => b.kind === 'assign' && b.value === c.node));
    for (const [q, [i, kw]] of Object.entries(CLIENTS))
      calls[q] = (c) => {
        if (q.startsWith('http.client.') && requestedLater(c)) return;
        const url = c.arg(i, kw);
        if (!url || model.isConstant(url)) return;
        for (const weak of incompleteUrlChecks(model, (e, n) => context.taint.guards.mentions(e, n), c.node, url))
          context.report({ node: weak.node, message: `incomplete URL check before a request: ${weak.why}`, cwes: [20, 918] });
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
    // http.client: the host is chosen when the connection is made, the path at request().
    calls['http.client.HTTPConnection.request'] = calls['http.client.HTTPConnection.putrequest'] = (c) => {
      for (const made of constructionCalls(model, c.receiver)) {
        const host = made.arg(0, 'host');
        if (host && !model.isConstant(host) && context.reportTaint({ node: c.node, value: host, kind: 'ssrf', message: 'request to a host from {source}' })) return;
      }
      const url = c.arg(1, 'url');
      if (!url || model.isConstant(url)) return;
      context.reportTaint({ node: c.node, value: url, kind: 'ssrf', message: 'request path built from {source} (partial SSRF)', severity: 'medium' });
    };
    for (const [q, [i, kw]] of Object.entries(SOCKET_CONNECTS))
      calls[q] = (c) => {
        const address = c.arg(i, kw);
        // The host of an `(host, port)` pair; a port alone picks nothing new.
        const host = address?.type === 'tuple' || address?.type === 'parenthesized_expression' ? address.namedChildren.find((x) => x.type !== 'comment') : address;
        if (!host || model.isConstant(host)) return;
        const t = context.taintOf(host, 'ssrf');
        if (!t || (t.origin !== 'remote' && t.origin !== 'network')) return;
        context.reportTaint({ node: c.node, value: host, kind: 'ssrf', message: 'network connection to a host from {source}' });
      };
    return { calls };
  },
});
