import { LOOKUP_ATTRIBUTE_KEYS, type AuditStore, type LookupAttributeKey, type StoredEvent } from '../../audit/audit-store.js';
import { AwsError } from '../../protocol/errors.js';
import { RateLimiter } from '../../server/throttle.js';
import type { ActionContext, JsonAction, JsonObject, JsonValue } from '../action.js';
import { decodeNextToken, encodeNextToken, type TokenScope } from './next-token.js';

export interface LookupEventsOptions {
  /** The window LookupEvents searches, in days (AWS: 90). */
  readonly retentionDays?: number;
  /** Requests per second per account and region (AWS: 2); 0 = unlimited. */
  readonly rateLimit?: number;
}

const DAY_S = 86_400;
const DEFAULT_MAX_RESULTS = 50;
const MAX_VALUE_WEIGHT = 2000;

interface LookupRequest {
  readonly attribute: { readonly key: LookupAttributeKey; readonly value: string } | undefined;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly insight: boolean;
  readonly maxResults: number;
  readonly nextToken: string | undefined;
}

/**
 * LookupEvents (cloudtrail.md §4): the management events of the caller's account in the
 * region of the request's credential scope, newest first, within the retention window;
 * one lookup attribute at most; keyset pagination through a sealed NextToken.
 */
export function lookupEventsAction(store: AuditStore, options: LookupEventsOptions = {}): JsonAction {
  const retentionDays = options.retentionDays ?? 90;
  const limiter = new RateLimiter(options.rateLimit ?? 2);
  return {
    name: 'LookupEvents',
    async run(input, ctx) {
      const caller = ctx.requireCaller();
      const now = ctx.clock.now();
      const region = ctx.request.region;
      if (!limiter.take(`${caller.accountId}/${region}`, now.getTime())) throw new AwsError('ThrottlingException', 'Rate exceeded');
      await authorizeLookup(ctx);
      const request = parseRequest(input);
      const scope: TokenScope = {
        accountId: caller.accountId,
        region,
        parameters: [request.attribute?.key ?? null, request.attribute?.value ?? null, request.startTime ?? null, request.endTime ?? null, request.insight],
      };
      let after;
      if (request.nextToken !== undefined) {
        after = decodeNextToken(ctx.secrets, scope, request.nextToken, now);
        if (!after) throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.');
      }
      // open-sts has no Insights events (§4.2).
      if (request.insight) return { Events: [] };
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const oldest = retentionDays > 0 ? nowSeconds - retentionDays * DAY_S : 0;
      const startTime = Math.max(request.startTime === undefined ? oldest : Math.ceil(request.startTime), oldest);
      const endTime = request.endTime === undefined ? nowSeconds : Math.floor(request.endTime);
      if (startTime > endTime) return { Events: [] };
      const page = await store.lookup({
        accountId: caller.accountId,
        region,
        ...(request.attribute ? { attribute: request.attribute } : {}),
        startTime,
        endTime,
        limit: request.maxResults,
        ...(after ? { after } : {}),
      });
      return {
        Events: page.events.map(eventShape),
        ...(page.next ? { NextToken: encodeNextToken(ctx.secrets, scope, page.next, now) } : {}),
      };
    },
  };
}

/** `cloudtrail:LookupEvents` on `*` (§4.1); the denial takes the JSON protocol's code. */
async function authorizeLookup(ctx: ActionContext): Promise<void> {
  try {
    await ctx.authorize({ action: 'cloudtrail:LookupEvents', resource: '*' });
  } catch (error) {
    // The CloudTrail model gives AccessDeniedException HTTP 403 (aws-sdk-js-v3 model; §4.1 says 400, UNVERIFIED).
    if (error instanceof AwsError && error.code === 'AccessDenied') throw new AwsError('AccessDeniedException', cloudTrailDenial(error.message), { status: 403 });
    throw error;
  }
}

