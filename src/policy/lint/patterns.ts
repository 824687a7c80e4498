/** Pattern inclusion for the linter: does every value one pattern matches also match another? */

import { compileGlob } from '../glob.js';

const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/**
 * Conservative glob inclusion: true only when `outer` certainly matches everything `inner` matches
 * (false negatives are fine for a linter; false positives are not).
 */
export function patternCovers(outer: string, inner: string, caseInsensitive: boolean): boolean {
  const o = caseInsensitive ? outer.toLowerCase() : outer;
  const i = caseInsensitive ? inner.toLowerCase() : inner;
  if (o === '*' || o === i) return true;
  if (!hasWildcard(i)) return compileGlob(o).matches(i);
  // `prefix*` covers any pattern that starts with the same literal prefix.
  if (o.endsWith('*') && !hasWildcard(o.slice(0, -1))) return i.startsWith(o.slice(0, -1));
  return false;
}
