import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const OPENERS: Record<string, [number, string]> = {
  'urllib.request.urlopen': [0, 'url'],
  'urllib.request.urlretrieve': [0, 'url'],
  'urllib.request.Request': [0, 'url'],
  'urllib.request.URLopener.open': [0, 'fullurl'],
  'urllib.request.OpenerDirector.open': [0, 'fullurl'],
  'urllib.request.build_opener().open': [0, 'fullurl'],
};

export default defineRule({
  meta: {
    id: 'py/url-open-any-scheme',
    cwes: [22, 73],
    severity: 'medium',
    confidence: 'medium',
    message: 'urllib opens a URL of any scheme, including file://',
    fixHint:
      "Check the scheme before opening: if urllib.parse.urlparse(url).scheme not in ('http', 'https'): raise ValueError('unsupported URL'); or use requests.get(url, timeout=10), which has no file:// handler.",
    doc: 'urllib.request.urlopen follows file:// and other schemes, so a URL taken from input can read local files such as file:///etc/passwd. Restrict the scheme to http and https before opening, and consider where the request may go (SSRF).',
    bandit: ['B310'],
  },
  check(context) {
    const { model } = context;
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(OPENERS))
      calls[q] = (c) => {
        const url = c.arg(i, kw);
        if (!url || model.isConstant(url)) return;
        // A fixed http(s):// prefix pins the scheme whatever follows.
        if (/^https?:\/\//i.test(model.templateText(url) ?? '')) return;
        // `urlopen(Request(...))`: the Request construction is the finding.
        if (model.qname(url.type === 'call' ? url.child('function') : undefined) === 'urllib.request.Request') return;
        if (url.type === 'identifier' && model.values(url).includes('urllib.request.Request')) return;
        context.reportTaint({ node: c.node, value: url, kind: 'url-scheme', message: 'urllib opens a URL from {source} without restricting its scheme (file:// reads local files)' });
      };
    return { calls };
  },
});
