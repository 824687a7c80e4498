import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { decodeNextToken, encodeNextToken, type TokenScope } from '../../src/services/cloudtrail/next-token.js';

const secrets = new SecretBox(randomBytes(32));
const scope: TokenScope = { accountId: '111122223333', region: 'us-east-1', parameters: ['EventName', 'AssumeRole', null, null, false] };
const now = new Date('2026-03-02T14:00:00Z');

describe('LookupEvents NextToken', () => {
  it('carries the (event time, seq) cursor, sealed and opaque', () => {
    const token = encodeNextToken(secrets, scope, { eventTime: 1_772_459_000, seq: 42 }, now);
    // Opaque: neither the token nor its decoded bytes show the cursor (a 10-digit time cannot turn up by chance).
    expect(token).not.toContain('1772459000');
    expect(Buffer.from(token.slice(token.indexOf('.') + 1), 'base64').toString('latin1')).not.toContain('1772459000');
    expect(decodeNextToken(secrets, scope, token, now)).toEqual({ eventTime: 1_772_459_000, seq: 42 });
  });

  it('is refused for another scope, after 24 hours, under another key, or altered', () => {
    const token = encodeNextToken(secrets, scope, { eventTime: 1_772_459_000, seq: 42 }, now);
    expect(decodeNextToken(secrets, { ...scope, accountId: '444455556666' }, token, now)).toBeUndefined();
    expect(decodeNextToken(secrets, { ...scope, region: 'eu-west-1' }, token, now)).toBeUndefined();
    expect(decodeNextToken(secrets, { ...scope, parameters: ['EventName', 'GetRole', null, null, false] }, token, now)).toBeUndefined();
    expect(decodeNextToken(secrets, scope, token, new Date(now.getTime() + 24 * 3600 * 1000 + 1))).toBeUndefined();
    expect(decodeNextToken(new SecretBox(randomBytes(32)), scope, token, now)).toBeUndefined();
    const at = token.length - 10;
    const altered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(decodeNextToken(secrets, scope, altered, now)).toBeUndefined();
  });

  it('refuses a sealed body that is not a version-2 cursor (a version-1 token names an event ID)', () => {
    const seal = (body: object) => secrets.seal(JSON.stringify(body), 'cloudtrail:LookupEvents:NextToken');
    const common = { a: scope.accountId, r: scope.region, h: hashOf(), i: now.getTime() };
    expect(decodeNextToken(secrets, scope, seal({ v: 2, ...common, t: 1_772_459_000, s: 42 }), now)).toEqual({ eventTime: 1_772_459_000, seq: 42 });
    expect(decodeNextToken(secrets, scope, seal({ v: 1, ...common, t: 1_772_459_000, e: 'a3c1e9d2-0000-4000-8000-000000000000' }), now)).toBeUndefined();
    expect(decodeNextToken(secrets, scope, seal({ v: 2, ...common, t: 1_772_459_000, s: 1.5 }), now)).toBeUndefined();
    expect(decodeNextToken(secrets, scope, seal({ v: 2, ...common, t: 1_772_459_000, s: '42' }), now)).toBeUndefined();
    expect(decodeNextToken(secrets, scope, seal({ v: 2, ...common, t: 1_772_459_000, s: 0 }), now)).toBeUndefined();
    expect(decodeNextToken(secrets, scope, seal({ v: 2, ...common, t: 'x', s: 42 }), now)).toBeUndefined();
  });
});

/** The scope hash a genuine token carries, read back from one. */
function hashOf(): string {
  const token = encodeNextToken(secrets, scope, { eventTime: 0, seq: 1 }, now);
  return (JSON.parse(secrets.open(token, 'cloudtrail:LookupEvents:NextToken')) as { h: string }).h;
}
