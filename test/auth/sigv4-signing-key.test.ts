/** Signing-key derivation and its cache. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256Key } from '../../src/auth/sigv4/sha256.js';
import { SigningKeyCache, deriveSigningKey, parseSignature, verifySignature } from '../../src/auth/sigv4/index.js';
import { TEST_SECRET, signedRequest } from './sigv4-helpers.js';

const NOW = new Date('2026-01-01T12:00:00Z');

describe('deriveSigningKey', () => {
  it('matches the IAM User Guide example (20120215/us-east-1/iam)', () => {
    expect(deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });
});

describe('SigningKeyCache', () => {
  function verifyWith(cache: SigningKeyCache, region = 'us-east-1', secret = TEST_SECRET): void {
    const req = signedRequest({ region, secret });
    const parsed = parseSignature(req, NOW);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.failure));
    expect(verifySignature(req, parsed.info, secret, cache)).toBeUndefined();
  }

  it('derives once per (secret, date, region, service) and then hits', () => {
    const cache = new SigningKeyCache();
    verifyWith(cache);
    expect([cache.misses, cache.hits, cache.size]).toEqual([1, 0, 1]);
    verifyWith(cache);
    verifyWith(cache);
    expect([cache.misses, cache.hits, cache.size]).toEqual([1, 2, 1]);
    verifyWith(cache, 'eu-west-1');
    verifyWith(cache, 'us-east-1', 'another-secret');
    expect([cache.misses, cache.hits, cache.size]).toEqual([3, 2, 3]);
  });

  it('returns the derived key', () => {
    const cache = new SigningKeyCache();
    const expected = deriveSigningKey(TEST_SECRET, '20260101', 'us-east-1', 'sts');
    expect(cache.signingKey(TEST_SECRET, '20260101', 'us-east-1', 'sts').equals(expected)).toBe(true);
    expect(cache.signingKey(TEST_SECRET, '20260101', 'us-east-1', 'sts').equals(expected)).toBe(true);
    expect(cache.hits).toBe(1);
  });

  it('a wrong secret never hits the entry of the right one', () => {
    const cache = new SigningKeyCache();
    const req = signedRequest();
    const parsed = parseSignature(req, NOW);
    if (!parsed.ok) throw new Error('parse');
    expect(verifySignature(req, parsed.info, TEST_SECRET, cache)).toBeUndefined();
    expect(verifySignature(req, parsed.info, 'wrong', cache)?.code).toBe('SignatureDoesNotMatch');
    expect(cache.hits).toBe(0);
  });

  it('is a bounded LRU', () => {
    const cache = new SigningKeyCache(2);
    cache.signingKey('s', '20260101', 'r1', 'sts');
    cache.signingKey('s', '20260101', 'r2', 'sts');
    cache.signingKey('s', '20260101', 'r1', 'sts'); // r1 now most recent
    cache.signingKey('s', '20260101', 'r3', 'sts'); // evicts r2
    expect(cache.size).toBe(2);
    const misses = cache.misses;
    cache.signingKey('s', '20260101', 'r1', 'sts');
    expect(cache.misses).toBe(misses);
    cache.signingKey('s', '20260101', 'r2', 'sts');
    expect(cache.misses).toBe(misses + 1);
    expect(() => new SigningKeyCache(0)).toThrow(RangeError);
  });
});

describe('HmacSha256Key (RFC 2104 over one-shot hashes)', () => {
  it('equals crypto.createHmac for short, block-size and long keys and any message', () => {
    const messages = ['', 'a', 'AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/sts/aws4_request\n' + 'f'.repeat(64), 'ሴ😀\ud800x', 'z'.repeat(5000)];
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const prepared = new HmacSha256Key(key);
      for (const m of messages) {
        expect(prepared.hex(m), `key ${keyLength}, message ${m.length}`).toBe(createHmac('sha256', key).update(m).digest('hex'));
      }
    }
  });
});
