import { createCipheriv, createDecipheriv } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Caller, CallerType, SessionClaims } from '../auth/principal.js';
import { randomBytesPooled } from '../crypto/random.js';
import { LruCache } from '../lru-cache.js';
import type { Tag } from '../store/types.js';
import type { KeyRing, SessionKey } from './key-ring.js';

/**
 * A session token is self-contained: the whole session context, sealed with AES-256-GCM under
 * the key ring's current key and bound to its ASIA access key ID (associated data), so a
 * request is validated without a store lookup and any altered bit is rejected.
 *
 * Layout (base64): "OST1" prefix | key id (4) | flags (1) | iv (12) | ciphertext | tag (16).
 * Flag bit 0: the plaintext is deflated (large session policies and tags).
 */
const PREFIX = 'OST1';
const HEADER = 4 + 1 + 12;
const TAG = 16;
// Deflate costs a zlib stream per seal and open (~25 µs); only large sessions (long session
// policies, many tags) are worth it. Typical tokens stay near 1.2 KB, as AWS's do.
const COMPRESS_OVER = 2048;

/** The compact wire form of the sealed claims. */
interface Wire {
  t: CallerType;
  a: string; // account
  n: string; // principal ARN
  u: string; // aws:userid
  k: string; // access key id
  s: string; // secret access key
  i: number; // issued (ms)
  e: number; // expires (ms)
  o: SessionClaims['issuer'];
  sn?: string;
  un?: string;
  ui?: string;
  ra?: string;
  rn?: string;
  ri?: string;
  tg?: [string, string][];
  tt?: string[];
  si?: string;
  m?: number;
  p?: string;
  pa?: string[];
  pk?: string;
  c?: 1;
}

