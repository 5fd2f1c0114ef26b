import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

/** python-ldap searches: base DN first, filter third. ldap3: base first, filter second. */
const PYTHON_LDAP = ['search', 'search_s', 'search_st', 'search_ext', 'search_ext_s'];

export default defineRule({
  meta: {
    id: 'py/ldap-injection',
    cwes: [90],
    severity: 'high',
    confidence: 'high',
    message: 'LDAP query built from untrusted data',
    fixHint:
      'Escape values before putting them in a filter or DN: ldap.filter.escape_filter_chars(username) and ldap.dn.escape_dn_chars(dc) (ldap3: ldap3.utils.conv.escape_filter_chars), or validate them against a strict pattern.',
    doc: 'LDAP filters and distinguished names have their own syntax: a value like `*)(uid=*))(|(uid=*` changes which entries a search returns, which can bypass authentication or leak the directory. Escape every value with the library\'s escaping functions.',
  },
  check(context) {
    const { model } = context;
    const check = (c: CallInfo, base: number, baseKw: string, filter: number, filterKw: string): void => {
      for (const [i, kw, what] of [
        [filter, filterKw, 'LDAP filter'],
        [base, baseKw, 'LDAP base DN'],
      ] as const) {
        const value = c.arg(i, kw);
        if (!value || model.isConstant(value)) continue;
        if (context.reportTaint({ node: c.node, value, kind: 'ldap', message: `${what} built from {source}` })) return;
      }
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const m of PYTHON_LDAP) calls[`ldap.LDAPObject.${m}`] = (c) => check(c, 0, 'base', 2, 'filterstr');
    calls['ldap3.Connection.search'] = (c) => check(c, 0, 'search_base', 1, 'search_filter');
    // `conn.extend.standard.paged_search(base, filter, ...)` runs the same search page by page.
    calls['ldap3.Connection.extend.standard.paged_search'] = (c) => check(c, 0, 'search_base', 1, 'search_filter');
    // The entry a bind or update names: a DN built from data can point at another entry
    // (`uid=x,ou=admins`) unless its values went through escape_dn_chars / escape_rdn.
    const dn = (c: CallInfo, at: number, kw: string, what: string): void => {
      const value = c.arg(at, kw);
      if (!value || model.isConstant(value)) return;
      context.reportTaint({ node: c.node, value, kind: 'ldap', message: `${what} DN built from {source}` });
    };
    for (const m of ['simple_bind', 'simple_bind_s', 'bind', 'bind_s']) calls[`ldap.LDAPObject.${m}`] = (c) => dn(c, 0, 'who', 'bind');
    for (const m of ['modify', 'modify_s', 'modify_ext_s', 'delete', 'delete_s', 'delete_ext_s', 'add', 'add_s', 'add_ext_s', 'rename', 'rename_s', 'compare_s', 'passwd_s'])
      calls[`ldap.LDAPObject.${m}`] = (c) => dn(c, 0, m.startsWith('passwd') ? 'user' : 'dn', 'entry');
    calls['ldap3.Connection'] = (c) => dn(c, 1, 'user', 'bind');
    for (const m of ['modify', 'delete', 'add', 'compare', 'modify_dn']) calls[`ldap3.Connection.${m}`] = (c) => dn(c, 0, 'dn', 'entry');
    return {
      calls,
      call(c) {
        // An LDAP connection the model could not type (passed in as a parameter).
        if (!c.method || c.qnames.some((q) => q.startsWith('ldap.LDAPObject.') || q.startsWith('ldap3.Connection.'))) return;
        if (PYTHON_LDAP.includes(c.method) && c.method !== 'search' && c.positional.length >= 3) check(c, 0, 'base', 2, 'filterstr');
      },
    };
  },
});
