import { uriEncode } from './uri-encode.js';

/**
 * CanonicalURI for every service but S3 (sigv4.md §3.2): remove empty and dot segments from the
 * path as it arrived (still percent-encoded), keep a trailing `/`, then URI-encode the result
 * again, so `%20` on the wire becomes `%2520`.
 */
export function getCanonicalUri(rawPath: string): string {
  if (rawPath === '/' || rawPath.length === 0) return '/';
  return uriEncode(normalizePath(rawPath), true);
}

/** RFC 3986 §5.2.4 dot-segment removal plus collapsing of `//`, as botocore and smithy do. */
export function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}
