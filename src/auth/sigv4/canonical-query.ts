import { SIGNATURE_PARAM, TOKEN_PARAM } from './constants.js';
import type { RawQueryParam } from './raw-request.js';
import { canonicalQueryComponent } from './uri-encode.js';

export interface CanonicalQueryOptions {
  /** Presigned: X-Amz-Signature is not part of what was signed. */
  readonly excludeSignature: boolean;
  /** Presigned with the token appended after signing (aws4 suite `post-sts-header-after`). */
  readonly excludeToken: boolean;
}

/**
 * CanonicalQueryString (sigv4.md §3.3) from the parsed raw query (see parseRawQuery): decode and re-encode each name and value, sort by name,
 * then by value, in byte order (all encoded strings are ASCII, so code-unit order is byte order).
 */
export function getCanonicalQuery(params: readonly RawQueryParam[], options: CanonicalQueryOptions): string {
  if (params.length === 0) return '';
  const pairs: [string, string][] = [];
  for (const p of params) {
    if (options.excludeSignature && p.name === SIGNATURE_PARAM) continue;
    if (options.excludeToken && p.name === TOKEN_PARAM) continue;
    pairs.push([p.name, canonicalQueryComponent(p.rawValue)]);
  }
  if (pairs.length > 1) pairs.sort(comparePairs);
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i] as [string, string];
    out += i === 0 ? `${name}=${value}` : `&${name}=${value}`;
  }
  return out;
}

function comparePairs(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}
