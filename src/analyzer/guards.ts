import type { PyNode } from './ast.js';
import type { ModuleModel } from './model.js';
import type { SinkKind } from './taint.js';

/**
 * Checks in `if` statements that make a variable safe for a kind of sink:
 * `if x in ALLOWED:` (inside), `if x not in ALLOWED: return` (after), `re.fullmatch`,
 * `str.isalnum()`, `realpath(p).startswith(BASE)`, `urlparse(u).netloc in HOSTS`, and calls
 * to the snippet's own validation functions.
 *
 * Polarity: 'safe-if-true' when the condition holding means the value is safe,
 * 'safe-if-false' when it holding means the value is bad (`'..' in name`).
 */
type Polarity = 'safe-if-true' | 'safe-if-false';

const EXIT_CALLS = new Set(['flask.abort', 'abort', 'sys.exit', 'exit', 'quit', 'os._exit', 'werkzeug.exceptions.abort', 'fastapi.HTTPException']);
const NOT_VALIDATORS = new Set([
  'len',
  'str',
  'print',
  'any',
  'all',
  'bool',
  'hasattr',
  'getattr',
  'callable',
  'type',
  'open',
  'repr',
  'list',
  'dict',
  'set',
  'sorted',
  'max',
  'min',
  'sum',
]);
const CHAR_CLASS_METHODS = new Set(['isdigit', 'isnumeric', 'isdecimal', 'isalnum', 'isalpha', 'isidentifier']);
const PATH_NORMALISERS = /^(os\.path\.(realpath|abspath|normpath)|pathlib\.Path(\.resolve|\.absolute)?|os\.path\.join)/;

const LOCAL_PATH_FACTS = ['slash', 'no-double', 'no-backslash'];

export class Guards {
  /** Per kind, per identifier id. */
  private readonly memo = new Map<SinkKind, Map<number, number>>();

  constructor(private readonly model: ModuleModel) {}

  /**
   * Start index of the latest guard protecting this identifier use for `kind`, or -2 when
   * none does. Bindings made before that index are considered checked.
   */
  latestGuard(use: PyNode, kind: SinkKind): number {
    let memo = this.memo.get(kind);
    if (!memo) this.memo.set(kind, (memo = new Map()));
    const known = memo.get(use.id);
    if (known !== undefined) return known;
    const result = this.compute(use, kind);
    memo.set(use.id, result);
    return result;
  }

  private compute(use: PyNode, kind: SinkKind): number {
    const name = use.text;
    let latest = -2;
    let child: PyNode = use;
    for (let p = use.parent; p; child = p, p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
      if (p.type === 'if_statement' || p.type === 'elif_clause') {
        const cond = p.child('condition');
        const consequence = p.child('consequence');
        if (cond && consequence?.contains(use) && this.polarity(cond, name, kind) === 'safe-if-true') latest = Math.max(latest, p.startIndex);
        if (cond && p.type === 'if_statement') {
          const elseClause = p.children.find((c) => c.type === 'else_clause');
          if (elseClause?.contains(use) && !p.children.some((c) => c.type === 'elif_clause') && this.polarity(cond, name, kind) === 'safe-if-false')
            latest = Math.max(latest, p.startIndex);
        }
      }
      if (p.type === 'conditional_expression') {
        const [whenTrue, cond, whenFalse] = p.namedChildren;
        if (cond && whenTrue?.contains(use) && this.polarity(cond, name, kind) === 'safe-if-true') latest = Math.max(latest, p.startIndex);
        if (cond && whenFalse?.contains(use) && this.polarity(cond, name, kind) === 'safe-if-false') latest = Math.max(latest, p.startIndex);
      }
      if (p.type === 'boolean_operator' && p.child('operator')?.text === 'and') {
        const left = p.child('left');
        const right = p.child('right');
        if (left && right?.contains(use) && this.polarity(left, name, kind) === 'safe-if-true') latest = Math.max(latest, p.startIndex);
      }
      if (p.type === 'block' || p.type === 'module') {
        // Earlier statements in the same block: `if bad(x): return` and `assert good(x)`.
        for (const s of p.children) {
          if (s === child || s.startIndex >= child.startIndex) break;
          latest = Math.max(latest, this.statementGuard(s, name, kind));
          // `try: ...; if bad(x): return ... except E: return ...`: past the try, its body ran to the end.
          if (s.type === 'try_statement' && handlersLeave(s, this.model))
            for (const inner of s.child('body')?.children ?? []) latest = Math.max(latest, this.statementGuard(inner, name, kind));
        }
      }
    }
    return latest;
  }

