import { describe, expect, it } from 'vitest';
import { findingSpan } from './source-lines.js';

const CODE = 'import os\n    os.system(cmd)\n\nx = 1\n';

describe('findingSpan', () => {
  it('defaults to the first non-blank character of the line and the end of the last line', () => {
    expect(findingSpan(CODE, 2, 2)).toEqual({ line: 2, column: 5, endLine: 2, endColumn: 19, snippet: '    os.system(cmd)' });
    expect(findingSpan(CODE, 1, 2)).toEqual({ line: 1, column: 1, endLine: 2, endColumn: 19, snippet: 'import os\n    os.system(cmd)' });
  });

  it('keeps the columns a tool gave', () => {
    expect(findingSpan(CODE, 2, 2, 8, 14)).toMatchObject({ column: 8, endColumn: 14 });
    expect(findingSpan(CODE, 1, 2, 3, 2)).toMatchObject({ column: 3, endColumn: 2 });
  });

  it('is at least one character wide on one line', () => {
    expect(findingSpan(CODE, 3, 3)).toMatchObject({ column: 1, endColumn: 2, snippet: '' });
    expect(findingSpan(CODE, 2, 2, 10, 4)).toMatchObject({ column: 10, endColumn: 11 });
  });

  it('has no snippet for a line outside the text', () => {
    expect(findingSpan(CODE, 40, 40).snippet).toBeUndefined();
  });
});
