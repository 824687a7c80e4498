import { randomUUID } from 'node:crypto';
import { ASSUME_ROLE_ACTIONS, isDenial, isReadOnly, recordedErrorCode } from './classify.js';
import { eventTimeText, truncate } from './format.js';
import { awsAccountIdentity, callerIdentity, federatedIdentity } from './identity.js';
import { MAX_DEPTH, TooDeep, jsonRequestParameters, queryRequestParameters, responseElementsOf } from './parameters.js';
import { isDroppedRequestMember, isDroppedResponseMember, requestParametersSuppressed, scrubSecrets } from './redact.js';
import type { AuditInput, BuildOptions, CloudTrailEvent, EventResource, UserIdentity } from './types.js';

/** cloudtrail.md §1.2 Decision: one version for every record. */
export const EVENT_VERSION = '1.11';

/** AWS truncates userAgent and errorMessage at 1 KB (§1.1). */
const MAX_TEXT = 1024;
/** Above 100 KB AWS omits the parameters; open-sts records null (§1.1 Decision). */
const MAX_PARAMETERS = 100 * 1024;

/** Global services: AWS records them in us-east-1 (§1.1, observed for IAM since Nov 2021). */
const GLOBAL_SERVICES = new Set(['iam', 'organizations']);

/**
 * The CloudTrail records of one API call (cloudtrail.md §1–3): one per receiving account —
 * the caller's account, plus the role's account for a successful cross-account AssumeRole,
 * linked by sharedEventID. Empty when the call cannot be attributed to an account (an unsigned
 * federation call whose token did not parse, R1/R3). Pure apart from fresh event IDs.
 */
