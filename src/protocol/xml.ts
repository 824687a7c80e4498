/**
 * The output members of a Query action, written as AWS writes them (query-protocol.md §2):
 * structures become elements named after their members, lists become `<member>` children,
 * timestamps ISO 8601 UTC, booleans `true`/`false`; absent members are omitted.
 */
export type XmlValue = string | number | boolean | Date | undefined | null | readonly XmlValue[] | XmlObject;
export interface XmlObject { readonly [member: string]: XmlValue }

// Text content only (we write no attributes but the fixed namespace): quotes stay as they are, as in AWS's output.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
// Characters outside XML 1.0's Char production (C0 controls but tab/LF/CR, U+FFFE, U+FFFF, lone
// surrogates: with the `u` flag a paired surrogate is one code point and does not match) cannot
// appear even as character references; echoed input (STS validation messages) may hold them, so
// they become U+FFFD and the document stays well formed for every XML parser.
const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;
const ESCAPE_ALL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? '\uFFFD') : text;
}

/** ISO 8601 UTC without milliseconds, e.g. 2026-01-01T12:00:00Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function writeXmlValue(out: string[], name: string, value: XmlValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of value as readonly XmlValue[]) writeXmlValue(out, 'member', item);
    out.push(`</${name}>`);
    return;
  }
  if (value instanceof Date) {
    out.push(`<${name}>${isoSeconds(value)}</${name}>`);
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(`<${name}>${escapeXml(value)}</${name}>`);
      return;
    case 'number':
    case 'boolean':
      out.push(`<${name}>${String(value)}</${name}>`);
      return;
    default:
      out.push(`<${name}>`);
      writeXmlMembers(out, value as XmlObject);
      out.push(`</${name}>`);
  }
}

export function writeXmlMembers(out: string[], members: XmlObject): void {
  for (const key of Object.keys(members)) writeXmlValue(out, key, members[key]);
}
