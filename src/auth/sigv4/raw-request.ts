/** Reading the raw request (rawUrl, rawHeaders) without decoding more than needed. */
import { canonicalQueryComponent } from './uri-encode.js';

export interface RawQueryParam {
  /** Canonical (decoded, then SigV4-encoded) name; equals the plain name for AWS's ASCII names. */
  readonly name: string;
  /** As received, still percent-encoded. */
  readonly rawValue: string;
}

/** `s.split(separator)` for a one-character separator; cheaper than String.prototype.split on V8. */
export function splitOn(s: string, separator: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = s.indexOf(separator, start);
    if (i < 0) {
      out.push(s.slice(start));
      return out;
    }
    out.push(s.slice(start, i));
    start = i + 1;
  }
}

/** Path and query of an origin-form request-target; the query excludes the `?`. */
export function splitRawUrl(rawUrl: string): { path: string; query: string } {
  const q = rawUrl.indexOf('?');
  return q < 0 ? { path: rawUrl, query: '' } : { path: rawUrl.slice(0, q), query: rawUrl.slice(q + 1) };
}

/** Items split on `&`, each on its first `=` (no `=` → empty value). Empty items are skipped. */
export function parseRawQuery(query: string): RawQueryParam[] {
  const params: RawQueryParam[] = [];
  if (query.length === 0) return params;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      if (eq < 0 || eq > end) {
        params.push({ name: canonicalQueryComponent(query.slice(start, end)), rawValue: '' });
      } else {
        params.push({ name: canonicalQueryComponent(query.slice(start, eq)), rawValue: query.slice(eq + 1, end) });
      }
    }
    start = end + 1;
  }
  return params;
}

/** Case-insensitive match of a header name against an already lower-case name, without allocating. */
export function headerNameIs(name: string, lowerName: string): boolean {
  if (name.length !== lowerName.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** The first occurrence of a header, or undefined. */
export function firstHeader(rawHeaders: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (headerNameIs(rawHeaders[i] as string, lowerName)) return rawHeaders[i + 1] as string;
  }
  return undefined;
}
