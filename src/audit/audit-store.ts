import type { LookupResource } from './lookup-fields.js';
import type { CloudTrailEvent } from './types.js';

/** LookupEvents attribute keys (cloudtrail.md §4.2). */
export const LOOKUP_ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

/** A stored record with the fields LookupEvents returns beside it. */
export interface StoredEvent {
  readonly eventId: string;
  /** Epoch seconds. */
  readonly eventTime: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly recipientAccountId: string;
  readonly awsRegion: string;
  readonly username: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly resources: readonly LookupResource[];
  /** The record as compact JSON, byte for byte what LookupEvents returns in CloudTrailEvent. */
  readonly json: string;
}

/**
 * Where a page ended: results resume strictly after it. Events are ordered newest first, ties
 * in one second by the store's insertion sequence, latest first.
 */
export interface LookupCursor {
  readonly eventTime: number;
  /** The store's position of the page's last event (a positive safe integer). */
  readonly seq: number;
}

/** One LookupEvents page, scoped like AWS's event history: one account, one region (§4.5). */
export interface LookupQuery {
  readonly accountId: string;
  readonly region: string;
  readonly attribute?: { readonly key: LookupAttributeKey; readonly value: string };
  /** Inclusive bounds, epoch seconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly limit: number;
  readonly after?: LookupCursor;
}

export interface LookupPage {
  readonly events: readonly StoredEvent[];
  /** True when at least one more event matches after the last one returned. */
  readonly hasMore: boolean;
  /** When hasMore: the cursor of the next page. */
  readonly next?: LookupCursor;
}

/**
 * The audit trail's storage. `append` resolves only once the records are durable: the request
 * path awaits it before answering (audit-before-respond, issue #6).
 */
export interface AuditStore {
  append(events: readonly CloudTrailEvent[]): Promise<void>;
  lookup(query: LookupQuery): Promise<LookupPage>;
  /** Records of the calls that issued `accessKeyId` (one per receiving account), for trace. */
  findIssuingEvents(accessKeyId: string): Promise<readonly StoredEvent[]>;
  /** The earliest records signed with `accessKeyId`, oldest first. */
  findSignedBy(accessKeyId: string, limit: number): Promise<readonly StoredEvent[]>;
  /** Removes records with eventTime before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  close(): Promise<void>;
}
