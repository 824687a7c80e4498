export type CanonicalHeadersResult = { ok: true; lines: string } | { ok: false; reason: string };

/**
 * True when the client's SignedHeaders list is in canonical form: non-empty names, strictly
 * ascending (so sorted and without duplicates). Anything else cannot match what an SDK
 * signs (sigv4.md §3.4). Odd characters need no check here: such a name matches no header
 * Node accepts, so it fails as a missing header.
 */
export function isCanonicalHeaderList(names: readonly string[]): boolean {
  if (names.length === 0) return false;
  let previous = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // Upper case needs no check here either: headers are matched by lower-cased name, so an
    // upper-case entry fails as a missing header.
    if (name.length === 0) return false;
    if (i > 0 && !(previous < name)) return false;
    previous = name;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Trim, and collapse each internal run of whitespace to one space (sigv4.md §3.4). */
export function canonicalHeaderValue(value: string): string {
  const n = value.length;
  if (n === 0) return value;
  // Fast path (native scans; session tokens run to ~1 KB): nothing to trim or fold.
  if (
    !isSpace(value.charCodeAt(0)) &&
    !isSpace(value.charCodeAt(n - 1)) &&
    value.indexOf('  ') < 0 &&
    value.indexOf('\t') < 0 &&
    value.indexOf('\n') < 0 &&
    value.indexOf('\r') < 0 &&
    value.indexOf('\v') < 0 &&
    value.indexOf('\f') < 0
  ) {
    return value;
  }
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isSpace(c)) {
      pendingSpace = out.length > 0;
    } else {
      if (pendingSpace) out += ' ';
      pendingSpace = false;
      out += value[i];
    }
  }
  return out;
}

/**
 * CanonicalHeaders: one `name:value\n` line per signed header, in the client's order (already
 * checked ascending); repeated headers are joined with `,` in arrival order.
 */
export function getCanonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): CanonicalHeadersResult {
  const values: (string | undefined)[] = new Array<string | undefined>(signedHeaders.length);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    // toLowerCase returns the same string when there is nothing to change (SDKs send lower case).
    const name = (rawHeaders[i] as string).toLowerCase();
    const j = signedHeaders.indexOf(name);
    if (j < 0) continue;
    const v = canonicalHeaderValue(rawHeaders[i + 1] as string);
    const seen = values[j];
    values[j] = seen === undefined ? v : `${seen},${v}`;
  }
  let lines = '';
  for (let j = 0; j < signedHeaders.length; j++) {
    const v = values[j];
    if (v === undefined) return { ok: false, reason: `signed header '${signedHeaders[j]}' is not in the request` };
    lines += `${signedHeaders[j]}:${v}\n`;
  }
  return { ok: true, lines };
}
