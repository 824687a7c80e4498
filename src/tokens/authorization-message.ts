import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytesPooled } from '../crypto/random.js';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KeyRing } from './key-ring.js';

/**
 * Encoded authorization messages: the explanation of a denial, sealed under the session key
 * ring so that only sts:DecodeAuthorizationMessage (itself authorized) can read it. Layout as
 * session tokens: key id (4) | iv (12) | deflated JSON, AES-256-GCM | tag (16), base64url.
 */
const AAD = Buffer.from('open-sts authorization message');
/** encodedMessageType allows at most 10,240 characters (sts-api.md §2.1). */
export const MAX_ENCODED_LENGTH = 10240;

export function sealAuthorizationMessage(payload: unknown, ring: KeyRing): string {
  const key = ring.current;
  const iv = randomBytesPooled(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(JSON.stringify(payload)))), cipher.final()]);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(key.id, 0);
  return Buffer.concat([id, iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The payload, or undefined for anything that is not a message this deployment sealed. */
export function openAuthorizationMessage(encoded: string, ring: KeyRing): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < 4 + 12 + 16 + 1) return undefined;
  const key = ring.find(raw.readUInt32BE(0));
  if (!key) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(4, 16));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const plain = Buffer.concat([decipher.update(raw.subarray(16, raw.length - 16)), decipher.final()]);
    return JSON.parse(inflateRawSync(plain).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
