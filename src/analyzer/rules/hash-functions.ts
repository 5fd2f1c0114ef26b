// Which calls compute a plain (fast) hash, with what algorithm and over what data. Shared by
// py/weak-hash and py/weak-password-hash. Not a rule.
import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { callNames, namesOf } from './value-flow.js';

export interface HashUse {
  call: CallInfo;
  /** Lower-case algorithm name (`md5`, `sha256`), or `unknown`. */
  algorithm: string;
  /** The data hashed by this call, if it takes data. */
  data?: PyNode;
  /** The constructor call this use belongs to (itself, or the one behind `h.update`). */
  constructor: CallInfo;
}

const HASHLIB_ALGORITHMS = /^hashlib\.(md5|sha1|sha224|sha256|sha384|sha512|sha3_224|sha3_256|sha3_384|sha3_512|blake2b|blake2s|shake_128|shake_256)$/;
const PYCRYPTO_ALGORITHMS = /^Crypto\.Hash\.(MD2|MD4|MD5|SHA|SHA1|SHA224|SHA256|SHA384|SHA512|SHA3_224|SHA3_256|SHA3_384|SHA3_512|RIPEMD|RIPEMD160|BLAKE2b|BLAKE2s)\.new$/;
const CRYPTOGRAPHY_ALGORITHM = /^cryptography\.hazmat\.primitives\.hashes\.(MD5|SHA1|SHA224|SHA256|SHA384|SHA512|SHA3_256|SHA3_512|SHA512_256|BLAKE2b|BLAKE2s|SM3)$/;

/** Algorithms with practical collision attacks. */
export const BROKEN_ALGORITHMS = new Set(['md2', 'md4', 'md5', 'sha', 'sha1', 'sha-1', 'md5-sha1', 'ripemd']);

/** The algorithm a constructor call computes, if it is a hash constructor. */
export function hashConstructor(model: ModuleModel, call: CallInfo): { algorithm: string; data?: PyNode } | undefined {
  const names = callNames(model, call);
  for (const q of names) {
    let m = HASHLIB_ALGORITHMS.exec(q);
    if (m) return { algorithm: m[1]!, data: call.arg(0, call.keywords.has('data') ? 'data' : 'string') };
    if (q === 'hashlib.new') {
      const name = model.constString(call.arg(0, 'name'));
      return { algorithm: name?.toLowerCase() ?? 'unknown', data: call.arg(1, call.keywords.has('data') ? 'data' : 'string') };
    }
    m = PYCRYPTO_ALGORITHMS.exec(q);
    if (m) return { algorithm: m[1]!.toLowerCase(), data: call.arg(0, 'data') };
    if (/^cryptography\.hazmat\.primitives\.hashes\.Hash$/.test(q)) {
      const alg = call.arg(0, 'algorithm');
      const algName = alg?.type === 'call' ? namesOf(model, alg.child('function')).map((n) => CRYPTOGRAPHY_ALGORITHM.exec(n)?.[1]).find(Boolean) : undefined;
      return { algorithm: algName?.toLowerCase() ?? 'unknown' };
    }
  }
  return undefined;
}

/** `usedforsecurity=False` says the digest is not a security control. */
export function notForSecurity(model: ModuleModel, call: CallInfo): boolean {
  // hashlib.new(name, data, usedforsecurity) also takes it third by position.
  const flag = call.keywords.get('usedforsecurity') ?? (callNames(model, call).includes('hashlib.new') ? call.positional[2] : undefined);
  return model.constValue(flag) === false;
}

/** The constructor behind `h.update(...)`: `h = hashlib.md5()` earlier in the same scope. */
export function constructorOfReceiver(model: ModuleModel, receiver: PyNode | undefined): CallInfo | undefined {
  if (!receiver) return undefined;
  if (receiver.type === 'call') {
    const info = model.call(receiver);
    return info && hashConstructor(model, info) ? info : undefined;
  }
  if (receiver.type !== 'identifier') return undefined;
  for (const b of model.reaching(receiver)) {
    if (b.kind !== 'assign' || b.path.length || b.value.type !== 'call') continue;
    const info = model.call(b.value);
    if (info && hashConstructor(model, info)) return info;
  }
  return undefined;
}

/** A hash computation: a constructor with data, or `update(data)` on a hash object. */
export function hashUse(model: ModuleModel, call: CallInfo): HashUse | undefined {
  const ctor = hashConstructor(model, call);
  if (ctor) return { call, algorithm: ctor.algorithm, data: ctor.data, constructor: call };
  if (call.method === 'update' && call.positional.length >= 1) {
    const owner = constructorOfReceiver(model, call.receiver);
    if (!owner) return undefined;
    return { call, algorithm: hashConstructor(model, owner)!.algorithm, data: call.positional[0], constructor: owner };
  }
  return undefined;
}

/** All data a hash object receives: the constructor's data and every `update()` on the same variable. */
export function allHashedData(model: ModuleModel, ctor: CallInfo): PyNode[] {
  const out: PyNode[] = [];
  const first = hashConstructor(model, ctor)?.data;
  if (first) out.push(first);
  for (const c of model.calls) {
    if (c.method !== 'update' || !c.positional[0]) continue;
    if (constructorOfReceiver(model, c.receiver) === ctor) out.push(c.positional[0]);
  }
  return out;
}
