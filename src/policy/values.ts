/**
 * Typed condition values (policy-evaluation.md §3.4): numbers, dates, booleans, base64, IP
 * addresses. Parsers return undefined for text that is not of the type; the caller turns that into
 * "comparison false" (§3.5). All parsers are linear and never throw.
 */

// ---------------------------------------------------------------------------------------------
// Numbers: `-?\d+(\.\d+)?` (§3.4, §9 U18), compared exactly as decimals (no float rounding).

export interface Decimal {
  readonly negative: boolean;
  /** Integer digits without leading zeros (`""` for zero). */
  readonly whole: string;
  /** Fraction digits without trailing zeros. */
  readonly fraction: string;
}

export function parseDecimal(text: string): Decimal | undefined {
  let i = 0;
  const negative = text.charCodeAt(0) === 0x2d;
  if (negative) i++;
  const wholeStart = i;
  while (isDigit(text.charCodeAt(i))) i++;
  if (i === wholeStart) return undefined;
  const wholeEnd = i;
  let fraction = '';
  if (i < text.length) {
    if (text.charCodeAt(i) !== 0x2e) return undefined;
    const fractionStart = ++i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === fractionStart || i !== text.length) return undefined;
    let fractionEnd = i;
    while (fractionEnd > fractionStart && text.charCodeAt(fractionEnd - 1) === 0x30) fractionEnd--;
    fraction = text.slice(fractionStart, fractionEnd);
  }
  let firstDigit = wholeStart;
  while (firstDigit < wholeEnd && text.charCodeAt(firstDigit) === 0x30) firstDigit++;
  const whole = text.slice(firstDigit, wholeEnd);
  const zero = whole === '' && fraction === '';
  return { negative: negative && !zero, whole, fraction };
}