export function sealSessionToken(caller: Caller & { session: SessionClaims }, ring: KeyRing): string {
  const s = caller.session;
  const wire: Wire = {
    t: caller.type,
    a: caller.accountId,
    n: caller.arn,
    u: caller.userId,
    k: s.accessKeyId,
    s: s.secretAccessKey,
    i: s.issuedAt.getTime(),
    e: s.expiresAt.getTime(),
    o: s.issuer,
  };
  if (s.sessionName !== undefined) wire.sn = s.sessionName;
  if (caller.userName !== undefined) wire.un = caller.userName;
  if (caller.userUniqueId !== undefined) wire.ui = caller.userUniqueId;
  if (caller.roleArn !== undefined) wire.ra = caller.roleArn;
  if (caller.roleName !== undefined) wire.rn = caller.roleName;
  if (caller.roleId !== undefined) wire.ri = caller.roleId;
  if (s.sessionTags.length > 0) wire.tg = s.sessionTags.map((t) => [t.Key, t.Value]);
  if (s.transitiveTagKeys.length > 0) wire.tt = [...s.transitiveTagKeys];
  if (s.sourceIdentity !== undefined) wire.si = s.sourceIdentity;
  if (s.mfaAuthenticatedAt !== undefined) wire.m = s.mfaAuthenticatedAt.getTime();
  if (s.sessionPolicy !== undefined) wire.p = s.sessionPolicy;
  if (s.sessionPolicyArns.length > 0) wire.pa = [...s.sessionPolicyArns];
  if (s.parentAccessKeyId !== undefined) wire.pk = s.parentAccessKeyId;
  if (s.chained) wire.c = 1;

  let plaintext = Buffer.from(JSON.stringify(wire), 'utf8');
  let flags = 0;
  if (plaintext.length > COMPRESS_OVER) {
    plaintext = deflateRawSync(plaintext);
    flags |= 1;
  }
  const key = ring.current;
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(key.id, 0);
  header.writeUInt8(flags, 4);
  randomBytesPooled(12).copy(header, 5);
  const cipher = createCipheriv('aes-256-gcm', key.key, header.subarray(5, HEADER));
  cipher.setAAD(Buffer.concat([header.subarray(0, 5), Buffer.from(s.accessKeyId)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return PREFIX + Buffer.concat([header, body, cipher.getAuthTag()]).toString('base64');
}

export type OpenResult =
  | { readonly ok: true; readonly caller: Caller & { session: SessionClaims }; readonly key: SessionKey }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown-key' | 'forged' };

/** Opens a token presented with `accessKeyId`; never throws. */
export function openSessionToken(token: string, accessKeyId: string, ring: KeyRing): OpenResult {
  if (!token.startsWith(PREFIX) || token.length > 16384) return { ok: false, reason: 'malformed' };
  const body = token.slice(PREFIX.length);
  const raw = Buffer.from(body, 'base64');
  // One spelling per token: Node's decoder also takes URL-safe letters, missing padding and trailing junk.
  if (raw.length < HEADER + TAG + 2 || raw.toString('base64') !== body) return { ok: false, reason: 'malformed' };
  const key = ring.find(raw.readUInt32BE(0));
  if (!key) return { ok: false, reason: 'unknown-key' };
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(5, HEADER));
    decipher.setAAD(Buffer.concat([raw.subarray(0, 5), Buffer.from(accessKeyId)]));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    plaintext = Buffer.concat([decipher.update(raw.subarray(HEADER, raw.length - TAG)), decipher.final()]);
    if (raw.readUInt8(4) & 1) plaintext = inflateRawSync(plaintext);
  } catch {
    return { ok: false, reason: 'forged' };
  }
  let wire: Wire;
  try {
    wire = JSON.parse(plaintext.toString('utf8')) as Wire;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (wire.k !== accessKeyId) return { ok: false, reason: 'forged' };
  return { ok: true, caller: callerOf(wire), key };
}

function callerOf(wire: Wire): Caller & { session: SessionClaims } {
  const tags: Tag[] = (wire.tg ?? []).map(([Key, Value]) => ({ Key, Value }));
  const session: SessionClaims = {
    accessKeyId: wire.k,
    secretAccessKey: wire.s,
    issuedAt: new Date(wire.i),
    expiresAt: new Date(wire.e),
    issuer: wire.o,
    sessionTags: tags,
    transitiveTagKeys: wire.tt ?? [],
    sessionPolicyArns: wire.pa ?? [],
    chained: wire.c === 1,
    ...(wire.sn !== undefined ? { sessionName: wire.sn } : {}),
    ...(wire.si !== undefined ? { sourceIdentity: wire.si } : {}),
    ...(wire.m !== undefined ? { mfaAuthenticatedAt: new Date(wire.m) } : {}),
    ...(wire.p !== undefined ? { sessionPolicy: wire.p } : {}),
    ...(wire.pk !== undefined ? { parentAccessKeyId: wire.pk } : {}),
  };
  const caller: Caller & { session: SessionClaims } = {
    type: wire.t,
    accountId: wire.a,
    arn: wire.n,
    userId: wire.u,
    accessKeyId: wire.k,
    session,
    ...(wire.un !== undefined ? { userName: wire.un } : {}),
    ...(wire.ui !== undefined ? { userUniqueId: wire.ui } : {}),
    ...(wire.ra !== undefined ? { roleArn: wire.ra } : {}),
    ...(wire.rn !== undefined ? { roleName: wire.rn } : {}),
    ...(wire.ri !== undefined ? { roleId: wire.ri } : {}),
  };
  return caller;
}

interface Opened {
  readonly token: string;
  readonly key: SessionKey;
  readonly caller: Caller & { session: SessionClaims };
}

/**
 * Opened tokens by access key ID. A session's SDK presents the same token on every call, and
 * opening one costs a base64 decode, an AES-GCM pass and a JSON parse; a hit costs a string
 * compare. Only a byte-identical token presented with the same key hits, and only while the ring
 * still holds the key that sealed it, so a hit answers exactly what opening would. Expiry is
 * the caller's to check on every request.
 */
export class SessionTokenCache {
  readonly #entries: LruCache<string, Opened>;

  constructor(capacity = 4096) {
    this.#entries = new LruCache({ maxEntries: capacity });
  }

  open(token: string, accessKeyId: string, ring: KeyRing): OpenResult {
    const cached = this.#entries.get(accessKeyId);
    if (cached !== undefined && cached.token === token && holds(ring, cached.key)) return { ok: true, caller: cached.caller, key: cached.key };
    const opened = openSessionToken(token, accessKeyId, ring);
    if (opened.ok) this.#entries.set(accessKeyId, { token, key: opened.key, caller: opened.caller });
    return opened;
  }
}

/** The ring still holds the key (a reloaded ring has equal keys in new objects). */
function holds(ring: KeyRing, key: SessionKey): boolean {
  const found = ring.find(key.id);
  return found !== undefined && (found === key || found.key.equals(key.key));
}
