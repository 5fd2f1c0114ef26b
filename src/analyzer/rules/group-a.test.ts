// Tests for the helpers behind the cryptography, secrets and configuration rules, and for
// behaviour a single fixture file cannot show (module-wide context, imports).
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../index.js';
import { entropy, isCredentialPlaceholder, isNonSecretLiteral, looksLikeKnownSecret, looksRandom, nameWords, secretKindOfName } from './secret-names.js';

async function ruleLines(code: string, rule: string): Promise<number[]> {
  const result = await analyzeSource(code, { rules: [rule] });
  return result.findings.map((f) => f.line);
}

async function cwesOf(code: string, rule: string): Promise<number[][]> {
  const result = await analyzeSource(code, { rules: [rule] });
  return result.findings.map((f) => f.cwes);
}

describe('secret names', () => {
  it('splits identifiers into words', () => {
    expect(nameWords('adminPassword')).toEqual(['admin', 'password']);
    expect(nameWords('API_KEY')).toEqual(['api', 'key']);
    expect(nameWords('HTTPServerToken')).toEqual(['http', 'server', 'token']);
  });

  it('classifies what a name holds', () => {
    expect(secretKindOfName('admin_password')).toBe('password');
    expect(secretKindOfName('email_pwd')).toBe('password');
    expect(secretKindOfName('passphrase')).toBe('password');
    expect(secretKindOfName('API_KEY')).toBe('api-key');
    expect(secretKindOfName('client_secret')).toBe('api-key');
    expect(secretKindOfName('SECRET')).toBe('secret');
    expect(secretKindOfName('csrfToken')).toBe('token');
    expect(secretKindOfName('sort_key')).toBe('key');
  });

  it('does not treat descriptions of secrets as secrets', () => {
    for (const name of ['PASSWORD_FIELD', 'password_hash', 'hashed_password', 'password_prompt', 'min_password_length', 'token_type', 'TOKEN_URL', 'MODULE_PWD_STATE', 'username', 'passport'])
      expect(secretKindOfName(name), name).toBeUndefined();
  });

  it('recognises random-looking literals and known token formats', () => {
    expect(looksRandom('vQF6J15Kuh3Y6ut1Vh247dlVEIpTEbMnWq7lRKjDBaWuWll3VHtEHosToRrelBpMBf5DiD')).toBe(true);
    expect(looksRandom('due_at')).toBe(false);
    expect(looksRandom('abcdefghijabcdefghij')).toBe(false);
    expect(looksRandom('https://example.com/a/b/c/d/e')).toBe(false);
    expect(entropy('aaaa')).toBe(0);
    expect(looksLikeKnownSecret('ghp_4fT9xQ2mL7vB1nR8kW3zY6cH0dJ5sA2pE9gU')).toBe(true);
    expect(looksLikeKnownSecret('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(looksLikeKnownSecret('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(false);
    expect(looksLikeKnownSecret(`-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'.repeat(3)}`)).toBe(true);
  });

  it('recognises every known token format, whole and inside a longer text', () => {
    // Deterministic made-up characters (no runs, no 1234/abcd, so not taken for samples).
    let seed = 2463534242;
    const fill = (n: number, alphabet: string): string => {
      let out = '';
      for (let i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        out += alphabet[(seed >>> 0) % alphabet.length];
      }
      return out;
    };
    const alnum = 'A7bC3dE9fG2hJ5kL8mN4pQ6rS1tU0vWxYz';
    const hex = '0123456789abcdef';
    const tokens = [
      `sk-${fill(24, alnum)}`,
      `sk_live_${fill(20, alnum)}`,
      `AKIA${fill(16, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}`,
      `ghp_${fill(36, alnum)}`,
      `github_pat_${fill(40, alnum)}`,
      `xoxb-${fill(24, alnum)}`,
      `AIza${fill(35, alnum)}`,
      `glpat-${fill(20, alnum)}`,
      `eyJ${fill(20, alnum)}.eyJ${fill(20, alnum)}.${fill(20, alnum)}`,
      `rzp_live_${fill(16, alnum)}`,
      `Mid-server-${fill(24, alnum)}`,
      `SG.${fill(22, alnum)}.${fill(22, alnum)}`,
      `hf_${fill(34, alnum)}`,
      `npm_${fill(36, alnum)}`,
      `pypi-AgEIcHlwaS5vcmc${fill(60, alnum)}`,
      `shpat_${fill(32, hex)}`,
      `dop_v1_${fill(64, hex)}`,
      `SK${fill(32, hex)}`,
      `${fill(9, '0123456789')}:AA${fill(33, alnum)}`,
      `https://hooks.slack.com/services/T${fill(8, 'ABCDEFGH0123456789')}/B${fill(8, 'ABCDEFGH0123456789')}/${fill(24, alnum)}`,
    ];
    for (const token of tokens) {
      expect(looksLikeKnownSecret(token), token).toBe(true);
      expect(looksLikeKnownSecret(`Authorization: Bearer ${token} (rotate monthly)`), token).toBe(true);
      expect(looksLikeKnownSecret(`x${token}`), token).toBe(false);
    }
    expect(looksLikeKnownSecret('a long sentence about keys, tokens and secrets')).toBe(false);
  });

  it('tells credential placeholders from format fields and prose', () => {
    expect(isCredentialPlaceholder('<insert_access_token_here>')).toBe(true);
    expect(isCredentialPlaceholder('YOUR_API_KEY')).toBe(true);
    expect(isCredentialPlaceholder('your_password_here')).toBe(true);
    expect(isCredentialPlaceholder('{password}')).toBe(false);
    expect(isCredentialPlaceholder('your name')).toBe(false);
    expect(isCredentialPlaceholder('<username>')).toBe(false);
    expect(isNonSecretLiteral('Enter your password:')).toBe(true);
    expect(isNonSecretLiteral('yes')).toBe(true);
    expect(isNonSecretLiteral('hunter2')).toBe(false);
  });
});

describe('module-wide context', () => {
  it('treats a bare `token` as a credential only in code that deals with authentication', async () => {
    const lexer = 'def scan(token):\n    if token == "s3cr3t-t0k3n-1234":\n        return 1\n    print("token", token)\n';
    expect(await ruleLines(lexer, 'py/hardcoded-credentials')).toEqual([]);
    expect(await ruleLines(lexer, 'py/sensitive-data-logged')).toEqual([]);
    const web = `import requests\n${lexer}`;
    expect(await ruleLines(web, 'py/hardcoded-credentials')).toEqual([3]);
    expect(await ruleLines(web, 'py/sensitive-data-logged')).toEqual([5]);
  });

  it('does not read pwd = os.getcwd() as a password', async () => {
    expect(await ruleLines('import os\npwd = os.getcwd()\nprint(pwd)\n', 'py/sensitive-data-logged')).toEqual([]);
    expect(await ruleLines('import getpass\npwd = getpass.getpass()\nprint(pwd)\n', 'py/sensitive-data-logged')).toEqual([3]);
  });

  it('resolves names brought in by a wildcard import', async () => {
    const code = 'from Crypto.Cipher import *\n\ndef send(key, msg):\n    return DES.new(key).encrypt(msg)\n';
    expect(await ruleLines(code, 'py/weak-cipher')).toEqual([4]);
  });

  it('still sees a module after the function mutates one of its attributes', async () => {
    const code = 'import os\nimport ssl\nfrom flask import session\n\ndef f(password):\n    os.environ["A"] = "1"\n    session["password"] = password\n    return os.getenv("A")\n';
    expect(await ruleLines(code, 'py/cleartext-storage')).toEqual([7]);
  });

  it('reports constant seeds only where the generator makes secrets', async () => {
    const simulation = 'import random\nrandom.seed(0)\nprint(random.random())\n';
    expect(await ruleLines(simulation, 'py/predictable-seed')).toEqual([]);
    const tokens = 'import random\nrandom.seed(0)\nsession_token = random.getrandbits(64)\n';
    expect(await ruleLines(tokens, 'py/predictable-seed')).toEqual([2]);
  });

  it('gives password hashes the most specific CWE', async () => {
    expect(await cwesOf('import hashlib\ndef h(password):\n    return hashlib.sha256(password.encode()).hexdigest()\n', 'py/weak-password-hash')).toEqual([[759, 328]]);
    expect(await cwesOf('import hashlib\ndef h(password):\n    return hashlib.md5((password + "pepper").encode()).hexdigest()\n', 'py/weak-password-hash')).toEqual([[760, 328, 522]]);
    expect(await cwesOf('import hashlib, os\ndef h(password):\n    salt = os.urandom(16)\n    return salt + hashlib.sha256(salt + password.encode()).digest()\n', 'py/weak-password-hash')).toEqual([[916, 328]]);
  });

  it('follows a random value through variables to the name it ends up under', async () => {
    const code = 'import random\ndef make():\n    n = random.randint(0, 10**6)\n    s = str(n)\n    reset_code = s.zfill(6)\n    return reset_code\n';
    expect(await ruleLines(code, 'py/insecure-random')).toEqual([3]);
    expect(await ruleLines('import random\ndef pick(items):\n    n = random.randint(0, 5)\n    return items[n]\n', 'py/insecure-random')).toEqual([]);
  });
});