/**
 * §4.1's observed text: `User: <arn> is not authorized to perform: cloudtrail:LookupEvents
 * because no identity-based policy allows the cloudtrail:LookupEvents action` — no
 * `on resource: *` (the action has no resource-level permissions) and no encoded
 * authorization message (CloudTrail does not send one).
 */
function cloudTrailDenial(message: string): string {
  const plain = message.split(' Encoded authorization failure message:')[0]!;
  return plain.replace(' on resource: * because ', ' because ');
}

function eventShape(event: StoredEvent): JsonObject {
  return {
    EventId: event.eventId,
    EventName: event.eventName,
    ReadOnly: event.readOnly ? 'true' : 'false',
    ...(event.accessKeyId !== undefined ? { AccessKeyId: event.accessKeyId } : {}),
    EventTime: event.eventTime,
    EventSource: event.eventSource,
    ...(event.username !== undefined ? { Username: event.username } : {}),
    Resources: event.resources.map((r) => ({ ResourceType: r.ResourceType, ResourceName: r.ResourceName })),
    CloudTrailEvent: event.json,
  };
}

function parseRequest(input: JsonObject): LookupRequest {
  const attribute = parseAttributes(input['LookupAttributes']);
  const startTime = parseTimestamp(input['StartTime'], 'StartTime');
  const endTime = parseTimestamp(input['EndTime'], 'EndTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw new AwsError('InvalidTimeRangeException', 'Start time must be before end time.');
  }
  const category = input['EventCategory'];
  if (category !== undefined && category !== null && category !== 'insight') {
    if (typeof category !== 'string') throw serialization('EventCategory');
    throw new AwsError('InvalidEventCategoryException', 'Invalid EventCategory.');
  }
  const max = input['MaxResults'];
  let maxResults = DEFAULT_MAX_RESULTS;
  if (max !== undefined && max !== null) {
    if (typeof max !== 'number') throw serialization('MaxResults');
    if (!Number.isInteger(max) || max < 1 || max > 50) throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    maxResults = max;
  }
  const token = input['NextToken'];
  if (token !== undefined && token !== null && typeof token !== 'string') throw serialization('NextToken');
  return {
    attribute,
    startTime,
    endTime,
    insight: category === 'insight',
    maxResults,
    nextToken: typeof token === 'string' && token.length > 0 ? token : undefined,
  };
}

function parseAttributes(value: JsonValue | undefined): LookupRequest['attribute'] {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serialization('LookupAttributes');
  const items = value as readonly JsonValue[];
  if (items.length === 0) return undefined;
  if (items.length > 1) throw new AwsError('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
  const item = items[0];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw serialization('LookupAttributes');
  const { AttributeKey: key, AttributeValue: raw } = item as { readonly [k: string]: JsonValue | undefined };
  if (typeof key !== 'string' || !(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
    throw new AwsError('InvalidLookupAttributesException', `Invalid lookup attribute key: ${typeof key === 'string' ? key.slice(0, 128) : String(key)}`);
  }
  if (typeof raw !== 'string' || raw.length === 0) throw new AwsError('InvalidLookupAttributesException', 'AttributeValue must be specified and non-empty.');
  // The model: `_`, space, `,` and newline count twice toward the 2000 limit.
  const weight = [...raw].reduce((n, c) => n + (c === '_' || c === ' ' || c === ',' || c === '\n' ? 2 : 1), 0);
  if (weight > MAX_VALUE_WEIGHT) throw new AwsError('InvalidLookupAttributesException', 'AttributeValue must be at most 2000 characters.');
  if (key === 'ReadOnly' && raw !== 'true' && raw !== 'false') {
    throw new AwsError('InvalidLookupAttributesException', 'Invalid value for ReadOnly lookup attribute: must be true or false.');
  }
  return { key: key as LookupAttributeKey, value: raw };
}

/** JSON 1.1 timestamps are epoch seconds; ISO-8601 text is accepted too (§4.2 Decision). */
function parseTimestamp(value: JsonValue | undefined, member: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw serialization(member);
}

function serialization(member: string): AwsError {
  return new AwsError('SerializationException', `Unexpected value type for member ${member}.`);
}
