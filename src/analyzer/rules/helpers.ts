// Small helpers shared by rules. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';

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