  /** Start of `s` when it is an `if bad(x): return` / `assert good(x)` guard for `name`, else -2. */
  private statementGuard(s: PyNode, name: string, kind: SinkKind): number {
    if (s.type === 'if_statement') {
      const cond = s.child('condition');
      if (!cond) return -2;
      const pol = this.polarity(cond, name, kind);
      const hasElif = s.children.some((c) => c.type === 'elif_clause');
      const elseClause = s.children.find((c) => c.type === 'else_clause');
      // `if bad(x): return` — or `if bad(x): x = DEFAULT`, which also leaves only checked values.
      if (pol === 'safe-if-false' && !hasElif && (exits(s.child('consequence'), this.model) || reassigns(s.child('consequence'), name))) return s.startIndex;
      if (pol === 'safe-if-true' && elseClause && !hasElif && exits(elseClause.child('body'), this.model)) return s.startIndex;
    } else if (s.type === 'assert_statement') {
      const cond = s.namedChildren[0];
      if (cond && this.polarity(cond, name, kind) === 'safe-if-true') return s.startIndex;
    }
    return -2;
  }

  /** Whether a condition vouches for the variable `name` (or spoils it), for this kind. */
  polarity(cond: PyNode, name: string, kind: SinkKind, depth = 0): Polarity | undefined {
    if (depth > 8) return undefined;
    // A local path a browser cannot read as another host: `/...`, but not `//host` nor `/\host`.
    if (kind === 'redirect' && depth === 0 && (cond.type === 'boolean_operator' || cond.type === 'not_operator' || cond.type === 'parenthesized_expression')) {
      const all = (facts: Set<string>): boolean => LOCAL_PATH_FACTS.every((f) => facts.has(f));
      if (all(this.pathFacts(cond, name, true))) return 'safe-if-true';
      if (all(this.pathFacts(cond, name, false))) return 'safe-if-false';
    }
    // A path check must rule out both `..` and an absolute path (`os.path.join(BASE, '/etc/passwd')`
    // drops BASE): `'..' in x or os.path.isabs(x)`, `x.startswith('/') or '..' in x`.
    if (kind === 'path' && depth === 0 && (cond.type === 'boolean_operator' || cond.type === 'not_operator' || cond.type === 'parenthesized_expression')) {
      const both = (facts: Set<string>): boolean => facts.has('no-dotdot') && facts.has('not-abs');
      if (both(this.traversalFacts(cond, name, true))) return 'safe-if-true';
      if (both(this.traversalFacts(cond, name, false))) return 'safe-if-false';
    }
    switch (cond.type) {
      case 'parenthesized_expression': {
        const inner = cond.namedChildren[0];
        return inner ? this.polarity(inner, name, kind, depth + 1) : undefined;
      }
      case 'not_operator': {
        const inner = cond.child('argument');
        const p = inner ? this.polarity(inner, name, kind, depth + 1) : undefined;
        return p === 'safe-if-true' ? 'safe-if-false' : p === 'safe-if-false' ? 'safe-if-true' : undefined;
      }
      case 'boolean_operator': {
        const op = cond.child('operator')?.text;
        const l = cond.child('left');
        const r = cond.child('right');
        const pl = l ? this.polarity(l, name, kind, depth + 1) : undefined;
        const pr = r ? this.polarity(r, name, kind, depth + 1) : undefined;
        // `x == 'a' or x == 'b'`: either way x is one of the constants; `bad(x) and worse(x)` likewise.
        if (op === 'and') return pl === 'safe-if-true' || pr === 'safe-if-true' ? 'safe-if-true' : pl === 'safe-if-false' && pr === 'safe-if-false' ? 'safe-if-false' : undefined;
        if (op === 'or') return pl === 'safe-if-false' || pr === 'safe-if-false' ? 'safe-if-false' : pl === 'safe-if-true' && pr === 'safe-if-true' ? 'safe-if-true' : undefined;
        return undefined;
      }
      case 'comparison_operator':
        return this.comparison(cond, name, kind);
      case 'attribute': {
        // `ip = ipaddress.ip_address(resolved host)`; `if ip.is_private: abort()`.
        const attr = cond.child('attribute')?.text ?? '';
        if (kind !== 'ssrf' || !this.mentions(cond.child('object')!, name, 0)) return undefined;
        if (/^is_(private|loopback|link_local|reserved|multicast|unspecified|site_local)$/.test(attr)) return 'safe-if-false';
        if (attr === 'is_global') return 'safe-if-true';
        return undefined;
      }
      case 'identifier': {
        // `ok = check(x)` then `if not ok: return`.
        if (cond.text === name) return undefined;
        const bindings = this.model.reaching(cond);
        if (bindings.length !== 1 || bindings[0]!.kind !== 'assign' || bindings[0]!.path.length) return undefined;
        return this.polarity(bindings[0]!.value, name, kind, depth + 1);
      }
      case 'call':
        return this.callGuard(cond, name, kind);
      default:
        return undefined;
    }
  }

