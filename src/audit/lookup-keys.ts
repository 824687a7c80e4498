import type { LookupAttributeKey } from './audit-store.js';
import type { LookupResource } from './lookup-fields.js';

/**
 * The integer keys of the `audit_lookup` index (schema version 2). Each key is a 53-bit hash of
 * what a query looks for — (attribute, account, region, value) for LookupEvents, (purpose,
 * value) for the account-independent EventId and trace lookups — so an index entry is three
 * small integers instead of four strings. A hash can collide: every query therefore checks its
 * candidates against the event's own columns, and a collision costs one extra row read, never
 * a wrong answer.
 *
 * The keys are stored on disk: changing `hash53`, the key texts or the tags means a new schema
 * version that rebuilds the index.
 */

/** What the keys of one record are computed from: audit_events columns, so a migration can recompute them. */
export interface KeyedFields {
  readonly eventId: string;
  readonly accountId: string;
  readonly region: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly issuedAccessKeyId: string | undefined;
  readonly resources: readonly LookupResource[];
}

/** Keys found in every account and region; LookupEvents' own attributes are scoped (scopedKey). */
type GlobalTag = 'EventId' | 'SignedBy' | 'IssuedKey';
/** `*` is the unfiltered lookup (every event of the account and region). */
type ScopedTag = '*' | Exclude<LookupAttributeKey, 'EventId'>;

const SEPARATOR = '\u0000';

/**
 * The record's keys, distinct, the EventId key first (the writer checks it for a duplicate
 * event ID). Float64Array: 53-bit integers are exact in it, it crosses to the writer thread
 * without per-element cloning, and it is stored as is (a BLOB) for the retention sweep.
 */
export function lookupKeys(fields: KeyedFields): Float64Array {
  const keys: number[] = [globalKey('EventId', fields.eventId)];
  const add = (key: number) => {
    if (!keys.includes(key)) keys.push(key);
  };
  const scoped = (tag: ScopedTag, value: string) => add(scopedKey(tag, fields.accountId, fields.region, value));
  scoped('*', '');
  scoped('EventName', fields.eventName);
  scoped('EventSource', fields.eventSource);
  scoped('ReadOnly', fields.readOnly ? 'true' : 'false');
  if (fields.username !== undefined) scoped('Username', fields.username);
  if (fields.accessKeyId !== undefined) {
    scoped('AccessKeyId', fields.accessKeyId);
    add(globalKey('SignedBy', fields.accessKeyId));
  }
  if (fields.issuedAccessKeyId !== undefined) add(globalKey('IssuedKey', fields.issuedAccessKeyId));
  for (const resource of fields.resources) {
    scoped('ResourceType', resource.ResourceType);
    scoped('ResourceName', resource.ResourceName);
  }
  return Float64Array.from(keys);
}

/** The key a LookupEvents query scans: EventId is unique, so its key is not scoped (the query checks the scope). */
export function queryKey(accountId: string, region: string, attribute: { readonly key: LookupAttributeKey; readonly value: string } | undefined): number {
  if (!attribute) return scopedKey('*', accountId, region, '');
  if (attribute.key === 'EventId') return globalKey('EventId', attribute.value);
  return scopedKey(attribute.key, accountId, region, attribute.value);
}

export function globalKey(tag: GlobalTag, value: string): number {
  return hash53(tag + SEPARATOR + value);
}

function scopedKey(tag: ScopedTag, accountId: string, region: string, value: string): number {
  return hash53(tag + SEPARATOR + accountId + SEPARATOR + region + SEPARATOR + value);
}

/**
 * cyrb53 (bryc, public domain): two 32-bit multiplicative hashes mixed into 53 bits — a safe
 * integer, so SQLite stores it as an INTEGER and JavaScript reads it back exactly.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