export function buildEvents(input: AuditInput, options: BuildOptions = {}): CloudTrailEvent[] {
  const partition = options.partition ?? 'aws';
  const includeSessionToken = options.includeSessionToken ?? false;
  const newEventId = options.newEventId ?? randomUUID;
  const { caller, notes, outcome, service, action } = input;

  let identity: UserIdentity;
  let homeAccount: string;
  if (caller) {
    identity = callerIdentity(caller, input.accessKeyId ?? caller.accessKeyId, partition);
    homeAccount = caller.accountId;
  } else if (notes.federatedIdentity) {
    identity = federatedIdentity(notes.federatedIdentity);
    homeAccount = notes.federatedIdentity.accountId;
  } else {
    return [];
  }

  const signingName = service.signingName;
  const readOnly = isReadOnly(signingName, action);
  const requestParameters = requestParametersOf(input);
  const responseElements = responseElementsFor(input, readOnly, includeSessionToken);
  const resources = resourcesOf(input, partition);
  const additionalEventData = additionalEventDataOf(input);

  // Cross-account copies only for calls that succeeded: a denied cross-account AssumeRole is
  // recorded in the caller's account alone (IAM guide, §3.1).
  const recipients = [homeAccount];
  if (outcome.ok) {
    const others = [...notes.alsoRecordIn, ...(ASSUME_ROLE_ACTIONS.has(action) && caller ? (resources ?? []).filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.accountId) : [])];
    for (const account of others) if (/^\d{12}$/.test(account) && !recipients.includes(account)) recipients.push(account);
  }
  const sharedEventID = recipients.length > 1 ? newEventId() : undefined;

  const secrets = secretValues(input, includeSessionToken);
  return recipients.map((recipient, i) => {
    const event: CloudTrailEvent = {
      eventVersion: EVENT_VERSION,
      userIdentity: i === 0 ? identity : awsAccountIdentity(identity),
      eventTime: eventTimeText(input.eventTime),
      eventSource: service.eventSource,
      eventName: action,
      awsRegion: GLOBAL_SERVICES.has(signingName) && partition === 'aws' ? 'us-east-1' : input.region,
      sourceIPAddress: input.sourceIp,
      ...(input.userAgent ? { userAgent: truncate(input.userAgent, MAX_TEXT) } : {}),
      ...(outcome.ok ? {} : { errorCode: recordedErrorCode(signingName, outcome.error), errorMessage: truncate(outcome.error.message, MAX_TEXT) }),
      requestParameters,
      responseElements,
      ...(additionalEventData ? { additionalEventData } : {}),
      requestID: input.requestId,
      eventID: newEventId(),
      readOnly,
      ...(resources && resources.length > 0 ? { resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: recipient,
      ...(sharedEventID ? { sharedEventID } : {}),
      eventCategory: 'Management',
      ...(input.tls ? { tlsDetails: input.tls } : {}),
    };
    return guard(event, secrets);
  });
}

/** §1.3: null on denials and when nothing was sent; otherwise the members as sent (§6.1, §6.2). */
function requestParametersOf(input: AuditInput): Record<string, unknown> | null {
  const { outcome, notes, service, action, caller } = input;
  if (!outcome.ok && isDenial(outcome.error)) return null;
  if (notes.requestParameters !== undefined) return notes.requestParameters;
  if (requestParametersSuppressed(service.signingName, action)) return null;
  const derived = 'query' in input.request ? queryRequestParameters(input.request.query) : jsonRequestParameters(input.request.json);
  if (derived === null) return null;
  let parameters: Record<string, unknown> | undefined = derived;
  if (notes.extraRequestParameters && Object.keys(notes.extraRequestParameters).length > 0) {
    parameters = { ...(parameters ?? {}), ...notes.extraRequestParameters };
  }
  // STS adds the caller session's transitive tags to a chained AssumeRole (§3.3).
  const session = caller?.session;
  if (outcome.ok && action === 'AssumeRole' && service.signingName === 'sts' && session && session.transitiveTagKeys.length > 0) {
    const transitive = new Set(session.transitiveTagKeys.map((k) => k.toLowerCase()));
    const incoming: Record<string, string> = {};
    for (const tag of session.sessionTags) if (transitive.has(tag.Key.toLowerCase())) incoming[tag.Key] = tag.Value;
    if (Object.keys(incoming).length > 0) parameters = { ...(parameters ?? {}), incomingTransitiveTags: incoming };
  }
  if (!parameters || Object.keys(parameters).length === 0) return null;
  return JSON.stringify(parameters).length > MAX_PARAMETERS ? null : parameters;
}

/** §1.1, §3.3, §3.4: null on failure, for read-only calls except the AssumeRole family, and for empty results. */
function responseElementsFor(input: AuditInput, readOnly: boolean, includeSessionToken: boolean): Record<string, unknown> | null {
  const { outcome, notes, service, action } = input;
  if (!outcome.ok) return null;
  if (notes.responseElements !== undefined) return notes.responseElements;
  if (readOnly && !(service.signingName === 'sts' && ASSUME_ROLE_ACTIONS.has(action))) return null;
  if (outcome.result === undefined) return null;
  let elements: Record<string, unknown> | undefined;
  try {
    elements = responseElementsOf(outcome.result as Record<string, unknown>, { timeStyle: service.signingName === 'iam' ? 'iam' : 'sts', includeSessionToken });
  } catch (error) {
    if (error instanceof TooDeep) return null;
    throw error;
  }
  if (!elements) return null;
  return JSON.stringify(elements).length > MAX_PARAMETERS ? null : elements;
}

/** §3.3: the role (and SAML provider) of a successful AssumeRole*; IAM records carry none (§3.4). */
function resourcesOf(input: AuditInput, partition: string): readonly EventResource[] | undefined {
  const { outcome, notes, service, action } = input;
  if (!outcome.ok || service.signingName === 'iam') return undefined;
  if (notes.resources.length > 0) return notes.resources;
  if (service.signingName !== 'sts' || !ASSUME_ROLE_ACTIONS.has(action)) return undefined;
  const resources: EventResource[] = [];
  const roleArn = requestMember(input, 'RoleArn');
  const roleAccount = roleArn ? accountOfArn(roleArn, partition) : undefined;
  if (roleArn && roleAccount) resources.push({ accountId: roleAccount, type: 'AWS::IAM::Role', ARN: roleArn });
  const providerArn = action === 'AssumeRoleWithSAML' ? requestMember(input, 'PrincipalArn') : undefined;
  const providerAccount = providerArn ? accountOfArn(providerArn, partition) : undefined;
  if (providerArn && providerAccount) resources.push({ accountId: providerAccount, type: 'AWS::IAM::SAMLProvider', ARN: providerArn });
  return resources;
}

/** §3.3: STS records carry RequestDetails; failures carry none (Decision). */
function additionalEventDataOf(input: AuditInput): Record<string, unknown> | undefined {
  const { outcome, notes, service } = input;
  if (!outcome.ok) return undefined;
  const data: Record<string, unknown> = { ...(notes.additionalEventData ?? {}) };
  if (service.signingName === 'sts') data['RequestDetails'] = { awsServingRegion: input.region, endpointType: 'regional' };
  return Object.keys(data).length > 0 ? data : undefined;
}

function requestMember(input: AuditInput, name: string): string | undefined {
  const value = 'query' in input.request ? input.request.query.get(name) : input.request.json[name];
  return typeof value === 'string' ? value : undefined;
}

function accountOfArn(arn: string, partition: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[1] === partition && /^\d{12}$/.test(parts[4] ?? '') ? parts[4] : undefined;
}

/**
 * The secret values this call handled: the caller's secret key, every dropped request member
 * (password, token, assertion) and every dropped result member (issued secret key, session
 * token unless opted in). None may appear anywhere in the record.
 */
function secretValues(input: AuditInput, includeSessionToken: boolean): string[] {
  const values: string[] = [];
  const sessionSecret = input.caller?.session?.secretAccessKey;
  if (sessionSecret) values.push(sessionSecret);
  if ('query' in input.request) {
    for (const [key, value] of input.request.query) if (key.split('.').some((s) => isDroppedRequestMember(s))) values.push(value);
  } else {
    collect(input.request.json, (name) => isDroppedRequestMember(name), values);
  }
  if (input.outcome.ok && input.outcome.result) collect(input.outcome.result, (name) => isDroppedResponseMember(name, includeSessionToken), values);
  return values;
}

function collect(value: unknown, dropped: (name: string) => boolean, into: string[], depth = 0): void {
  // Beyond MAX_DEPTH nothing is recorded member by member, so nothing there can leak.
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, dropped, into, depth + 1);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      if (dropped(key) && typeof item === 'string') into.push(item);
      else collect(item, dropped, into, depth + 1);
    }
  }
}

/** The serialized record is checked once; only a hit pays for the deep scrub. */
function guard(event: CloudTrailEvent, secrets: readonly string[]): CloudTrailEvent {
  const text = JSON.stringify(event);
  const hit = secrets.some((s) => s.length >= 8 && text.includes(s)) || /"secretAccessKey"/i.test(text);
  if (hit) return scrubSecrets(event, secrets);
  serialized.set(event, text);
  return event;
}

/** Compact JSON of records built here, kept from the secret check so storing them does not serialize again. */
const serialized = new WeakMap<CloudTrailEvent, string>();

/** `JSON.stringify(event)`, free for a record buildEvents made (records are not changed after building). */
export function eventJson(event: CloudTrailEvent): string {
  return serialized.get(event) ?? JSON.stringify(event);
}