/** Negative, zero or positive as `a` is less than, equal to or greater than `b`. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const sign = a.negative ? -1 : 1;
  if (a.whole.length !== b.whole.length) return sign * (a.whole.length - b.whole.length);
  if (a.whole !== b.whole) return sign * (a.whole < b.whole ? -1 : 1);
  if (a.fraction === b.fraction) return 0;
  return sign * (a.fraction < b.fraction ? -1 : 1);
}

// ---------------------------------------------------------------------------------------------
// Dates: epoch seconds or W3C ISO 8601 (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
// `YYYY-MM-DDThh:mm[:ss[.s+]]TZD`); missing time/zone = midnight/UTC (§3.4, §9 U18).

const ISO_DATE =
  /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?)?)?$/;

/** Milliseconds since the epoch, or undefined. */
export function parseDate(text: string): number | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  if (isAllDigits(text)) {
    // Epoch seconds (aws:EpochTime works with Date operators, §6.1).
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return utc - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * IAM's save-time check of Date condition values (`The policy failed legacy parsing`, §1.6).
 * Looser than `parseDate`: every recorded accepted/rejected vector fits this rule [impl: moto].
 */
export function isLegacyValidDate(value: string): boolean {
  const text = value.toLowerCase();
  if (!text.includes('t') && !text.includes('-')) {
    if (!isAllDigits(text)) return false;
    return BigInt(text) <= 9223372036854775807n;
  }
  if (isW3cDate(value)) return true;
  const tAt = text.indexOf('t');
  const datePart = tAt < 0 ? text : text.slice(0, tAt);
  const timePart = tAt < 0 ? '' : text.slice(tAt + 1);
  const negativeYear = datePart.startsWith('-');
  const dateFields = (negativeYear ? datePart.slice(1) : datePart).split('-');
  if (dateFields.length > 3) return false;
  if (!inRange(dateFields[0]!, -292275054, 292278993, negativeYear)) return false;
  if (dateFields.length > 1 && !inRange(dateFields[1]!, 1, 12)) return false;
  if (dateFields.length > 2 && !inRange(dateFields[2]!, 1, 31)) return false;
  const timeFields = timePart.split(':');
  if (timeFields[0] !== '' && !inRange(timeFields[0]!, 0, 23)) return false;
  if (timeFields.length > 1 && !inRange(timeFields[1]!, 0, 59)) return false;
  if (timeFields.length > 2) {
    let seconds = timeFields.slice(2).join(':');
    const z = seconds.indexOf('z');
    const plus = seconds.indexOf('+');
    if (z >= 0) {
      if (z !== seconds.length - 1) return false;
      seconds = seconds.slice(0, z);
    } else if (plus >= 0) {
      const zone = seconds.slice(plus + 1).split(':');
      seconds = seconds.slice(0, plus);
      if (zone.length > 2 || zone[0]!.length !== 2 || !inRange(zone[0]!, 0, 23)) return false;
      if (zone.length === 2 && (zone[1]!.length !== 2 || !inRange(zone[1]!, 0, 59))) return false;
    }
    const dot = seconds.indexOf('.');
    const whole = dot < 0 ? seconds : seconds.slice(0, dot);
    if (!inRange(whole, 0, 59)) return false;
    if (dot >= 0 && !inRange(seconds.slice(dot + 1), 0, 999999999)) return false;
  }
  return true;
}

function isW3cDate(text: string): boolean {
  return parseDate(text) !== undefined;
}

function inRange(digits: string, min: number, max: number, negative = false): boolean {
  if (!isAllDigits(digits) || digits.length > 12) return false;
  const n = (negative ? -1 : 1) * Number(digits);
  return n >= min && n <= max;
}

// ---------------------------------------------------------------------------------------------
// Booleans: `true` / `false`, case-insensitive (§3.2, §9 U9).

export function parseBool(text: string): boolean | undefined {
  const lower = text.length === 4 || text.length === 5 ? text.toLowerCase() : '';
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

// ---------------------------------------------------------------------------------------------
// Base64 (BinaryEquals): strict standard alphabet with padding; returns the canonical byte string.

export function decodeBase64(text: string): string | undefined {
  if (text.length % 4 !== 0) return undefined;
  let bytes = '';
  for (let i = 0; i < text.length; i += 4) {
    const a = b64(text.charCodeAt(i));
    const b = b64(text.charCodeAt(i + 1));
    const cRaw = text.charCodeAt(i + 2);
    const dRaw = text.charCodeAt(i + 3);
    const last = i + 4 === text.length;
    if (a < 0 || b < 0) return undefined;
    if (cRaw === 0x3d) {
      if (!last || dRaw !== 0x3d) return undefined;
      bytes += String.fromCharCode((a << 2) | (b >> 4));
      continue;
    }
    const c = b64(cRaw);
    if (c < 0) return undefined;
    if (dRaw === 0x3d) {
      if (!last) return undefined;
      bytes += String.fromCharCode((a << 2) | (b >> 4), ((b & 15) << 4) | (c >> 2));
      continue;
    }
    const d = b64(dRaw);
    if (d < 0) return undefined;
    bytes += String.fromCharCode((a << 2) | (b >> 4), ((b & 15) << 4) | (c >> 2), ((c & 3) << 6) | d);
  }
  return bytes;
}

function b64(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x47;
  if (c >= 0x30 && c <= 0x39) return c + 4;
  if (c === 0x2b) return 62;
  if (c === 0x2f) return 63;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR blocks (IpAddress / NotIpAddress). A bare address is a /32 or /128 block
// (§9 U18). IPv4 patterns never contain IPv6 addresses and vice versa [impl].

export interface IpBlock {
  readonly v6: boolean;
  /** Address as 16-bit words (2 for IPv4, 8 for IPv6). */
  readonly words: readonly number[];
  readonly prefix: number;
}

export function parseIpBlock(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.v6 ? 128 : 32;
  if (slash < 0) return { ...address, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!isAllDigits(prefixText) || prefixText.length > 3) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { ...address, prefix };
}

export function parseIpAddress(text: string): { v6: boolean; words: number[] } | undefined {
  if (text.includes(':')) {
    const words = parseIpv6(text);
    return words ? { v6: true, words } : undefined;
  }
  const v4 = parseIpv4(text);
  return v4 ? { v6: false, words: v4 } : undefined;
}

export function blockContains(block: IpBlock, address: { v6: boolean; words: readonly number[] }): boolean {
  if (block.v6 !== address.v6) return false;
  let bits = block.prefix;
  for (let i = 0; i < block.words.length && bits > 0; i++) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((block.words[i]! & mask) !== (address.words[i]! & mask)) return false;
    bits -= take;
  }
  return true;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!isAllDigits(part) || part.length > 3) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
}

function parseIpv6(text: string): number[] | undefined {
  if (text.length > 45) return undefined;
  const doubleColon = text.indexOf('::');
  if (doubleColon >= 0 && text.indexOf('::', doubleColon + 1) >= 0) return undefined;
  const head = doubleColon < 0 ? text : text.slice(0, doubleColon);
  const tail = doubleColon < 0 ? '' : text.slice(doubleColon + 2);
  const headWords = parseIpv6Words(head, doubleColon < 0);
  const tailWords = parseIpv6Words(tail, true);
  if (!headWords || !tailWords) return undefined;
  const total = headWords.length + tailWords.length;
  if (doubleColon < 0) return total === 8 ? headWords : undefined;
  if (total > 7) return undefined;
  return [...headWords, ...new Array<number>(8 - total).fill(0), ...tailWords];
}

/** Words of one side of `::`; the last group may be an embedded IPv4 address when allowed. */
function parseIpv6Words(text: string, ipv4TailAllowed: boolean): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (i === groups.length - 1 && ipv4TailAllowed && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (!v4) return undefined;
      words.push(...v4);
      continue;
    }
    if (group.length === 0 || group.length > 4) return undefined;
    let word = 0;
    for (let j = 0; j < group.length; j++) {
      const digit = hexDigit(group.charCodeAt(j));
      if (digit < 0) return undefined;
      word = word * 16 + digit;
    }
    words.push(word);
  }
  return words;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAllDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}
