/**
 * SigV4 URI encoding (sigv4.md §3.2–3.3, IAM guide "UriEncode()"): every byte except the RFC 3986
 * unreserved set `A–Z a–z 0–9 - _ . ~` becomes `%XX` with upper-case hex, over UTF-8 bytes.
 * Lookup tables are built once at module load; nothing here allocates a RegExp.
 */

const PERCENT = 0x25;
const SLASH = 0x2f;

const UNRESERVED = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) UNRESERVED[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) UNRESERVED[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) UNRESERVED[c] = 1;
UNRESERVED[0x2d] = 1; // -
UNRESERVED[0x2e] = 1; // .
UNRESERVED[0x5f] = 1; // _
UNRESERVED[0x7e] = 1; // ~

const ESCAPED: readonly string[] = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

function escaped(byte: number): string {
  return ESCAPED[byte] as string;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function isUnreserved(c: number): boolean {
  return c < 128 && UNRESERVED[c] === 1;
}

/**
 * Appends the UTF-8 percent-encoding of the code point starting at `s[i]`; returns how many
 * UTF-16 units it consumed. A lone surrogate encodes as U+FFFD, as TextEncoder does.
 */
function encodeNonAscii(s: string, i: number, out: string[]): number {
  let cp = s.charCodeAt(i);
  let used = 1;
  if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
    const low = s.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      used = 2;
    }
  }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x800) {
    out.push(escaped(0xc0 | (cp >> 6)), escaped(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push(escaped(0xe0 | (cp >> 12)), escaped(0x80 | ((cp >> 6) & 0x3f)), escaped(0x80 | (cp & 0x3f)));
  } else {
    out.push(
      escaped(0xf0 | (cp >> 18)),
      escaped(0x80 | ((cp >> 12) & 0x3f)),
      escaped(0x80 | ((cp >> 6) & 0x3f)),
      escaped(0x80 | (cp & 0x3f)),
    );
  }
  return used;
}

/**
 * URI-encodes `s` as it stands (no decoding first), optionally keeping `/`. Used for the
 * canonical URI of non-S3 services, whose already-encoded wire path is encoded a second time.
 */
export function uriEncode(s: string, keepSlash: boolean): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isUnreserved(c) && !(keepSlash && c === SLASH)) break;
  }
  if (i === s.length) return s;
  const out: string[] = [s.slice(0, i)];
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isUnreserved(c) || (keepSlash && c === SLASH)) {
      out.push(s[i] as string);
      i++;
    } else if (c < 128) {
      out.push(escaped(c));
      i++;
    } else {
      i += encodeNonAscii(s, i, out);
    }
  }
  return out.join('');
}

/**
 * Canonical form of one raw query-string name or value: percent-decode, then URI-encode, in one
 * pass over bytes. A `%` not followed by two hex digits is a literal `%`; `+` stays a literal `+`
 * (sigv4.md §3.3), so it re-encodes as `%2B`.
 */
export function canonicalQueryComponent(raw: string): string {
  let i = 0;
  for (; i < raw.length; i++) {
    if (!isUnreserved(raw.charCodeAt(i))) break;
  }
  if (i === raw.length) return raw;
  const out: string[] = [raw.slice(0, i)];
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT && i + 2 < raw.length) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        const byte = (hi << 4) | lo;
        out.push(isUnreserved(byte) ? String.fromCharCode(byte) : escaped(byte));
        i += 3;
        continue;
      }
    }
    if (isUnreserved(c)) {
      out.push(raw[i] as string);
      i++;
    } else if (c < 128) {
      out.push(escaped(c));
      i++;
    } else {
      i += encodeNonAscii(raw, i, out);
    }
  }
  return out.join('');
}

/**
 * Decodes a query-string value for reading (e.g. `X-Amz-Credential`); `+` stays `+`. Returns
 * undefined for malformed percent-encoding or invalid UTF-8.
 */
export function percentDecode(raw: string): string | undefined {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
