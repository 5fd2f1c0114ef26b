import { describe, expect, it } from 'vitest';
import { displayUrl, redact } from './errors.js';
import { backoffDelay, errorCode, isRetryableStatus, parseRetryAfter } from './retry.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds, fractional seconds and milliseconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250' }), now)).toBe(250);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '9', 'retry-after-ms': '100' }), now)).toBe(100);
  });

  it('reads an HTTP date; a past date means no wait', () => {
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': '-3' }), now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 8000 };

  it('doubles from the base up to the cap, before jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('jitter takes off at most a quarter', () => {
    expect(backoffDelay(1, policy, () => 0.999999)).toBeGreaterThan(750);
    expect(backoffDelay(1, policy, () => 0.999999)).toBeLessThan(1000);
  });
});

describe('isRetryableStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('%i is retried', (s) => expect(isRetryableStatus(s)).toBe(true));
  it.each([400, 401, 403, 404, 413, 422])('%i is not', (s) => expect(isRetryableStatus(s)).toBe(false));
});

describe('errorCode', () => {
  it('finds a code along the cause chain', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(errorCode(new Error('fetch failed', { cause: new Error('wrapped', { cause: inner }) }))).toBe('ECONNREFUSED');
    expect(errorCode(new Error('plain'))).toBeUndefined();
  });
});

describe('redact and displayUrl', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redact('key sk-abc123456 then sk-abc123456 and nv-999999', ['sk-abc123456', 'nv-999999'])).toBe(
      'key [REDACTED] then [REDACTED] and [REDACTED]',
    );
  });

  it('masks bearer tokens and x-api-key values it was not told about', () => {
    expect(redact('Authorization: Bearer abcdefghijklmnop', [])).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('x-api-key: "abcdefghijkl"', [])).toBe('x-api-key: "[REDACTED]"');
  });

  it('ignores empty or tiny secrets (placeholders)', () => {
    expect(redact('a b c', ['', undefined, 'a'])).toBe('a b c');
  });

  it('displayUrl drops credentials, query and trailing slash', () => {
    expect(displayUrl('https://user:pw@example.com/v1/?key=secret')).toBe('https://example.com/v1');
  });
});
