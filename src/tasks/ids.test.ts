import { describe, expect, it } from 'vitest';
import { matchesGlob } from './glob.js';
import { toDatasetId, toFlatId, toFolderId } from './ids.js';

describe('task id forms', () => {
  it('converts between dataset, folder and flat forms', () => {
    expect(toFolderId('CWE-020_author_1.py')).toBe('CWE-020/author_1.py');
    expect(toFolderId('CWE-020-author_1.py')).toBe('CWE-020/author_1.py');
    expect(toFolderId('CWE-020/author_1.py')).toBe('CWE-020/author_1.py');
    expect(toFlatId('CWE-020/author_1.py')).toBe('CWE-020-author_1.py');
    expect(toFlatId('CWE-1204_sonar_1.py')).toBe('CWE-1204-sonar_1.py');
    expect(toDatasetId('CWE-020/author_1.py')).toBe('CWE-020_author_1.py');
    expect(toDatasetId(toFlatId('CWE-079_codeql_2.py'))).toBe('CWE-079_codeql_2.py');
    expect(toFolderId('hello.py')).toBe('hello.py');
  });
});

describe('matchesGlob', () => {
  it('keeps * and ? within a segment and lets ** cross them', () => {
    expect(matchesGlob('CWE-020/author_1.py', 'CWE-020/*')).toBe(true);
    expect(matchesGlob('CWE-020/author_1.py', 'CWE-*')).toBe(false);
    expect(matchesGlob('CWE-020/author_1.py', 'CWE-**')).toBe(true);
    expect(matchesGlob('a/b/c.py', '**/*.py')).toBe(true);
    expect(matchesGlob('c.py', '**/*.py')).toBe(true);
    expect(matchesGlob('CWE-020/author_1.py', 'CWE-02?/author_[12].py')).toBe(true);
    expect(matchesGlob('CWE-020/author_3.py', 'CWE-02?/author_[!12].py')).toBe(true);
    expect(matchesGlob('CWE-020/author_1.py', 'CWE-02?/author_[!12].py')).toBe(false);
    expect(matchesGlob('CWE-089/x.py', 'CWE-{078,089}/*.py')).toBe(true);
    expect(matchesGlob('CWE-079/x.py', 'CWE-{078,089}/*.py')).toBe(false);
    expect(matchesGlob('a.py', 'a.py')).toBe(true);
    expect(matchesGlob('aXpy', 'a.py')).toBe(false);
  });

  it('rejects an unclosed bracket or brace', () => {
    expect(() => matchesGlob('x', '[ab')).toThrow(/unclosed "\["/);
    expect(() => matchesGlob('x', '{a,b')).toThrow(/unclosed "\{"/);
  });
});
