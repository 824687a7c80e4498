import { describe, expect, it } from 'vitest';
import type { Caller, SessionClaims } from '../../src/auth/principal.js';
import { newAccessKeyId, newSecretAccessKey } from '../../src/ids.js';
import { KeyRing } from '../../src/tokens/key-ring.js';
import { SessionTokenCache, openSessionToken, sealSessionToken } from '../../src/tokens/session-token.js';

function roleSession(overrides: Partial<SessionClaims> = {}): Caller & { session: SessionClaims } {
  const accessKeyId = newAccessKeyId('ASIA', '111122223333');
  return {
    type: 'AssumedRole',
    accountId: '111122223333',
    arn: 'arn:aws:sts::111122223333:assumed-role/deployer/alice',
    userId: 'AROAEXAMPLEEXAMPLE01:alice',
    accessKeyId,
    roleArn: 'arn:aws:iam::111122223333:role/ci/deployer',
    roleName: 'deployer',
    roleId: 'AROAEXAMPLEEXAMPLE01',
    session: {
      accessKeyId,
      secretAccessKey: newSecretAccessKey(),
      issuedAt: new Date('2026-11-29T10:00:00Z'),
      expiresAt: new Date('2026-11-29T11:00:00Z'),
      issuer: 'AssumeRole',
      sessionName: 'alice',
      sessionTags: [{ Key: 'Project', Value: 'Unicorn' }],
      transitiveTagKeys: ['project'],
      sourceIdentity: 'alice@example.com',
      sessionPolicyArns: [],
      chained: false,
      ...overrides,
    },
  };
}

describe('session tokens', () => {
  const ring = KeyRing.ephemeral(new Date());

  it('round-trips the whole session context', () => {
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    const opened = openSessionToken(token, caller.accessKeyId, ring);
    expect(opened).toEqual({ ok: true, caller, key: ring.current });
  });

  it('rejects a token altered by any single bit', () => {
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    const raw = Buffer.from(token.slice(4), 'base64');
    for (let byte = 0; byte < raw.length; byte++) {
      const altered = Buffer.from(raw);
      altered[byte] = altered[byte]! ^ (1 << byte % 8);
      const result = openSessionToken('OST1' + altered.toString('base64'), caller.accessKeyId, ring);
      expect(result.ok, `byte ${byte}`).toBe(false);
    }
  });

  it('is bound to its access key ID and to the ring that sealed it', () => {
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    expect(openSessionToken(token, newAccessKeyId('ASIA', '111122223333'), ring).ok).toBe(false);
    expect(openSessionToken(token, caller.accessKeyId, KeyRing.ephemeral(new Date()))).toEqual({ ok: false, reason: 'unknown-key' });
    expect(openSessionToken('garbage', caller.accessKeyId, ring)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('stays within the size SDKs and the CLI accept, even with a full session policy and 50 tags', () => {
    const small = sealSessionToken(roleSession(), ring);
    expect(small.length).toBeLessThan(2048);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::' + 'b'.repeat(1900) }] });
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `key-${i}-${'k'.repeat(20)}`, Value: `value-${i}-${'v'.repeat(40)}` }));
    const large = sealSessionToken(roleSession({ sessionPolicy: policy, sessionTags: tags }), ring);
    expect(large.length).toBeLessThan(4096);
    const opened = openSessionToken(large, roleSession().accessKeyId, ring);
    expect(opened.ok).toBe(false);
  });
});

describe('session token spelling', () => {
  it('accepts only the exact base64 it issued', () => {
    const ring = KeyRing.ephemeral(new Date());
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    expect(openSessionToken(token, caller.accessKeyId, ring).ok).toBe(true);
    for (const variant of [token + 'A', token + '==', token.replace(/\+/g, '-').replace(/\//g, '_'), token.replace(/=+$/, '') + (token.endsWith('=') ? '' : '=')]) {
      if (variant === token) continue;
      expect(openSessionToken(variant, caller.accessKeyId, ring).ok, variant.slice(-8)).toBe(false);
    }
  });
});

describe('the opened-token cache', () => {
  it('answers a repeated token with the same opened session, and only that exact token', () => {
    const ring = KeyRing.ephemeral(new Date());
    const cache = new SessionTokenCache();
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    const first = cache.open(token, caller.accessKeyId, ring);
    const second = cache.open(token, caller.accessKeyId, ring);
    expect(first.ok && second.ok && second.caller === first.caller).toBe(true);
    // A one-character change is opened (and refused), never answered from the cache.
    const altered = token.slice(0, -6) + (token.at(-6) === 'A' ? 'B' : 'A') + token.slice(-5);
    expect(cache.open(altered, caller.accessKeyId, ring).ok).toBe(false);
    // The same token presented with another key ID is refused.
    expect(cache.open(token, newAccessKeyId('ASIA', '111122223333'), ring)).toEqual({ ok: false, reason: 'forged' });
  });

  it('stops answering once the ring no longer holds the sealing key', () => {
    const ring = KeyRing.ephemeral(new Date());
    const cache = new SessionTokenCache();
    const caller = roleSession();
    const token = sealSessionToken(caller, ring);
    expect(cache.open(token, caller.accessKeyId, ring).ok).toBe(true);
    expect(cache.open(token, caller.accessKeyId, KeyRing.ephemeral(new Date()))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const ring = KeyRing.ephemeral(new Date());
    const cache = new SessionTokenCache(2);
    const sessions = [roleSession(), roleSession(), roleSession()].map((c) => ({ c, token: sealSessionToken(c, ring) }));
    const opened = sessions.map(({ c, token }) => cache.open(token, c.accessKeyId, ring));
    // Newest first, so that re-opening the evicted one cannot evict another before it is checked.
    const hit = [2, 1, 0].map((i) => {
      const o = opened[i]!;
      const a = cache.open(sessions[i]!.token, sessions[i]!.c.accessKeyId, ring);
      return o.ok && a.ok && a.caller === o.caller;
    });
    expect(hit).toEqual([true, true, false]);
  });
});
