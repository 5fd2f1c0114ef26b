import type { PyNode } from './ast.js';
import type { FlowStep } from '../core/types.js';
import { Guards } from './guards.js';
import { NON_PROPAGATING_METHODS, SANITIZERS, SOURCES, type SourceOrigin } from './knowledge.js';
import { type CallInfo, elementAt, type FunctionInfo, type ModuleModel, startsWithName } from './model.js';
import type { Binding } from './scope.js';

/**
 * What a sink is exposed to. Sanitizers and guards are specific to a kind: `shlex.quote`
 * makes a value safe for a shell command, not for SQL. Rules may use their own strings.
 */
export type SinkKind =
  | 'sql'
  | 'command'
  | 'code'
  | 'path'
  | 'xss'
  | 'redirect'
  | 'ssrf'
  | 'ldap'
  | 'xpath'
  | 'nosql'
  | 'log'
  | 'header'
  | 'deserialize'
  | 'xml'
  | 'regex'
  | 'template'
  | (string & {});

/** Where tainted data came from. `parameter`: an argument of the snippet's own function. */
export type Origin = SourceOrigin | 'parameter';

export interface Taint {
  origin: Origin;
  /** Expression where the data entered (the request access, the parameter). */
  source: PyNode;
  /** Short description: `flask.request.args`, `parameter 'filename'`. */
  label: string;
  /** For `parameter`: the function and parameter. */
  fn?: FunctionInfo;
  param?: string;
  /** Source first, then each assignment or call the data went through. */
  steps: FlowStep[];
}

const MAX_TAINTS = 4;
/** Parsers whose ValueError message repeats the text they rejected. */
const QUOTING_PARSERS = new Set(['int', 'float', 'complex', 'decimal.Decimal', 'datetime.datetime.strptime', 'datetime.date.fromisoformat', 'uuid.UUID', 'ipaddress.ip_address']);
/**
 * File-system calls whose OSError names the path they were given
 * (`[Errno 2] No such file or directory: '/home/<b>x</b>'`).
 */
const PATH_QUOTING_CALLS =
  /^(open|io\.open|os\.(chdir|listdir|scandir|remove|unlink|rmdir|mkdir|makedirs|stat|lstat|open|rename|replace|chmod|chown|readlink|access)|shutil\.(copy|copy2|copyfile|copytree|move|rmtree)|pathlib\.Path\.(open|read_text|read_bytes|write_text|write_bytes|unlink|rmdir|mkdir|iterdir|stat))$/;
/** Handlers that catch an OSError: the error classes themselves or a catch-all. */
const OS_ERROR_HANDLER = /^(OSError|IOError|EnvironmentError|FileNotFoundError|PermissionError|NotADirectoryError|IsADirectoryError|FileExistsError|Exception|BaseException)$/;
const MAX_DEPTH = 60;
/**
 * Sanitizers with names no other library uses, by name alone: a snippet that calls
 * `secure_filename(...)` without importing it (or from a module spelt wrong) means Werkzeug's.
 */
const SANITIZERS_BY_NAME: Record<string, readonly string[]> = {
  secure_filename: SANITIZERS['werkzeug.utils.secure_filename']!,
  escape_filter_chars: SANITIZERS['ldap.filter.escape_filter_chars']!,
  escape_dn_chars: SANITIZERS['ldap.dn.escape_dn_chars']!,
};
/** Calls that open or read a file named by their argument (or receiver). */
const FILE_OPENERS = /^(open|io\.open|codecs\.open|gzip\.open|bz2\.open|lzma\.open|aiofiles\.open|pathlib\.Path\.(open|read_text|read_bytes))$/;
/** Kinds for which choosing the file is itself the danger. */
const FILE_CHOICE_KINDS = new Set<SinkKind>(['path', 'deserialize', 'xml', 'code', 'command', 'template', 'raw']);
/** Methods of str and bytes. */
const TEXT_METHODS = new Set(
  (
    'capitalize casefold center count decode encode endswith expandtabs find format format_map hex index isalnum isalpha isascii ' +
    'isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower lstrip maketrans ' +
    'partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip ' +
    'swapcase title translate upper zfill fromhex'
  ).split(' '),
);
const ORIGIN_RANK: Record<Origin, number> = { remote: 0, network: 1, local: 2, file: 3, parameter: 4 };