  /**
   * What a condition establishes when it evaluates to `when`, from what `leaf` says of its
   * parts: `not` flips `when`; `A and B` true, or `A or B` false, gives both sides' facts;
   * otherwise only the facts both sides share.
   */
  private factsOf(cond: PyNode, when: boolean, leaf: (cond: PyNode, when: boolean) => Set<string>, depth = 0): Set<string> {
    if (depth > 8) return new Set();
    switch (cond.type) {
      case 'parenthesized_expression':
        return cond.namedChildren[0] ? this.factsOf(cond.namedChildren[0], when, leaf, depth + 1) : new Set();
      case 'not_operator': {
        const argument = cond.child('argument');
        return argument ? this.factsOf(argument, !when, leaf, depth + 1) : new Set();
      }
      case 'boolean_operator': {
        const l = cond.child('left');
        const r = cond.child('right');
        if (!l || !r) return new Set();
        const a = this.factsOf(l, when, leaf, depth + 1);
        const b = this.factsOf(r, when, leaf, depth + 1);
        if ((cond.child('operator')?.text === 'and') === when) return new Set([...a, ...b]);
        return new Set([...a].filter((f) => b.has(f)));
      }
      default:
        return leaf(cond, when);
    }
  }

  /**
   * What a redirect check establishes about the target when it evaluates to `when`: 'slash'
   * (starts with `/`), 'no-double' (not `//`), 'no-backslash' (no `\\`, so no `/\\host`).
   */
  private pathFacts(cond: PyNode, name: string, when: boolean): Set<string> {
    return this.factsOf(cond, when, (leaf, holds) => this.pathLeafFacts(leaf, name, holds));
  }

  private pathLeafFacts(cond: PyNode, name: string, when: boolean): Set<string> {
    const none = new Set<string>();
    switch (cond.type) {
      case 'call': {
        const info = this.model.call(cond);
        if (info?.method !== 'startswith' || !info.receiver || !this.mentions(info.receiver, name, 2)) return none;
        const v = this.model.constValue(info.positional[0]);
        const prefixes = (Array.isArray(v) ? v : [v]).filter((p): p is string => typeof p === 'string');
        if (when && prefixes.length === 1 && prefixes[0] === '/') return new Set(['slash']);
        if (!when && prefixes.includes('//')) return new Set(prefixes.includes('/\\') ? ['no-double', 'no-backslash'] : ['no-double']);
        if (!when && prefixes.includes('/\\')) return new Set(['no-backslash']);
        return none;
      }
      case 'comparison_operator': {
        const test = membership(cond);
        if (!test || this.model.constString(test.needle) !== '\\' || !this.mentions(test.haystack, name, 2)) return none;
        return test.negated === when ? new Set(['no-backslash']) : none;
      }
      default:
        return none;
    }
  }

  private comparison(cond: PyNode, name: string, kind: SinkKind): Polarity | undefined {
    const single = singleComparison(cond);
    if (!single) return undefined;
    const { left, op, right } = single;
    // Checking something computed from x (its extension, its length) says little about x
    // itself, except for URLs, whose host part is what a redirect or request check is about.
    const derivedOk = kind === 'redirect' || kind === 'ssrf' || kind === 'url-scheme';
    const subjectOf = (e: PyNode): boolean => this.mentions(e, name, derivedOk ? 0 : 2);
    if (op === 'in' || op === 'not in') {
      const positive = op === 'in';
      // `x in ALLOWED` with a collection on the right.
      if (subjectOf(left) && this.isCollection(right)) return positive ? 'safe-if-true' : 'safe-if-false';
      // `'..' in name`: the value contains something bad.
      if (this.mentions(right, name, 2) && kind === 'path') {
        const needle = this.model.constString(left);
        if (needle === '/' || needle === '\\') return positive ? 'safe-if-false' : 'safe-if-true';
        // Without `..` a path can still be absolute, and os.path.join(BASE, '/etc/passwd') is
        // '/etc/passwd': only a value with a fixed text before the data cannot become one.
        if (needle !== undefined && needle.includes('..') && this.anchored(right)) return positive ? 'safe-if-false' : 'safe-if-true';
      }
      return undefined;
    }
    if (op === '==' || op === '!=' || op === 'is' || op === 'is not') {
      const positive = op === '==' || op === 'is';
      // `check(x) is None`, `re.match(p, x) == None`: the check's polarity, flipped.
      const none = [left, right].find((o) => o.type === 'none' || o.type === 'false');
      const check = none === left ? right : none === right ? left : undefined;
      if (none && check && check.type === 'call') {
        const p = this.polarity(check, name, kind);
        if (!p) return undefined;
        return positive === (p === 'safe-if-true') ? 'safe-if-false' : 'safe-if-true';
      }
      const [subject, other] = subjectOf(left) ? [left, right] : subjectOf(right) ? [right, left] : [undefined, undefined];
      if (!subject || !other) return undefined;
      const v = this.model.constValue(other);
      // `x == 'a'` pins x down; `x.method == 'POST'`, `len(x) == 3` or `splitext(x)[1] == '.txt'`
      // only a property of it (URLs aside: their host is what redirect and request checks are about).
      const commonPath = kind === 'path' && subject.type === 'call' && /commonpath|commonprefix/.test(this.model.qname(subject.child('function')) ?? '');
      // `os.path.dirname(x) == ''`: a bare name, no folder part and not absolute ('..' alone
      // names a folder, which no file call opens).
      const bareName = kind === 'path' && v === '' && subject.type === 'call' && /^(os\.path|posixpath|ntpath)\.dirname$/.test(this.model.qname(subject.child('function')) ?? '');
      if (!derivedOk && !commonPath && !bareName && (typeof v === 'string' || typeof v === 'number') && !this.isValueOf(subject, name)) return undefined;
      // `urlparse(u).netloc == ''` lets `///evil.com` and `/\evil.com` through: urlparse sees no
      // host there, browsers go to evil.com (unless the framework re-encodes the Location).
      if (v === '' && kind === 'redirect' && /\.(netloc|hostname)$/.test(subject.text)) return undefined;
      if (typeof v === 'string' || typeof v === 'number') return positive ? 'safe-if-true' : 'safe-if-false';
      // `sig == hmac.new(KEY, data, sha256).hexdigest()` (timing aside, it authenticates data).
      if (kind === 'deserialize' && (this.signs(left, name) || this.signs(right, name))) return positive ? 'safe-if-true' : 'safe-if-false';
      // `os.path.commonpath([base, p]) == base`
      if (kind === 'path' && subject.type === 'call' && /commonpath|commonprefix/.test(this.model.qname(subject.child('function')) ?? '')) return positive ? 'safe-if-true' : 'safe-if-false';
      // `urlparse(u).netloc == request.host`
      if ((kind === 'redirect' || kind === 'ssrf') && /\.(netloc|hostname)$/.test(subject.text)) return positive ? 'safe-if-true' : 'safe-if-false';
    }
    return undefined;
  }

