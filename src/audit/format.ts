const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `eventTime`, `creationDate`: UTC, whole seconds, `YYYY-MM-DDTHH:MM:SSZ` (cloudtrail.md §1.1, observed). */
export function eventTimeText(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  // Every record of a second shares the text (a record has two or three of them).
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * Timestamps inside requestParameters / responseElements (cloudtrail.md §1.4): STS writes
 * `Nov 30, 2024, 8:43:17 PM`; IAM writes the same without the comma after the year.
 */
export function elementTimeText(date: Date, style: 'sts' | 'iam'): string {
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  const seconds = String(date.getUTCSeconds()).padStart(2, '0');
  const day = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
  return `${day}${style === 'sts' ? ',' : ''} ${hour12}:${minutes}:${seconds} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Strings capped at `max` UTF-16 units without splitting a surrogate pair (AWS caps at 1 KB). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
