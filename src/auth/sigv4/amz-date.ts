/** The SigV4 timestamp `yyyymmddTHHMMSSZ` (ISO 8601 basic format, UTC, no fraction). */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Epoch milliseconds of a `yyyymmddTHHMMSSZ` string, or NaN when it is not one. */
export function parseAmzDate(s: string): number {
  if (s.length !== 16 || s.charCodeAt(8) !== 0x54 /* T */ || s.charCodeAt(15) !== 0x5a /* Z */) return Number.NaN;
  return utcMillis(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), digits(s, 9, 2), digits(s, 11, 2), digits(s, 13, 2));
}

export function formatAmzDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2015-08-30T12:36:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * The `Date` header as a SigV4 timestamp. AWS accepts it when X-Amz-Date is absent, either already
 * in ISO 8601 basic format (STS CommonParameters) or as an RFC 7231 IMF-fixdate
 * (`Sun, 30 Aug 2015 12:36:00 GMT`). Returns undefined for anything else.
 */
export function httpDateToAmzDate(value: string): string | undefined {
  const v = value.trim();
  if (!Number.isNaN(parseAmzDate(v))) return v;
  // "Sun, 30 Aug 2015 12:36:00 GMT"
  if (v.length !== 29 || v.charCodeAt(3) !== 0x2c || v.slice(25) !== ' GMT') return undefined;
  const month = MONTHS.indexOf(v.slice(8, 11) as (typeof MONTHS)[number]) + 1;
  if (v[4] !== ' ' || v[7] !== ' ' || v[11] !== ' ' || v[16] !== ' ' || v[19] !== ':' || v[22] !== ':') return undefined;
  const ms = utcMillis(digits(v, 12, 4), month, digits(v, 5, 2), digits(v, 17, 2), digits(v, 20, 2), digits(v, 23, 2));
  return Number.isNaN(ms) ? undefined : formatAmzDate(ms);
}
