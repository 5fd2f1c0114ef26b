// Small helpers shared by rules. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { exits } from '../guards.js';

/** Looks like SQL: starts with a statement keyword, or has `SELECT ... FROM` / `WHERE` shapes. */
export function looksLikeSql(text: string | undefined): boolean {
  if (!text) return false;
  return (
    /^\s*\(?\s*(select|insert|update|delete|replace|merge|create|drop|alter|truncate|with|pragma|exec|call|grant|revoke|upsert)\b/i.test(text) ||
    /\bselect\b[\s\S]+\bfrom\b/i.test(text) ||
    /\b(insert\s+into|delete\s+from|update\s+\w+\s+set)\b/i.test(text)
  );
}

/** True when the keyword argument is present with a constant truthy value (`shell=True`). */
export function keywordIsTrue(model: ModuleModel, call: CallInfo, name: string): boolean {
  const v = model.constValue(call.keywords.get(name));
  return v === true || (typeof v === 'number' && v !== 0);
}

/** True when the keyword argument is present and not a constant false (`shell=flag`). */
export function keywordMaybeTrue(model: ModuleModel, call: CallInfo, name: string): boolean {
  const node = call.keywords.get(name);
  if (!node) return false;
  const v = model.constValue(node);
  return v === undefined || v === true || (typeof v === 'number' && v !== 0);
}

/** The first element of a list/tuple literal, else the node itself. */
export function firstElement(node: PyNode | undefined): PyNode | undefined {
  if (!node) return undefined;
  if (node.type === 'list' || node.type === 'tuple') return node.namedChildren.find((c) => c.type !== 'comment');
  return node;
}

/** Every argument expression of a call (positional, keyword values, splats). */
export function allArguments(call: CallInfo): PyNode[] {
  return call.node.child('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/**
 * The calls that build the value of an expression: the call itself, or the calls assigned to
 * the variable it names (every binding that may reach it). Empty when any binding is not a
 * plain call assignment (a parameter, an import, a tuple element...; mutations such as
 * `x.attr = v` are skipped), so callers can treat
 * "every construction is X" as proven.
 */
export function constructionCalls(model: ModuleModel, expr: PyNode | undefined): CallInfo[] {
  if (!expr) return [];
  if (expr.type === 'parenthesized_expression') return constructionCalls(model, expr.namedChildren[0]);
  if (expr.type === 'call') {
    const info = model.call(expr);
    return info ? [info] : [];
  }
  if (expr.type !== 'identifier') return [];
  const bindings = model.reaching(expr);
  const out: CallInfo[] = [];
  for (const b of bindings) {
    // `parser.entity[k] = v`, `parser.x = y`: the object changes, it is not replaced.
    if (b.kind === 'mutate') continue;
    if (b.kind !== 'assign' || b.path.length || b.element || b.value.type !== 'call') return [];
    const info = model.call(b.value);
    if (!info) return [];
    out.push(info);
  }
  return out;
}

/** A host-name check that passes other hosts too, and why. */
export interface IncompleteUrlCheck {
  node: PyNode;
  why: string;
}

const HOST_LIKE = /^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+\/?$/i;

/**
 * Checks guarding a redirect or request target (the `if` around the sink, or an earlier
 * `if ...: return`) that look at the host the wrong way: `'example.com' in url` (also true
 * for https://evil.net/?example.com), `host.endswith('example.com')` (evil-example.com),
 * `url.startswith('https://example.com')` (https://example.com.evil.net), or a host regex
 * whose dots are wildcards (`(www|beta).example.com`).
 */
export function incompleteUrlChecks(model: ModuleModel, mentions: (expr: PyNode, name: string) => boolean, sink: PyNode, value: PyNode): IncompleteUrlCheck[] {
  const names = new Set<string>();
  for (const n of value.walk()) if (n.type === 'identifier' && n.field !== 'attribute') names.add(n.text);
  if (names.size === 0) return [];
  const about = (expr: PyNode | undefined): boolean => !!expr && [...names].some((name) => mentions(expr, name));
  const out: IncompleteUrlCheck[] = [];
  const seen = new Set<number>();
  const add = (node: PyNode, why: string): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    out.push({ node, why });
  };
  const scan = (cond: PyNode): void => {
    for (const n of cond.walk()) {
      if (n.type === 'comparison_operator') {
        const ops = n.childrenOf('operators').map((o) => o.text.replace(/\s+/g, ' '));
        const operands = n.namedChildren.filter((c) => c.field !== 'operators' && c.type !== 'comment');
        const literal = model.constString(operands[0]);
        if (ops.length === 1 && (ops[0] === 'in' || ops[0] === 'not in') && literal && HOST_LIKE.test(literal) && about(operands[1]))
          add(n, `'${literal}' in a URL is also true for https://evil.example.net/?${literal.replace(/^https?:\/\//, '')}`);
        continue;
      }
      if (n.type !== 'call') continue;
      const info = model.call(n);
      if (!info) continue;
      if ((info.method === 'endswith' || info.method === 'startswith') && info.receiver && about(info.receiver)) {
        const v = model.constValue(info.positional[0]);
        for (const s of (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string')) {
          if (info.method === 'endswith' && HOST_LIKE.test(s) && !/^https?:/i.test(s) && !s.startsWith('.')) add(n, `a host ending in '${s}' can be evil-${s.replace(/\/$/, '')}`);
          if (info.method === 'startswith' && /^https?:\/\/[^/]+$/i.test(s)) add(n, `a URL starting with '${s}' can go on to ${s}.evil.net`);
        }
        continue;
      }
      const regexCall = /^re\.(match|search|fullmatch|prefixmatch)$/.test(info.qname ?? '') ? info : /^re\.Pattern\.(match|search|fullmatch|prefixmatch)$/.test(info.qname ?? '') ? info : undefined;
      if (!regexCall) continue;
      const compiled = info.qname?.startsWith('re.Pattern') ? constructionCalls(model, info.receiver).find((m) => m.qname === 're.compile') : undefined;
      const subject = compiled ? info.arg(0, 'string') : info.arg(1, 'string');
      const pattern = model.constString(compiled ? compiled.arg(0, 'pattern') : info.arg(0, 'pattern'));
      if (!subject || !about(subject) || pattern === undefined) continue;
      // An unescaped dot between host-name labels: `www.example.com` also matches wwwXexample.com.
      if (/(^|[^\\])(\\\\)*[a-z0-9)]\.(?=[a-z]{2,}\b)/i.test(pattern.replace(/\[[^\]]*\]/g, '')) && /[a-z0-9-]\.(com|net|org|io|edu|gov|co|uk|de|[a-z]{2})\b/i.test(pattern))
        add(compiled?.node ?? n, `the dots in the host pattern ${JSON.stringify(pattern)} match any character`);
    }
  };
  for (let child: PyNode = sink, p = sink.parent; p; child = p, p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'class_definition') break;
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.child('consequence')?.contains(sink)) {
      const cond = p.child('condition');
      if (cond) scan(cond);
    }
    if (p.type === 'block' || p.type === 'module') {
      for (const s of p.children) {
        if (s === child || s.startIndex >= child.startIndex) break;
        if (s.type === 'if_statement' && s.child('condition') && exits(s.child('consequence'), model)) scan(s.child('condition')!);
      }
    }
  }
  return out;
}
