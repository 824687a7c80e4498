import { randomInt, randomUUID } from 'node:crypto';
import { randomBytesPooled } from './crypto/random.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `length` characters of [A-Z2-7] (ids-and-arns.md §4, §7). */
export function randomBase32(length: number): string {
  const bytes = randomBytesPooled(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA' | 'AKIA' | 'ASIA';

/** A 21-character unique ID (AIDA…, AROA…) or a 20-character access key ID (AKIA…, ASIA…). */
export function newId(prefix: UniqueIdPrefix): string {
  return prefix + randomBase32(prefix === 'AKIA' || prefix === 'ASIA' ? 16 : 17);
}

/** 40 characters of base64 (30 random bytes), as AWS secret access keys look. */
export function newSecretAccessKey(): string {
  return randomBytesPooled(30).toString('base64');
}

export function newRequestId(): string {
  return randomUUID();
}

export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 1; i < 12; i++) id += String(randomInt(0, 10));
  return id;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomLowerAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LOWER_ALNUM[randomInt(0, LOWER_ALNUM.length)];
  return out;
}

/**
 * An access key ID whose 16-character tail carries the account ID, as current AWS keys do
 * (ids-and-arns.md §7): the tail is Base32 of 10 bytes, and bits 7–46 of the first 6 bytes
 * are the account number. GetAccessKeyInfo can then answer for any key, even a session's.
 */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA', accountId: string): string {
  const bytes = randomBytesPooled(10);
  const packed = (BigInt(accountId) << 7n) | BigInt(bytes[0]! & 0x7f);
  for (let i = 5; i >= 0; i--) bytes[5 - i] = Number((packed >> BigInt(i * 8)) & 0xffn);
  return prefix + base32Encode(bytes);
}

/** The account ID an access key ID carries, or undefined if it is not in that format. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  if (accessKeyId.length !== 20) return undefined;
  const bytes = base32Decode(accessKeyId.slice(4));
  if (!bytes) return undefined;
  let packed = 0n;
  for (let i = 0; i < 6; i++) packed = (packed << 8n) | BigInt(bytes[i]!);
  const account = (packed & 0x7fffffffff80n) >> 7n;
  return account.toString().padStart(12, '0');
}

function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const index = BASE32.indexOf(ch);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
