import { createHmac } from 'node:crypto';
import { TERMINATOR } from './constants.js';
import { LruCache } from '../../lru-cache.js';
import { HmacSha256Key, sha256Base64 } from './sha256.js';

/** sigv4.md §2 step 8: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, scopeDate: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(scopeDate).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update(TERMINATOR).digest();
}

/** The signing key ready to sign strings to sign. */
export function signingHmac(secretAccessKey: string, scopeDate: string, region: string, service: string): HmacSha256Key {
  return new HmacSha256Key(deriveSigningKey(secretAccessKey, scopeDate, region, service));
}

/**
 * Bounded LRU of derived signing keys, keyed by (SHA-256 of the secret, date, region, service):
 * the HMAC chain is the expensive part of verification, and a key is valid for a whole day.
 * The map never holds the plain secret.
 */
export class SigningKeyCache {
  readonly #entries: LruCache<string, HmacSha256Key>;
  #hits = 0;
  #misses = 0;

  constructor(maxEntries = 1024) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.#entries = new LruCache({ maxEntries });
  }

  get size(): number {
    return this.#entries.size;
  }

  get hits(): number {
    return this.#hits;
  }

  get misses(): number {
    return this.#misses;
  }

  /** The derived signing key (kSigning). */
  signingKey(secretAccessKey: string, scopeDate: string, region: string, service: string): Buffer {
    return this.hmac(secretAccessKey, scopeDate, region, service).key;
  }

  /** The derived signing key, prepared for HMAC. */
  hmac(secretAccessKey: string, scopeDate: string, region: string, service: string): HmacSha256Key {
    const id = `${sha256Base64(secretAccessKey)}\n${scopeDate}\n${region}\n${service}`;
    const cached = this.#entries.get(id);
    if (cached !== undefined) {
      this.#hits++;
      return cached;
    }
    this.#misses++;
    const key = signingHmac(secretAccessKey, scopeDate, region, service);
    this.#entries.set(id, key);
    return key;
  }

  clear(): void {
    this.#entries.clear();
  }
}
