import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { callNames, namesOf, targetName, walkValue } from './value-flow.js';

function isTrue(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = model.constValue(node);
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** `'*'`, `['*']`, `'.*'` and the like: every origin. */
function anyOrigin(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = model.constValue(node);
  const list = Array.isArray(v) ? v : [v];
  return list.some((x) => x === '*' || x === '.*' || x === '^.*$' || x === 'null');
}

/** The value of a constant key in a dict literal. */
function entry(model: ModuleModel, dict: PyNode, key: string): PyNode | undefined {
  const pair = dict.namedChildren.find((q) => q.type === 'pair' && model.constString(q.child('key')) === key);
  return pair?.child('value') ?? undefined;
}

/**
 * Flask-CORS lets every origin make credentialed requests: supports_credentials and origins
 * come from the call or from a resources entry (an entry's own options win), and origins
 * default to '*'.
 */
function flaskCorsCredentialedAny(model: ModuleModel, c: CallInfo): boolean {
  const credentials = c.keywords.get('supports_credentials');
  const origins = c.keywords.get('origins');
  const allows = (o: PyNode | undefined): boolean => (o ? anyOrigin(model, o) : !c.hasSplat);
  const resources = c.keywords.get('resources');
  if (resources?.type === 'dictionary') {
    for (const p of resources.namedChildren) {
      const opts = p.type === 'pair' ? p.child('value') : undefined;
      if (opts?.type !== 'dictionary') continue;
      const own = entry(model, opts, 'supports_credentials');
      if (isTrue(model, own ?? credentials) && allows(entry(model, opts, 'origins') ?? origins)) return true;
    }
    return false;
  }
  return isTrue(model, credentials) && allows(origins);
}

/** The value reflects the request's Origin header. */
function reflectsOrigin(model: ModuleModel, node: PyNode): boolean {
  let found = false;
  walkValue(model, node, (n) => {
    if (found) return false;
    if (n.type === 'call' && model.call(n)?.method === 'get' && /^origin$/i.test(model.constString(model.call(n)!.positional[0]) ?? '')) found = true;
    if (n.type === 'subscript' && /^(origin|HTTP_ORIGIN)$/i.test(model.constString(n.child('subscript')) ?? '')) found = true;
    return !found;
  });
  return found;
}

export default defineRule({
  meta: {
    id: 'py/permissive-cors',
    cwes: [942, 346],
    severity: 'high',
    confidence: 'high',
    message: 'CORS allows any origin to make credentialed requests',
    fixHint:
      "List the trusted origins explicitly (CORS(app, origins=['https://app.example.com'], supports_credentials=True); CORSMiddleware(allow_origins=['https://app.example.com'], allow_credentials=True); CORS_ALLOWED_ORIGINS in Django) and never combine a wildcard or a reflected Origin header with credentials.",
    doc: "With credentials allowed, a wildcard or reflected Origin lets any website read responses fetched with the visitor's cookies: account data, CSRF tokens, API results. CORS should name the few origins that need access.",
  },
  check(context) {
    const { model } = context;
    return {
      call(c) {
        const names = callNames(model, c);
        if (names.some((q) => q === 'flask_cors.CORS' || q === 'flask_cors.cross_origin')) {
          if (flaskCorsCredentialedAny(model, c))
            context.report({ node: c.node, message: 'Flask-CORS allows every origin with supports_credentials=True' });
          return;
        }
        // app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)
        const isCorsMiddleware = names.some((q) => q.endsWith('CORSMiddleware')) || (c.method === 'add_middleware' && namesOf(model, c.positional[0]).some((q) => q.endsWith('CORSMiddleware')));
        if (isCorsMiddleware && isTrue(model, c.keywords.get('allow_credentials')) && (anyOrigin(model, c.keywords.get('allow_origins')) || anyOrigin(model, c.keywords.get('allow_origin_regex'))))
          context.report({ node: c.node, message: 'CORSMiddleware allows every origin with allow_credentials=True' });
      },
      nodes: {
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          const name = targetName(model, left);
          if (!name || !right) return;
          // Django: CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True
          if ((name === 'CORS_ALLOW_ALL_ORIGINS' || name === 'CORS_ORIGIN_ALLOW_ALL') && isTrue(model, right)) {
            const credentials = model.byType('assignment').some((a) => targetName(model, a.child('left')) === 'CORS_ALLOW_CREDENTIALS' && isTrue(model, a.child('right')));
            if (credentials) context.report({ node, message: `${name} = True together with CORS_ALLOW_CREDENTIALS = True` });
            return;
          }
          // response.headers['Access-Control-Allow-Origin'] = request.headers.get('Origin') / '*', with credentials
          if (left?.type !== 'subscript' || name.toLowerCase() !== 'access-control-allow-origin') return;
          if (!anyOrigin(model, right) && !reflectsOrigin(model, right)) return;
          const fn = model.enclosingFunction(node)?.node ?? model.root;
          const credentials = model.byType('assignment').some(
            (a) => fn.contains(a) && targetName(model, a.child('left'))?.toLowerCase() === 'access-control-allow-credentials' && isTrue(model, a.child('right')),
          );
          if (credentials) context.report({ node, message: anyOrigin(model, right) ? "Access-Control-Allow-Origin '*' sent with Allow-Credentials: true" : 'The request Origin is reflected into Access-Control-Allow-Origin with credentials allowed' });
        },
      },
    };
  },
});