  private callGuard(cond: PyNode, name: string, kind: SinkKind): Polarity | undefined {
    const info = this.model.call(cond);
    if (!info) return undefined;
    const q = info.qname ?? '';
    const mentionsArg = info.positional.some((a) => this.mentions(a, name)) || [...info.keywords.values()].some((a) => this.mentions(a, name));
    if (q === 'bool' && info.positional.length === 1) return this.polarity(info.positional[0]!, name, kind);
    // Data whose HMAC was checked (`hmac.compare_digest(sig, hmac.new(KEY, data, ...).digest())`)
    // was written by whoever holds the key: loading it is as safe as the key.
    if (kind === 'deserialize' && /^(hmac|secrets)\.compare_digest$/.test(q) && info.positional.some((a) => this.signs(a, name))) return 'safe-if-true';
    if (info.method && info.receiver && CHAR_CLASS_METHODS.has(info.method) && this.mentions(info.receiver, name)) return 'safe-if-true';
    if (q === 'isinstance' && info.positional[0] && this.mentions(info.positional[0], name)) {
      const types = info.positional[1]?.text ?? '';
      if (/\b(int|float|bool|uuid\.UUID|UUID)\b/.test(types)) return 'safe-if-true';
      // Flask serialises dicts and lists as JSON, never as HTML.
      if (kind === 'xss' && /^\(?\s*(dict|list)\b/.test(types) && !/\bstr\b/.test(types)) return 'safe-if-true';
    }
    if (/^re\.(fullmatch|match|prefixmatch|search)$/.test(q) || (/^re\.Pattern\.(fullmatch|match|prefixmatch|search)$/.test(q) && info.receiver)) {
      const subject = q.startsWith('re.Pattern') ? info.arg(0, 'string') : info.arg(1, 'string');
      if (!subject || !this.mentions(subject, name)) return undefined;
      const patternArg = info.arg(0, 'pattern');
      const pattern = q.startsWith('re.Pattern')
        ? this.compiledPattern(info.receiver!)
        : (this.model.constString(patternArg) ?? (patternArg ? this.compiledPattern(patternArg) : undefined));
      if (pattern === undefined) return undefined;
      // `prefixmatch` is `match` under its Python 3.15 name.
      const method = q.slice(q.lastIndexOf('.') + 1).replace('prefixmatch', 'match');
      return anchoredPattern(pattern, method, kind) ? 'safe-if-true' : undefined;
    }
    if ((kind === 'url-scheme' || kind === 'ssrf' || kind === 'redirect') && info.method === 'startswith' && info.receiver && this.mentions(info.receiver, name, 2)) {
      const prefix = this.model.constValue(info.positional[0]);
      const prefixes = Array.isArray(prefix) ? prefix : [prefix];
      if (kind === 'url-scheme' && prefixes.every((p) => typeof p === 'string' && /^https?(:|$)/i.test(p))) return 'safe-if-true';
      // A fixed scheme and host (`https://example.com/`), or a local path that cannot be `//host`.
      if (prefixes.every((p) => typeof p === 'string' && /^https?:\/\/[^/]+\//i.test(p))) return 'safe-if-true';
      return undefined;
    }
    // `urlparse(u).hostname.endswith('.example.com')`: a subdomain of a fixed domain (the dot
    // keeps out evil-example.com). Without the dot, or on the whole URL, it proves nothing.
    if ((kind === 'ssrf' || kind === 'redirect') && info.method === 'endswith' && info.receiver && this.mentions(info.receiver, name) && this.isHostOf(info.receiver)) {
      const v = this.model.constValue(info.positional[0]);
      const suffixes = Array.isArray(v) ? v : [v];
      if (suffixes.length && suffixes.every((sfx) => typeof sfx === 'string' && /^\.[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(sfx))) return 'safe-if-true';
      return undefined;
    }
    if (kind === 'path' && info.method === 'startswith' && info.receiver && this.mentions(info.receiver, name)) {
      // `normpath(p).startswith('/')` or `startswith('')` pins nothing down.
      const prefix = this.model.constValue(info.positional[0]);
      if ((Array.isArray(prefix) ? prefix : [prefix]).some((p) => p === '' || p === '/' || p === '\\')) return undefined;
      if (this.normalisedPath(info.receiver, name)) return 'safe-if-true';
      return undefined;
    }
    if (kind === 'path' && info.method === 'is_relative_to' && info.receiver && this.mentions(info.receiver, name)) return 'safe-if-true';
    // Django's checks (a function of the snippet's own is judged by its body below).
    if (/url_has_allowed_host_and_scheme|is_safe_url/.test(q) && !q.startsWith('$.') && mentionsArg) return 'safe-if-true';
    // The snippet's own validation function (`if not is_valid(x): return`) when its body
    // checks something relevant to the kind, or one it calls without defining it.
    if (mentionsArg && q.startsWith('$.')) {
      const def = this.model.localDefinition(q);
      return def && validatorFits(def, kind) ? 'safe-if-true' : undefined;
    }
    if (mentionsArg && !q.includes('.') && !NOT_VALIDATORS.has(q) && info.callee.type === 'identifier' && this.model.reaching(info.callee).length === 0 && !isBuiltin(q))
      return 'safe-if-true';
    return undefined;
  }

  /** The expression is the value of `name` itself, maybe normalised (`x`, `x.lower()`, `str(x).strip()`). */
  private isValueOf(expr: PyNode, name: string, depth = 0): boolean {
    if (depth > 3) return false;
    if (expr.type === 'identifier') return expr.text === name || this.mentions(expr, name);
    if (expr.type === 'parenthesized_expression') return !!expr.namedChildren[0] && this.isValueOf(expr.namedChildren[0], name, depth + 1);
    if (expr.type !== 'call') return false;
    const info = this.model.call(expr);
    if (!info) return false;
    if (info.receiver && /^(lower|upper|strip|lstrip|rstrip|casefold|title)$/.test(info.method ?? '')) return this.isValueOf(info.receiver, name, depth + 1);
    if (/^(str|int|float)$/.test(info.qname ?? '') && info.positional.length === 1) return this.isValueOf(info.positional[0]!, name, depth + 1);
    return false;
  }

  /** The host part of a parsed URL: `urlparse(u).hostname`, `.netloc`, or a name bound to one. */
  private isHostOf(node: PyNode, depth = 0): boolean {
    if (depth > 3) return false;
    if (node.type === 'attribute') return /^(hostname|netloc|host)$/.test(node.child('attribute')?.text ?? '');
    if (node.type === 'call') {
      const info = this.model.call(node);
      return !!info?.receiver && /^(lower|strip|rstrip)$/.test(info.method ?? '') && this.isHostOf(info.receiver, depth + 1);
    }
    if (node.type === 'identifier') {
      const bindings = this.model.reaching(node);
      return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && !b.path.length && this.isHostOf(b.value, depth + 1));
    }
    return false;
  }

  /** `os.path.realpath(os.path.join(BASE, x))` or a name bound to such a value. */
  private normalisedPath(node: PyNode, name: string, depth = 0): boolean {
    if (depth > 4) return false;
    if (node.type === 'call') {
      const q = this.model.qname(node.child('function')) ?? '';
      if (/^os\.path\.(realpath|abspath|normpath)$/.test(q) || /^pathlib\.Path\.(resolve|absolute)$/.test(q) || /(^|\.)safe_join$/.test(q)) return true;
      if (/\.(resolve|absolute)$/.test(node.child('function')?.text ?? '')) return true;
      const info = this.model.call(node);
      if (info?.method === 'startswith' && info.receiver) return this.normalisedPath(info.receiver, name, depth + 1);
      // The snippet's own helper that returns a normalised path (`def normalize(p): return os.path.normpath(p)`).
      const def = q.startsWith('$.') ? this.model.localDefinition(q) : undefined;
      const fn = def?.type === 'function_definition' ? this.model.functionInfo(def) : undefined;
      if (fn && fn.returns.length && fn.returns.every((r) => this.normalisedPath(r, name, depth + 1))) return true;
      return false;
    }
    if (node.type === 'identifier') {
      for (const b of this.model.reaching(node)) if (b.kind === 'assign' && this.normalisedPath(b.value, name, depth + 1)) return true;
    }
    if (node.type === 'call' && PATH_NORMALISERS.test(this.model.qname(node.child('function')) ?? '')) return true;
    return false;
  }

  /**
   * What a path check establishes about the value when it evaluates to `when`: 'no-dotdot'
   * (no `..` in it) and 'not-abs' (not an absolute path, so a join keeps its base).
   */
  private traversalFacts(cond: PyNode, name: string, when: boolean): Set<string> {
    return this.factsOf(cond, when, (leaf, holds) => this.traversalLeafFacts(leaf, name, holds));
  }

  private traversalLeafFacts(cond: PyNode, name: string, when: boolean): Set<string> {
    const none = new Set<string>();
    switch (cond.type) {
      case 'comparison_operator': {
        const test = membership(cond);
        if (!test || !this.mentions(test.haystack, name, 2)) return none;
        const needle = this.model.constString(test.needle);
        // `'..' in x` false, or `'..' not in x` true.
        if (test.negated !== when) return none;
        if (needle === '/' || needle === '\\') return new Set(['no-dotdot', 'not-abs']);
        return needle !== undefined && needle.includes('..') ? new Set(['no-dotdot']) : none;
      }
      case 'call': {
        const info = this.model.call(cond);
        if (!info) return none;
        // `os.path.isabs(x)`, `Path(x).is_absolute()`, `x.startswith('/')` (or a tuple with it) false.
        if (when) return none;
        if (/^(os\.path|posixpath|ntpath)\.isabs$/.test(info.qname ?? '') && info.positional[0] && this.mentions(info.positional[0], name, 2)) return new Set(['not-abs']);
        if (info.method === 'is_absolute' && info.receiver && this.mentions(info.receiver, name, 2)) return new Set(['not-abs']);
        if (info.method === 'startswith' && info.receiver && this.mentions(info.receiver, name, 2)) {
          const v = this.model.constValue(info.positional[0]);
          const prefixes = (Array.isArray(v) ? v : [v]).filter((p): p is string => typeof p === 'string');
          const facts = new Set<string>();
          if (prefixes.includes('/') || prefixes.includes('\\')) facts.add('not-abs');
          return facts;
        }
        return none;
      }
      default:
        return none;
    }
  }

  /** The value starts with fixed text (`'img-' + name`, `f'uploads/{name}'`), so it cannot be an absolute path that resets a join. */
  private anchored(expr: PyNode, depth = 0): boolean {
    if (depth > 3) return false;
    if (expr.type === 'identifier') {
      const bindings = this.model.reaching(expr);
      return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && !b.path.length && this.anchored(b.value, depth + 1));
    }
    if (expr.type === 'call') {
      const info = this.model.call(expr);
      // os.path.join(BASE, 'img-' + name): every part after the first keeps the base.
      if (info && /^(os\.path|posixpath)\.join$/.test(info.qname ?? '') && info.positional.length >= 2 && !info.hasSplat)
        return info.positional.slice(1).every((a) => this.model.isConstant(a) ? !/^[\/\\]/.test(this.model.constString(a) ?? '') : this.anchored(a, depth + 1));
    }
    const text = this.model.templateText(expr);
    return text !== undefined && text.length > 0 && !text.startsWith('{}');
  }

  private compiledPattern(receiver: PyNode): string | undefined {
    const direct = receiver.type === 'call' ? receiver : undefined;
    const calls = direct ? [direct] : receiver.type === 'identifier' ? this.model.reaching(receiver).flatMap((b) => (b.kind === 'assign' && b.value.type === 'call' ? [b.value] : [])) : [];
    for (const c of calls) {
      const info = this.model.call(c);
      if (info?.qname === 're.compile') return this.model.constString(info.arg(0, 'pattern'));
    }
    return undefined;
  }

  /** The expression uses `name` directly, or through a variable computed from it. */
  /** `hmac.new(key, <name>, ...)` (its digest) in the expression or in the value of a name it uses. */
  private signs(expr: PyNode, name: string, depth = 0): boolean {
    if (depth > 2) return false;
    for (const n of expr.walk()) {
      if (n.type === 'call') {
        const info = this.model.call(n);
        if (info && /^hmac\.(new|HMAC|digest)$/.test(info.qname ?? '') && [...info.positional.slice(1), ...info.keywords.values()].some((a) => this.mentions(a, name))) return true;
      }
      if (n.type === 'identifier' && n.field !== 'attribute')
        for (const b of this.model.reaching(n)) if (b.kind === 'assign' && this.signs(b.value, name, depth + 1)) return true;
    }
    return false;
  }

  mentions(expr: PyNode, name: string, depth = 0): boolean {
    for (const n of expr.walk()) {
      if (n.type !== 'identifier' || n.field === 'attribute' || (n.parent?.type === 'keyword_argument' && n.field === 'name')) continue;
      if (n.text === name) return true;
      if (depth < 2)
        for (const b of this.model.reaching(n))
          if ((b.kind === 'assign' || b.kind === 'augassign') && this.mentions(b.value, name, depth + 1)) return true;
    }
    return false;
  }

  private isCollection(node: PyNode): boolean {
    if (['list', 'tuple', 'set', 'dictionary'].includes(node.type)) return true;
    if (node.type === 'call') {
      const info = this.model.call(node);
      if (info?.method === 'keys' || info?.method === 'values') return true;
      const q = info?.qname;
      return q === 'set' || q === 'frozenset' || q === 'list' || q === 'tuple' || q === 'dict';
    }
    if (node.type === 'identifier' || node.type === 'attribute' || node.type === 'subscript') {
      const v = this.model.constValue(node);
      if (Array.isArray(v)) return true;
      if (typeof v === 'string') return false;
      if (node.type === 'identifier') {
        const bindings = this.model.reaching(node);
        if (bindings.length && bindings.every((b) => b.kind === 'assign' && ['list', 'tuple', 'set', 'dictionary', 'call', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension'].includes(b.value.type))) {
          return bindings.every((b) => b.kind !== 'assign' || b.value.type !== 'call' || this.isCollection(b.value));
        }
        // An unknown upper-case global: by convention a constant collection such as ALLOWED_HOSTS.
        return bindings.length === 0 ? /^[A-Z][A-Z0-9_]*$/.test(node.text) : false;
      }
      return node.type === 'attribute' && /\.[A-Z][A-Z0-9_]*$/.test(node.text);
    }
    return false;
  }
}

/** Evidence in a validation function's body that it checks what matters for the sink kind. */
const VALIDATOR_EVIDENCE: Record<string, RegExp> = {
  path: /\.\.|basename|realpath|abspath|normpath|secure_filename|safe_join|commonpath|is_relative_to|isalnum|isalpha|fullmatch|re\.match|['"]\/['"]|os\.sep|\bin\s+[A-Z_]+\b/,
  redirect: /netloc|hostname|urlparse|urlsplit|startswith|fullmatch|re\.match|re\.search|\bin\s+[A-Za-z_]+|==/,
  ssrf: /netloc|hostname|urlparse|urlsplit|startswith|fullmatch|re\.match|re\.search|isalnum|isdigit|\bin\s+[A-Za-z_]+|==/,
};

function validatorFits(def: PyNode, kind: SinkKind): boolean {
  const body = def.child('body');
  if (!body) return false;
  // A stub (`pass`, `return True`, only a docstring) validates nothing.
  const statements = body.namedChildren.filter((st) => st.type !== 'comment' && !(st.type === 'expression_statement' && st.namedChildren[0]?.type === 'string'));
  if (statements.every((st) => st.type === 'pass_statement' || (st.type === 'return_statement' && /^return\s+True$/.test(st.text.trim())))) return false;
  const evidence = VALIDATOR_EVIDENCE[kind];
  if (kind === 'redirect' && passesHostlessTarget(body.text)) return false;
  return evidence ? evidence.test(body.text) : true;
}

/**
 * A redirect check that compares the host of `urljoin(own_url, target)` with its own host
 * passes `///evil.com` and `/\evil.com`: the join keeps the own host (urlparse sees none in
 * the target), while browsers read both as `//evil.com` and leave the site. Fine when the
 * function also turns away backslashes and a leading `//` itself.
 */
function passesHostlessTarget(body: string): boolean {
  if (/\\\\/.test(body) && /['"]\/\/['"]/.test(body)) return false;
  return /\burljoin\s*\(/.test(body) && /\.(netloc|hostname)\b/.test(body);
}

function isBuiltin(name: string): boolean {
  return ['int', 'float', 'isinstance', 'issubclass', 'eval', 'exec', 'input', 'ord', 'chr', 'abs', 'round', 'iter', 'next', 'format', 'id', 'hash', 'zip', 'map', 'filter', 'range', 'enumerate', 'vars', 'dir', 'globals', 'locals', 'compile', 'super'].includes(name);
}

/** A pattern that pins the whole value down: anchored at both ends, no wildcard dot in hosts. */
function anchoredPattern(pattern: string, method: string, kind: SinkKind): boolean {
  const start = method === 'fullmatch' || method === 'match' || pattern.startsWith('^') || pattern.startsWith('\\A');
  const end = method === 'fullmatch' || /(^|[^\\])(\$|\\Z|\\z)\)?$/.test(pattern);
  if (!start) return false;
  // `^/[^/]...`: a local path that cannot start with `//`.
  if (kind === 'redirect' && start && /^\^?\/(\[\^[^\]]*\/|\(\?!\/)/.test(pattern)) return true;
  if ((kind === 'redirect' || kind === 'ssrf') && pinnedHostPrefix(pattern)) return true;
  if (!end) return false;
  if (kind === 'redirect' || kind === 'ssrf') {
    const scheme = pattern.indexOf('://');
    if (scheme >= 0) {
      // The host right after the scheme must be spelled out (`example\.com`), not a class.
      const host = pattern.slice(scheme + 3);
      return /^(\((\?:)?[a-z0-9-]*\\\.\)\??)?[a-z0-9-]+(\\\.[a-z0-9-]+)+(\/|:|\$|\\Z|\(|\[\/)/i.test(host);
    }
    // No scheme: the pattern must not admit `/`, `:` or `.`-wildcards, else `//evil.com` fits.
    const outside = pattern.replace(/\\\\/g, '').replace(/\[[^\]]*\]/g, '');
    if (/\\[SWD]|(^|[^\\])\./.test(outside) || /\[\^/.test(pattern)) return false;
    for (const cls of pattern.match(/\[[^\]]*\]/g) ?? []) if (/[\/:]|\\S|\\W/.test(cls)) return false;
  }
  return true;
}

/**
 * The pattern spells out where the URL goes before anything variable: a scheme and host
 * followed by `/` (`^https://example\.com/`), or, without a scheme, a host name followed by
 * `/` (`(www|beta)\.example\.com/`: a relative path that stays on the site).
 */
function pinnedHostPrefix(pattern: string): boolean {
  const host = String.raw`(\((\?:)?[a-z0-9-]+(\|[a-z0-9-]+)*\)\??|[a-z0-9-]+)(\\.[a-z0-9-]+)+`;
  return new RegExp(String.raw`^(\^|\A)?(https?s?\??:\/\/|\(https?\|https?\):\/\/|https\?:\/\/)?` + host + String.raw`(:\d+)?\/`, 'i').test(pattern);
}

/** A `try` with handlers that all leave (so code after it only runs when the body completed). */
function handlersLeave(tryStmt: PyNode, model: ModuleModel): boolean {
  const handlers = tryStmt.children.filter((c) => c.type === 'except_clause');
  return handlers.length > 0 && handlers.every((h) => exits(h.namedChildren.find((c) => c.type === 'block'), model));
}

/** The block rebinds `name` in a top-level assignment. */
function reassigns(block: PyNode | undefined, name: string): boolean {
  if (!block) return false;
  return block.namedChildren.some((st) => st.type === 'expression_statement' && st.namedChildren[0]?.type === 'assignment' && st.namedChildren[0].child('left')?.text === name);
}

/** A block that always leaves: ends in return/raise/continue/break or abort()/sys.exit(). */
export function exits(block: PyNode | undefined, model: ModuleModel): boolean {
  if (!block) return false;
  const stmts = block.namedChildren.filter((c) => c.type !== 'comment');
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  switch (last.type) {
    case 'return_statement':
    case 'raise_statement':
    case 'continue_statement':
    case 'break_statement':
      return true;
    case 'expression_statement': {
      const call = last.namedChildren[0];
      if (call?.type !== 'call') return false;
      const q = model.qname(call.child('function')) ?? '';
      return EXIT_CALLS.has(q) || /(^|\.)abort$/.test(q);
    }
    case 'if_statement': {
      const elseClause = last.children.find((c) => c.type === 'else_clause');
      if (!elseClause) return false;
      const branches = [last.child('consequence'), ...last.children.filter((c) => c.type === 'elif_clause').map((e) => e.child('consequence')), elseClause.child('body')];
      return branches.every((b) => exits(b, model));
    }
    default:
      return false;
  }
}

/** A comparison with one operator (`a == b`, `a not in b`), operator spaces normalised. */
function singleComparison(cond: PyNode): { left: PyNode; op: string; right: PyNode } | undefined {
  const ops = cond.childrenOf('operators');
  const operands = cond.namedChildren.filter((c) => c.field !== 'operators' && c.type !== 'comment');
  if (ops.length !== 1 || operands.length !== 2) return undefined;
  return { left: operands[0]!, op: ops[0]!.text.replace(/\s+/g, ' '), right: operands[1]! };
}

/** `needle in haystack` or `needle not in haystack`. */
function membership(cond: PyNode): { needle: PyNode; haystack: PyNode; negated: boolean } | undefined {
  const single = singleComparison(cond);
  if (!single || (single.op !== 'in' && single.op !== 'not in')) return undefined;
  return { needle: single.left, haystack: single.right, negated: single.op === 'not in' };
}
