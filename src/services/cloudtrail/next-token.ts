import { createHash } from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { LookupCursor } from '../../audit/audit-store.js';

const PURPOSE = 'cloudtrail:LookupEvents:NextToken';
const MAX_AGE_MS = 24 * 3600 * 1000;

/** What a NextToken binds: the caller's scope and every request member except MaxResults (cloudtrail.md §4.6). */
export interface TokenScope {
  readonly accountId: string;
  readonly region: string;
  readonly parameters: readonly unknown[];
}

/** Version 2: the cursor is (event time, store sequence); version-1 tokens (event time, event ID) are refused. */
interface TokenBody {
  readonly v: 2;
  readonly a: string;
  readonly r: string;
  readonly h: string;
  readonly t: number;
  readonly s: number;
  readonly i: number;
}

/**
 * An opaque, sealed (AES-GCM under the master key) keyset cursor: forged, expired (24 h) or
 * replayed with other parameters, it is refused. Sealing with the master key keeps tokens
 * valid across restarts and across nodes.
 */
export function encodeNextToken(secrets: SecretBox, scope: TokenScope, cursor: LookupCursor, now: Date): string {
  const body: TokenBody = { v: 2, a: scope.accountId, r: scope.region, h: scopeHash(scope), t: cursor.eventTime, s: cursor.seq, i: now.getTime() };
  return secrets.seal(JSON.stringify(body), PURPOSE);
}

/** The cursor, or undefined when the token is not one this deployment issued for this request. */
export function decodeNextToken(secrets: SecretBox, scope: TokenScope, token: string, now: Date): LookupCursor | undefined {
  let body: TokenBody;
  try {
    body = JSON.parse(secrets.open(token, PURPOSE)) as TokenBody;
  } catch {
    return undefined;
  }
  if (body.v !== 2 || body.a !== scope.accountId || body.r !== scope.region || body.h !== scopeHash(scope)) return undefined;
  const age = now.getTime() - body.i;
  if (!(age >= -60_000 && age <= MAX_AGE_MS)) return undefined;
  if (!Number.isSafeInteger(body.t) || !Number.isSafeInteger(body.s) || body.s < 1) return undefined;
  return { eventTime: body.t, seq: body.s };
}

function scopeHash(scope: TokenScope): string {
  return createHash('sha256').update(JSON.stringify(scope.parameters)).digest('base64url').slice(0, 22);
}
