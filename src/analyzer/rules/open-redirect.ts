import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';
import { inheritedNames } from '../taint.js';
import { incompleteUrlChecks } from './helpers.js';

const REDIRECTS: Record<string, [number, string]> = {
  'flask.redirect': [0, 'location'],
  'django.shortcuts.redirect': [0, 'to'],
  'django.http.HttpResponseRedirect': [0, 'redirect_to'],
  'django.http.HttpResponsePermanentRedirect': [0, 'redirect_to'],
  'fastapi.responses.RedirectResponse': [0, 'url'],
  'bottle.redirect': [0, 'url'],
  'tornado.web.RequestHandler.redirect': [0, 'url'],
  'aiohttp.web.HTTPFound': [0, 'location'],
  'aiohttp.web.HTTPSeeOther': [0, 'location'],
  'aiohttp.web.HTTPMovedPermanently': [0, 'location'],
  'aiohttp.web.HTTPTemporaryRedirect': [0, 'location'],
};

/**
 * Last segments of the REDIRECTS names. A name inherited from a base class keeps the end of
 * the local name it comes from (`$.Handler.redirect` → `...RequestHandler.redirect`), so only
 * a local method name with one of these last segments can lead to a redirect.
 */
const REDIRECT_LAST = new Set(Object.keys(REDIRECTS).map((q) => q.slice(q.lastIndexOf('.') + 1)));
const REDIRECT_AT = new Map(Object.entries(REDIRECTS));

export default defineRule({
  meta: {
    id: 'py/open-redirect',
    cwes: [601, 20],
    severity: 'medium',
    confidence: 'high',
    message: 'Redirect to a URL taken from untrusted data',
    fixHint:
      "Redirect only to known places: map a key to a URL or endpoint from an allow-list (if target not in ALLOWED_TARGETS: abort(400)), or in Django check url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}). A check that only finds no host in the URL (urlparse(target).netloc == '', or the host of urljoin(request.host_url, target)) is not enough: ///evil.com and /\\evil.com have none for urlparse, and browsers go to evil.com.",
    doc: 'Redirecting to a URL from the request lets attackers send users from a trusted link to a phishing site. Substring checks such as "example.com" in url are bypassed by evil.com/?example.com, and "no host" checks by ///evil.com or /\\evil.com, which browsers read as //evil.com; compare the parsed host with an allow-list of hosts, or the whole target with an allow-list of places.',
  },
  check(context) {
    const { model } = context;
    const check = (node: PyNode, url: PyNode | undefined): void => {
      if (!url || model.isConstant(url)) return;
      // A host check that lets other hosts through is a bug of its own (CWE-20), whatever reaches it.
      for (const weak of incompleteUrlChecks(model, (e, n) => context.taint.guards.mentions(e, n), node, url))
        context.report({ node: weak.node, message: `incomplete URL check before a redirect: ${weak.why}`, cwes: [20, 601] });
      // A fixed local path or fixed host in front of the data keeps the destination.
      const template = model.templateText(url) ?? '';
      if (/^\/(?![\/\\])/.test(template) || /^https?:\/\/[^/{}]+\//i.test(template)) return;
      context.reportTaint({ node, value: url, kind: 'redirect', message: 'redirect to a URL from {source}' });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, [i, kw]] of Object.entries(REDIRECTS)) calls[q] = (c) => check(c.node, c.arg(i, kw));
    return {
      calls,
      nodes: {
        assignment(node) {
          const left = node.child('left');
          if (left?.type !== 'subscript') return;
          const key = model.constString(left.childrenOf('subscript')[0])?.toLowerCase();
          if (key === 'location') check(node, node.child('right'));
        },
      },
      call(c) {
        // `self.redirect(url)` in a handler class that extends a framework's (Tornado).
        const inherited = c.method ? c.qnames.filter((q) => q.startsWith('$.') && REDIRECT_LAST.has(q.slice(q.lastIndexOf('.') + 1))).flatMap((q) => inheritedNames(model, q)) : [];
        for (const q of inherited) {
          const at = REDIRECT_AT.get(q);
          if (at) return check(c.node, c.arg(at[0], at[1]));
        }
        // `headers.add('Location', url)`, `response.headers.set('Location', url)`
        if ((c.method === 'add' || c.method === 'set' || c.method === 'add_header') && model.constString(c.arg(0))?.toLowerCase() === 'location') check(c.node, c.arg(1));
        // `Response(status=302, headers={'Location': url})`
        const headers = c.keywords.get('headers');
        if (headers?.type === 'dictionary')
          for (const pair of headers.namedChildren)
            if (pair.type === 'pair' && model.constString(pair.child('key'))?.toLowerCase() === 'location') check(c.node, pair.child('value'));
      },
    };
  },
});
