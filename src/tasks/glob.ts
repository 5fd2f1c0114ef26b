// A small glob matcher for task ids: `*` and `?` stay within one path segment, `**` crosses
// segments, `[abc]` / `[!abc]` are character classes, `{a,b}` are alternatives.
import { UserError } from '../core/types.js';

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?'; // `**/` also matches no folder at all
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) throw new UserError(`bad glob ${JSON.stringify(glob)}: unclosed "["`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      braceDepth++;
      re += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      re += ')';
    } else if (c === ',' && braceDepth > 0) {
      re += '|';
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  if (braceDepth > 0) throw new UserError(`bad glob ${JSON.stringify(glob)}: unclosed "{"`);
  return new RegExp(`^${re}$`);
}

export function matchesGlob(text: string, glob: string): boolean {
  return globToRegExp(glob).test(text);
}