const SOURCE_INDEX = (() => {
  const m = new Map<string, Array<readonly [string, SourceOrigin, string]>>();
  for (const s of SOURCES) {
    const head = s[0].split(/[.([]/)[0]!;
    const list = m.get(head);
    if (list) list.push(s);
    else m.set(head, [s]);
  }
  return m;
})();

/** The source entry a qualified name falls under, if any. */
export function matchSource(q: string): readonly [string, SourceOrigin, string] | undefined {
  const head = q.split(/[.([]/)[0]!;
  for (const s of SOURCE_INDEX.get(head) ?? []) if (startsWithName(q, s[0])) return s;
  return undefined;
}

export function step(node: PyNode, message: string): FlowStep {
  // Each row is looked up once (the column getters would look it up again).
  const lineStarts = node.source.lineStarts;
  const startRow = node.startRow;
  const endRow = node.endRow;
  return {
    line: startRow + 1,
    column: node.startIndex - lineStarts[startRow]! + 1,
    endLine: endRow + 1,
    endColumn: node.endIndex - lineStarts[endRow]! + 1,
    message,
  };
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? one.slice(0, 57) + '...' : one;
}

/** Orders taints by how much they prove: request data first, parameters last. */
export function bestTaint(taints: Taint[]): Taint | undefined {
  let best: Taint | undefined;
  for (const t of taints) if (!best || ORIGIN_RANK[t.origin] < ORIGIN_RANK[best.origin]) best = t;
  return best;
}

/**
 * Demand-driven taint tracking over the semantic model. `of(expr, kind)` answers: can
 * untrusted data reach this expression without passing a sanitizer or guard for `kind`?
 * Results are memoised per (node, kind); each carries its path for SARIF codeFlows.
 */
export class TaintEngine {
  readonly guards: Guards;
  /** Per kind, per node id: no key strings to build on every query. */
  private readonly memo = new Map<SinkKind, Map<number, Taint[]>>();
  private readonly active = new Map<SinkKind, Set<number>>();
  private depth = 0;

  constructor(readonly model: ModuleModel) {
    this.guards = new Guards(model);
  }

  of(node: PyNode | undefined, kind: SinkKind): Taint[] {
    if (!node) return [];
    let memo = this.memo.get(kind);
    if (!memo) {
      this.memo.set(kind, (memo = new Map()));
      this.active.set(kind, new Set());
    }
    const known = memo.get(node.id);
    if (known) return known;
    const active = this.active.get(kind)!;
    if (active.has(node.id) || this.depth > MAX_DEPTH) return [];
    active.add(node.id);
    this.depth++;
    try {
      const result = limit(this.compute(node, kind));
      memo.set(node.id, result);
      return result;
    } finally {
      this.depth--;
      active.delete(node.id);
    }
  }

  /** True when some untrusted data reaches the expression (for this kind). */
  isTainted(node: PyNode | undefined, kind: SinkKind): boolean {
    return this.of(node, kind).length > 0;
  }

  private compute(node: PyNode, kind: SinkKind): Taint[] {
    switch (node.type) {
      case 'identifier':
        return this.identifier(node, kind);
      case 'attribute': {
        const src = this.sourceAt(node, kind);
        if (src) return [src];
        // `Path(p).name`: the last component only, no directory part left to climb with.
        if (kind === 'path' && /^(name|stem|suffix)$/.test(node.child('attribute')?.text ?? '') && this.model.values(node.child('object')!).some((v) => v.startsWith('pathlib.'))) return [];
        return this.of(node.child('object'), kind);
      }
      case 'subscript': {
        const src = this.sourceAt(node, kind);
        if (src) return [src];
        return this.of(node.child('value'), kind);
      }
      case 'call':
        return this.call(node, kind);
      case 'string': {
        const out: Taint[] = [];
        for (const c of node.children) {
          if (c.type !== 'interpolation') continue;
          // `{name!r}` writes repr(): line breaks arrive escaped, harmless in a log line or header.
          if ((kind === 'log' || kind === 'header') && /^!(r|a)$/.test(c.children.find((x) => x.type === 'type_conversion')?.text ?? '')) continue;
          out.push(...this.of(c.child('expression'), kind));
        }
        return out;
      }
      case 'binary_operator':
        // `Markup("<b>%s</b>") % name` escapes what it inserts.
        if (kind === 'xss' && node.child('operator')?.text === '%' && this.isMarkup(node.child('left'))) return this.of(node.child('left'), kind);
        return [...this.of(node.child('left'), kind), ...this.of(node.child('right'), kind)];
      case 'boolean_operator':
        return [...this.of(node.child('left'), kind), ...this.of(node.child('right'), kind)];
      case 'conditional_expression': {
        const [a, , b] = node.namedChildren;
        return [...this.of(a, kind), ...this.of(b, kind)];
      }
      case 'comparison_operator':
      case 'not_operator':
      case 'lambda':
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'comment':
        return [];
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return this.of(node.child('body'), kind);
      case 'dictionary_comprehension': {
        const body = node.child('body');
        return body ? [...this.of(body.child('key'), kind), ...this.of(body.child('value'), kind)] : [];
      }
      case 'pair':
        return [...this.of(node.child('key'), kind), ...this.of(node.child('value'), kind)];
      case 'keyword_argument':
        return this.of(node.child('value'), kind);
      case 'named_expression':
        return this.of(node.child('value'), kind);
      default: {
        // Containers, parentheses, splats, await, f-string pieces: any part taints the whole.
        const out: Taint[] = [];
        for (const c of node.namedChildren) {
          out.push(...this.of(c, kind));
          if (out.length >= MAX_TAINTS) break;
        }
        return out;
      }
    }
  }

  private sourceAt(node: PyNode, kind: SinkKind): Taint | undefined {
    // When the chain starts at a variable that already holds untrusted data (`cmd = input()`;
    // `cmd.split()`), the data's own path, with its guards, is the one to follow.
    const base = baseIdentifier(node);
    if (base && base !== node && this.model.reaching(base).some((b) => b.kind !== 'import' && b.kind !== 'param' && b.kind !== 'def' && b.kind !== 'class')) {
      if (this.model.values(base).some((q) => matchSource(q))) return undefined;
    }
    for (const value of this.model.values(node)) {
      const q = value.startsWith('request') ? this.freeRequest(value, base) : value;
      const s = matchSource(q) ?? (q.startsWith('$.') ? inheritedNames(this.model, q).map(matchSource).find((x) => x) : undefined);
      // A local file is the program's own data, except as a serialised object or XML bomb.
      if (s?.[1] === 'file' && kind !== 'deserialize' && kind !== 'xml') continue;
      if (s) return { origin: s[1], source: node, label: s[2], steps: [step(node, `untrusted data from ${s[2]}`)] };
    }
    return undefined;
  }

  /**
   * `request.args` where `request` is bound nowhere (the snippet forgot `from flask import
   * request`) in a module that imports Flask or Bottle: that framework's request object.
   */
  private freeRequest(q: string, base: PyNode | undefined): string {
    if (base?.text !== 'request' || !startsWithName(q, 'request') || this.model.reaching(base).length) return q;
    if (this.model.importsModule('flask')) return `flask.${q}`;
    if (this.model.importsModule('bottle')) return `bottle.${q}`;
    return q;
  }

  private identifier(node: PyNode, kind: SinkKind): Taint[] {
    const bindings = this.model.reaching(node);
    if (bindings.length === 0) return [];
    const guard = this.guards.latestGuard(node, kind);
    const out: Taint[] = [];
    for (const b of bindings) {
      if (b.position < guard && b.kind !== 'import') continue;
      for (const t of this.binding(b, node, kind)) out.push(t);
    }
    return out;
  }

  private binding(b: Binding, use: PyNode, kind: SinkKind): Taint[] {
    switch (b.kind) {
      case 'import': {
        const src = this.sourceAt(use, kind);
        return src ? [src] : [];
      }
      case 'assign': {
        const target = elementAt(b.value, b.path);
        return this.through(this.of(target.node, kind), b.node, `${b.name} = ${short(target.node.text)}`);
      }
      case 'augassign':
        return this.through([...this.of(b.value, kind), ...this.of(b.node, kind)], b.node, `${b.name} ${b.stmt.child('operator')?.text ?? '+='} ${short(b.value.text)}`);
      case 'mutate':
        return this.through(this.of(b.value, kind), b.stmt, `${b.name} updated: ${short(b.stmt.text)}`);
      case 'param':
        return this.parameter(b);
      case 'except':
        return this.exceptionMessage(b.node, kind);
      default:
        return [];
    }
  }

  private parameter(b: Extract<Binding, { kind: 'param' }>): Taint[] {
    const fn = this.model.functionInfo(b.fn);
    if (!fn) return []; // lambda parameters
    if (fn.cls && b.index === 0 && !fn.decorators.some((d) => d.text === 'staticmethod')) return [];
    const values = this.model.values(b.node);
    if (values.some((v) => v === 'django.http.HttpRequest' || v === 'fastapi.Request' || v.startsWith('$.'))) return [];
    // A WSGI application `app(environ, start_response)`: environ holds the request.
    if (b.name === 'environ' && fn.params.some((p) => p.name === 'start_response'))
      return [{ origin: 'remote', source: b.node, label: 'WSGI environ', steps: [step(b.node, 'request data in the WSGI environ')] }];
    if (fn.route?.nonTextParams?.has(b.name)) return [];
    if (fn.route?.requestParams.has(b.name))
      return [{ origin: 'remote', source: b.node, label: `route parameter '${b.name}'`, steps: [step(b.node, `request data in route parameter '${b.name}'`)] }];
    if (fn.route) return [];
    return [{ origin: 'parameter', source: b.node, label: `parameter '${b.name}'`, fn, param: b.name, steps: [step(b.node, `parameter '${b.name}' of ${fn.name}()`)] }];
  }

  /**
   * `except ValueError as e` after `int(text)`: the message quotes the rejected text
   * (`invalid literal for int() with base 10: '...'`), so e carries that data.
   */
  private exceptionMessage(name: PyNode, kind: SinkKind): Taint[] {
    // The message quotes the text with repr(): line breaks arrive escaped, so logs and
    // headers are safe from it; HTML, SQL and the like are not.
    if (kind === 'log' || kind === 'header') return [];
    const tryStmt = name.ancestor('try_statement');
    const body = tryStmt?.child('body');
    if (!body) return [];
    const out: Taint[] = [];
    const catchesOsError = handlerCatches(name, OS_ERROR_HANDLER);
    for (const n of body.walk()) {
      if (n.type !== 'call') continue;
      const info = this.model.call(n);
      if (!info) continue;
      if (info.qnames.some((q) => QUOTING_PARSERS.has(q))) {
        out.push(...this.through(this.of(info.positional[0], 'raw'), name, `${name.text}: exception message quoting the input of ${info.callee.text}()`));
      } else if (catchesOsError && info.qnames.some((q) => PATH_QUOTING_CALLS.test(q))) {
        // The path keeps whatever escaping it had for this kind (html.escape before chdir).
        const path = info.method && info.qnames.every((q) => q.startsWith('pathlib.')) ? info.receiver : info.positional[0];
        out.push(...this.through(this.of(path, kind), name, `${name.text}: error message naming the path given to ${info.callee.text}()`));
      }
    }
    return out;
  }

  private through(taints: Taint[], at: PyNode, message: string): Taint[] {
    if (taints.length === 0) return taints;
    const s = step(at, message);
    return taints.map((t) => (t.steps.some((x) => x.line === s.line) ? t : { ...t, steps: [...t.steps, s] }));
  }

  private call(node: PyNode, kind: SinkKind): Taint[] {
    const info = this.model.call(node);
    if (!info) return [];
    const qnames = info.qnames;
    for (const q of qnames) {
      const cleans = SANITIZERS[q] ?? (q.startsWith('$.') ? undefined : SANITIZERS_BY_NAME[q.slice(q.lastIndexOf('.') + 1)]);
      if (cleans && (cleans.includes('*') || cleans.includes(kind))) return [];
    }
    if (info.method && NON_PROPAGATING_METHODS.has(info.method)) return [];
    // `html = f.read(); html.escape(x)`: text has no such method, so the call raises and
    // returns nothing (a local named like a module shadows it in the whole function).
    if (info.method && info.receiver && !TEXT_METHODS.has(info.method) && !info.method.startsWith('__') && this.isText(info.receiver)) return [];
    if (this.cleansByReplace(info, kind)) return [];
    // `Markup("<b>{}</b>").format(name)` escapes what it inserts.
    if (kind === 'xss' && info.method === 'format' && this.isMarkup(info.receiver)) return this.of(info.receiver, kind);
    // `'... %s'.format(x)`: a template without replacement fields never shows its arguments.
    if (info.method === 'format' && info.receiver && !hasFormatField(this.model.constString(info.receiver))) return this.of(info.receiver, kind);
    if (kind === 'redirect' && qnames.includes('flask.url_for')) return [];
    const src = this.sourceAt(node, kind);
    if (src) return [src];
    // A file opened by a name from the request holds the file's data, not the request's:
    // the name matters only where picking the file is the attack (running, loading or
    // parsing it, or using the handle as a path).
    if (!FILE_CHOICE_KINDS.has(kind) && (qnames.some((q) => FILE_OPENERS.test(q)) || info.method === 'read_text' || info.method === 'read_bytes')) return [];
    // `ALLOWED.get(key, default)` on a dict of constants: the key only selects a constant.
    if (info.method === 'get' && info.receiver && this.isConstantDict(info.receiver)) return this.of(info.arg(1, 'default'), kind);
    for (const q of qnames) {
      const def = this.model.localDefinition(q);
      // A placeholder (`pass`, `...`, a docstring) stands for code still to be written: like an
      // unknown library call, its result is taken to carry its arguments' data.
      if (def?.type === 'function_definition' && !isStub(def)) return this.summary(info, def, kind);
    }
    // Unknown or library call: its result carries the data of its receiver and arguments.
    const out: Taint[] = [];
    if (info.receiver) out.push(...this.of(info.receiver, kind));
    for (const a of info.positional) out.push(...this.of(a, kind));
    for (const a of info.keywords.values()) out.push(...this.of(a, kind));
    if (info.hasSplat)
      for (const a of node.child('arguments')?.namedChildren ?? []) if (a.type === 'list_splat' || a.type === 'dictionary_splat') out.push(...this.of(a, kind));
    return out;
  }

  /** The value is certainly a str or bytes: a literal, or what reading a file returned. */
  private isText(node: PyNode): boolean {
    if (node.type === 'string' || node.type === 'concatenated_string') return true;
    const values = this.model.values(node);
    return values.length > 0 && values.every((v) => /^io\.File\.(read|readline)\(\)$|^pathlib\.Path\.read_(text|bytes)\(\)$/.test(v));
  }

  private isMarkup(node: PyNode | undefined): boolean {
    return !!node && this.model.values(node).includes('markupsafe.Markup');
  }

  private isConstantDict(node: PyNode): boolean {
    let value: PyNode | undefined = node;
    if (node.type === 'identifier') {
      const bindings = this.model.reaching(node);
      if (bindings.length !== 1 || bindings[0]!.kind !== 'assign' || bindings[0]!.path.length) return false;
      value = bindings[0]!.value;
    }
    if (value?.type !== 'dictionary') return false;
    return value.namedChildren.every((p) => p.type === 'comment' || (p.type === 'pair' && this.model.isConstant(p.child('value'))));
  }

  /**
   * `s.replace('\n', '')` neutralises line breaks for logs and headers. For HTML a chain of
   * replaces must take out `<` and a quote (`.replace('<', '&lt;').replace('"', '&quot;')`):
   * with the quotes left a value printed inside an attribute still breaks out of it.
   */
  private cleansByReplace(info: NonNullable<ReturnType<ModuleModel['call']>>, kind: SinkKind): boolean {
    if (info.method !== 'replace' && info.method !== 'sub') return false;
    const pattern = this.replacedText(info);
    if (pattern === undefined) return false;
    if (kind === 'log') return /\n|\\n|\r|\\r|\\s/.test(pattern);
    // Removing LF ends header splitting (servers need it to start a new line); CR alone does not.
    if (kind === 'header') return /\n|\\n|\\s/.test(pattern);
    if (kind === 'xss') {
      const all = this.replaceChain(info);
      return all.includes('<') && (all.includes('"') || all.includes("'"));
    }
    return false;
  }

  /** The text a `str.replace` / `re.sub` call takes out (its pattern), when constant. */
  private replacedText(info: NonNullable<ReturnType<ModuleModel['call']>>): string | undefined {
    if (info.method === 'replace') return this.model.constString(info.positional[0]);
    if (info.qname === 're.sub' || info.qname === 're.Pattern.sub') return this.model.constString(info.positional[0]);
    return undefined;
  }

  /** Everything a chain of replaces takes out: this call and the replaces its receiver went through (also via variables). */
  private replaceChain(info: NonNullable<ReturnType<ModuleModel['call']>>): string {
    let out = '';
    let cur: ReturnType<ModuleModel['call']> = info;
    for (let i = 0; cur && i < 12; i++) {
      const text = this.replacedText(cur);
      if (text === undefined) break;
      out += text;
      let next: PyNode | undefined = cur.method === 'replace' ? cur.receiver : cur.positional[2];
      while (next?.type === 'parenthesized_expression') next = next.namedChildren[0];
      if (next?.type === 'identifier') {
        const bindings = this.model.reaching(next);
        next = bindings.length === 1 && bindings[0]!.kind === 'assign' && !bindings[0]!.path.length ? bindings[0]!.value : undefined;
      }
      cur = next?.type === 'call' ? this.model.call(next) : undefined;
      if (cur && cur.method !== 'replace' && cur.method !== 'sub') break;
    }
    return out;
  }

  /** Taint of a call to a function of this module: its returns, with parameters mapped to arguments. */
  private summary(info: NonNullable<ReturnType<ModuleModel['call']>>, def: PyNode, kind: SinkKind): Taint[] {
    const fn = this.model.functionInfo(def);
    if (!fn) return [];
    const offset = fn.cls && info.method && !fn.decorators.some((d) => d.text === 'staticmethod') ? 1 : 0;
    const out: Taint[] = [];
    for (const r of fn.returns) {
      for (const t of this.of(r, kind)) {
        if (t.origin === 'parameter' && t.fn === fn) {
          const p = fn.params.find((x) => x.name === t.param);
          if (!p) continue;
          const arg = p.star ? undefined : info.arg(p.index - offset, p.name);
          const argTaints = arg ? this.of(arg, kind) : p.star ? this.allArgs(info, kind) : [];
          out.push(...this.through(argTaints, info.node, `through ${fn.name}()`));
        } else out.push(...this.through([t], info.node, `returned by ${fn.name}()`));
      }
    }
    return out;
  }

  private allArgs(info: NonNullable<ReturnType<ModuleModel['call']>>, kind: SinkKind): Taint[] {
    return [...info.positional, ...info.keywords.values()].flatMap((a) => this.of(a, kind));
  }

  private callIndex?: Map<string, CallInfo[]>;

  /** Calls that may target a qualified name (built once, on first use). */
  private callsTo(qname: string): CallInfo[] {
    if (!this.callIndex) {
      this.callIndex = new Map();
      for (const c of this.model.calls)
        for (const q of c.qnames) {
          if (!q.startsWith('$.')) continue;
          const list = this.callIndex.get(q);
          if (list) list.push(c);
          else this.callIndex.set(q, [c]);
        }
    }
    return this.callIndex.get(qname) ?? [];
  }

  /**
   * Follows a parameter-sourced taint to the call sites of its function in this module: when
   * a caller passes request data, that is the better story. Returns the input when no caller
   * does better.
   */
  callerTaint(t: Taint, kind: SinkKind, depth = 0): Taint {
    if (t.origin !== 'parameter' || !t.fn || depth > 3) return t;
    const fn = t.fn;
    const p = fn.params.find((x) => x.name === t.param);
    if (!p) return t;
    let best: Taint | undefined;
    for (const c of this.callsTo(fn.qname)) {
      const offset = fn.cls && c.method ? 1 : 0;
      const arg = p.star ? undefined : c.arg(p.index - offset, p.name);
      if (!arg) continue;
      for (const at of this.of(arg, kind)) {
        const lifted = this.callerTaint(at, kind, depth + 1);
        if (lifted.origin === 'parameter') continue;
        const merged: Taint = { ...lifted, steps: [...lifted.steps, step(c.node, `passed to ${fn.name}()`), ...t.steps] };
        if (!best || ORIGIN_RANK[merged.origin] < ORIGIN_RANK[best.origin]) best = merged;
      }
    }
    return best ?? t;
  }
}

/**
 * A member of the snippet's own class read through a library base class it extends:
 * `$.Handler.get_argument` in `class Handler(tornado.web.RequestHandler)` is also
 * `tornado.web.RequestHandler.get_argument` (the class itself does not define it).
 */
export function inheritedNames(model: ModuleModel, q: string, depth = 0): string[] {
  if (depth > 4) return [];
  let cls: ModuleModel['classes'][number] | undefined;
  for (const c of model.classes) if (startsWithName(q, c.qname) && q.length > c.qname.length && (!cls || c.qname.length > cls.qname.length)) cls = c;
  if (!cls) return [];
  const rest = q.slice(cls.qname.length);
  const member = /^\.([A-Za-z_]\w*)/.exec(rest)?.[1];
  if (!member || model.localDefinition(`${cls.qname}.${member}`)) return [];
  const out: string[] = [];
  for (const b of model.baseNames(cls)) {
    if (b.startsWith('$.')) out.push(...inheritedNames(model, b + rest, depth + 1));
    else out.push(b + rest);
  }
  return out;
}

/** The text has a `str.format` replacement field (`{}`, `{0}`, `{name}`); true when unknown. */
function hasFormatField(template: string | undefined): boolean {
  if (template === undefined) return true;
  return /\{(?!\{)/.test(template.replace(/\{\{|\}\}/g, ''));
}

/** A function whose body only holds `pass`, `...`, a docstring or comments. */
function isStub(def: PyNode): boolean {
  const body = def.child('body');
  if (!body) return false;
  return body.namedChildren.every(
    (st) =>
      st.type === 'comment' ||
      st.type === 'pass_statement' ||
      (st.type === 'expression_statement' && (st.namedChildren[0]?.type === 'string' || st.namedChildren[0]?.type === 'ellipsis')),
  );
}

/** The variable a chain like `a.b[c].d()` starts from. */
function baseIdentifier(node: PyNode): PyNode | undefined {
  let n: PyNode | undefined = node;
  for (let i = 0; n && i < 50; i++) {
    if (n.type === 'identifier') return n;
    if (n.type === 'attribute') n = n.child('object');
    else if (n.type === 'subscript') n = n.child('value');
    else if (n.type === 'call') n = n.child('function');
    else if (n.type === 'parenthesized_expression') n = n.namedChildren[0];
    else return undefined;
  }
  return undefined;
}

function limit(taints: Taint[]): Taint[] {
  if (taints.length <= 1) return taints;
  const seen = new Set<string>();
  const out: Taint[] = [];
  for (const t of [...taints].sort((a, b) => ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin])) {
    const key = `${t.origin}:${t.source.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
    if (out.length >= MAX_TAINTS) break;
  }
  return out;
}

/** The `except` clause binding `name` names a class matching `classes` (alone or in a tuple). */
function handlerCatches(name: PyNode, classes: RegExp): boolean {
  const clause = name.ancestor('except_clause');
  const caught = clause?.child('value')?.namedChildren[0];
  if (!caught) return false;
  const names = caught.type === 'tuple' || caught.type === 'parenthesized_expression' ? caught.namedChildren : [caught];
  return names.some((n) => classes.test(n.text.replace(/^(builtins|exceptions)\./, '')));
}
