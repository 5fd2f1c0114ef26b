import type { PyNode } from './ast.js';
import type { FunctionInfo, ModuleModel } from './model.js';
import type { Binding } from './scope.js';

/** A function the web framework calls with request data. */
export interface RouteInfo {
  framework: 'flask' | 'fastapi' | 'django' | 'bottle';
  /** The URL rule when it is a constant (`/user/<name>`). */
  path?: string;
  /** HTTP methods named in the decorator, upper-case; empty when not stated. */
  methods: string[];
  /** Names of parameters the framework fills from the request. */
  requestParams: Set<string>;
  /** Request parameters the framework converts to a number, UUID, date or enum member first: no text reaches them. */
  nonTextParams?: Set<string>;
  decorator?: PyNode;
}

const ROUTE_METHODS = new Set(['route', 'get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'api_route', 'websocket', 'add_url_rule']);
const FASTAPI_NON_DATA = /^(fastapi\.(Request|Response|BackgroundTasks|WebSocket|responses\.)|starlette\.)/;
const DJANGO_REQUEST_ATTRS = new Set([
  'GET',
  'POST',
  'COOKIES',
  'META',
  'FILES',
  'body',
  'method',
  'session',
  'user',
  'headers',
  'path',
  'path_info',
  'data',
  'query_params',
  'build_absolute_uri',
  'get_full_path',
  'get_host',
  'is_secure',
  'content_type',
]);

/** The route a function serves, when a decorator or the Django view shape says so. */
export function findRoute(model: ModuleModel, fn: FunctionInfo): RouteInfo | undefined {
  for (const dec of fn.decorators) {
    const call = dec.type === 'call' ? dec : undefined;
    const callee = call ? call.child('function') : dec;
    if (!callee) continue;
    let framework: RouteInfo['framework'] | undefined;
    const names = model.values(callee);
    if (callee.type === 'attribute') {
      const method = callee.child('attribute')?.text ?? '';
      if (!ROUTE_METHODS.has(method)) continue;
      const receiver = model.values(callee.child('object')!);
      if (receiver.some((r) => r === 'flask.Flask' || r === 'flask.Blueprint' || r === 'flask.current_app')) framework = 'flask';
      else if (receiver.some((r) => r === 'fastapi.FastAPI' || r === 'fastapi.APIRouter')) framework = 'fastapi';
      else if (receiver.some((r) => r.startsWith('bottle.'))) framework = 'bottle';
      else if (receiver.every((r) => !r.includes('.'))) {
        // An app object the snippet never defined (`@app.route` pasted without `app = ...`).
        if (model.importsModule('flask')) framework = 'flask';
        else if (model.importsModule('fastapi')) framework = 'fastapi';
        else if (model.importsModule('bottle')) framework = 'bottle';
      }
    } else if (names.some((n) => /^bottle\.(route|get|post|put|delete)$/.test(n))) framework = 'bottle';
    if (!framework) continue;
    const path = call ? model.constString(call.child('arguments')?.namedChildren.find((c) => c.type !== 'keyword_argument' && c.type !== 'comment') ?? call.child('arguments')?.namedChildren.find((c) => c.child('name')?.text === 'rule' || c.child('name')?.text === 'path')?.child('value')) : undefined;
    const methodsArg = call?.child('arguments')?.namedChildren.find((c) => c.type === 'keyword_argument' && c.child('name')?.text === 'methods')?.child('value');
    const methodsConst = model.constValue(methodsArg);
    const methods = Array.isArray(methodsConst) ? methodsConst.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase()) : [];
    const verb = callee.type === 'attribute' ? callee.child('attribute')?.text ?? '' : '';
    if (methods.length === 0 && ['get', 'post', 'put', 'delete', 'patch'].includes(verb)) methods.push(verb.toUpperCase());
    const requestParams = new Set<string>();
    const nonTextParams = new Set<string>();
    const selfOffset = fn.cls ? 1 : 0;
    if (framework === 'flask' || framework === 'bottle') {
      const rules = path ? [...path.matchAll(/<(?:([^:<>]+):)?([A-Za-z_][A-Za-z0-9_]*)>/g)] : undefined;
      const names = rules?.map((m) => m[2]!);
      // `<int:id>`, `<float:x>`, `<uuid:u>`: the router only calls the view with a number or a UUID.
      for (const m of rules ?? []) if (/^\s*(int|float|uuid)\s*(\(.*\))?\s*$/.test(m[1] ?? '')) nonTextParams.add(m[2]!);
      for (const p of fn.params) if (p.index >= selfOffset && (!names || names.includes(p.name))) requestParams.add(p.name);
    } else {
      for (const p of fn.params) {
        if (p.index < selfOffset) continue;
        const ann = p.annotation ? model.values(p.annotation) : [];
        if (ann.some((a) => FASTAPI_NON_DATA.test(a))) continue;
        // FastAPI validates typed parameters before the call: an `int`, a UUID or an Enum member carries no text.
        if (p.annotation && nonTextAnnotation(model, p.annotation)) nonTextParams.add(p.name);
        const def = p.default ? model.qname(p.default.type === 'call' ? p.default.child('function') : p.default) : undefined;
        if (def === 'fastapi.Depends' || def === 'fastapi.Security') continue;
        requestParams.add(p.name);
      }
    }
    return { framework, path, methods, requestParams, nonTextParams, decorator: dec };
  }
  const request = fn.params.find((p) => model.values(p.node).includes('django.http.HttpRequest'));
  if (request) {
    const requestParams = new Set(fn.params.filter((p) => p.index > request.index).map((p) => p.name));
    return { framework: 'django', methods: [], requestParams };
  }
  return undefined;
}

// Per model, by function node id (node objects are reused from one file to the next).
const djangoUse = new WeakMap<ModuleModel, Map<number, Set<string>>>();

/**
 * A Django view's request parameter: the first parameter (after `self`) of a function in a
 * module that uses Django, when the body reads request attributes from it (`x.GET`, `x.POST`).
 */
export function isDjangoRequestParam(model: ModuleModel, fn: FunctionInfo, b: Extract<Binding, { kind: 'param' }>): boolean {
  if (b.index !== (fn.cls ? 1 : 0)) return false;
  const django = model.importsModule('django') || model.importsModule('rest_framework');
  // Pyramid views take the same kind of request object first (`request.params`, `request.matchdict`).
  const pyramid = model.importsModule('pyramid');
  if (!django && !pyramid) return false;
  // A Pyramid view: registered with @view_config, or its first parameter is called request.
  if (!django && b.name !== 'request' && !fn.decorators.some((d) => /\bview_config\b/.test(d.text))) return false;
  let byFunction = djangoUse.get(model);
  if (!byFunction) djangoUse.set(model, (byFunction = new Map()));
  let used = byFunction.get(fn.node.id);
  if (!used) {
    const attrs = !pyramid ? DJANGO_REQUEST_ATTRS : !django ? PYRAMID_REQUEST_ATTRS : new Set([...DJANGO_REQUEST_ATTRS, ...PYRAMID_REQUEST_ATTRS]);
    used = new Set();
    for (const n of fn.node.walk())
      if (n.type === 'attribute') {
        const obj = n.child('object');
        const attr = n.child('attribute')?.text;
        if (obj?.type === 'identifier' && attr && attrs.has(attr)) used.add(obj.text);
      }
    byFunction.set(fn.node.id, used);
  }
  return used.has(b.name);
}

/** What a Pyramid view reads from its request (WebOb): read as the Django request's sources are. */
const PYRAMID_REQUEST_ATTRS = new Set(['params', 'matchdict', 'json_body', 'GET', 'POST', 'body', 'text', 'cookies', 'headers', 'path', 'path_qs', 'query_string', 'url']);

/** Types whose values carry no free text: numbers, flags, UUIDs, dates. */
const NON_TEXT_TYPES = /^(int|float|bool|complex|decimal\.Decimal|uuid\.UUID|pydantic\.(UUID[1345]|(Positive|Negative|NonNegative|NonPositive|Strict)(Int|Float)|StrictBool|conint|confloat|condecimal)|pydantic\.types\.\w+Int|datetime\.(date|datetime|time|timedelta)|ipaddress\.IPv[46]Address)$/;

/**
 * A parameter annotation that lets only non-text values through FastAPI's validation: a
 * non-text type, `Optional[...]`/`Annotated[...]`/`X | None` of one, a `Literal[...]` of
 * constants, or an Enum the snippet defines.
 */
export function nonTextAnnotation(model: ModuleModel, node: PyNode, depth = 0): boolean {
  if (depth > 4) return false;
  if (node.type === 'type' || node.type === 'parenthesized_expression') {
    const inner = node.namedChildren.find((c) => c.type !== 'comment');
    return !!inner && nonTextAnnotation(model, inner, depth + 1);
  }
  if (node.type === 'none') return true;
  if (node.type === 'binary_operator' && node.child('operator')?.text === '|')
    return [node.child('left'), node.child('right')].every((x) => !!x && nonTextAnnotation(model, x, depth + 1));
  if (node.type === 'generic_type' || node.type === 'subscript') {
    const head = node.type === 'subscript' ? node.child('value') : node.namedChildren.find((c) => c.type !== 'type_parameter');
    const args = node.type === 'subscript' ? node.childrenOf('subscript') : (node.children.find((c) => c.type === 'type_parameter')?.namedChildren ?? []);
    const name = head ? (model.qname(head) ?? head.text).replace(/^typing(_extensions)?\./, '') : '';
    if (name === 'Literal') return args.every((a) => model.isConstant(a.type === 'type' ? a.namedChildren[0] : a));
    if (name === 'Annotated') return !!args[0] && nonTextAnnotation(model, args[0], depth + 1);
    if (name === 'Optional' || name === 'Union') return args.length > 0 && args.every((a) => nonTextAnnotation(model, a, depth + 1));
    return false;
  }
  const names = model.values(node);
  if (names.length === 0) return false;
  return names.every((n) => NON_TEXT_TYPES.test(n) || n === 'None' || isEnumClass(model, n));
}

function isEnumClass(model: ModuleModel, qname: string): boolean {
  if (!qname.startsWith('$.')) return false;
  const cls = model.classes.find((c) => c.qname === qname);
  return !!cls && model.baseNames(cls).some((b) => /^enum\.(Enum|IntEnum|StrEnum|Flag|IntFlag)$/.test(b));
}
