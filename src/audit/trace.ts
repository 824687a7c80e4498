import type { AuditStore, StoredEvent } from './audit-store.js';
import type { CloudTrailEvent, UserIdentity } from './types.js';

/** One temporary key in a chain: the session it belongs to and the call that issued it. */
export interface TracedSession {
  readonly accessKeyId: string;
  readonly kind: 'AssumedRole' | 'FederatedUser' | 'SessionToken';
  readonly accountId: string;
  /** Session ARN (assumed-role/…, federated-user/…) or, for GetSessionToken, the user's or root's ARN. */
  readonly arn: string | undefined;
  readonly roleArn: string | undefined;
  readonly sessionName: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly tags: readonly TracedTag[];
  /** When the issuing call completed, i.e. the session's creationDate. */
  readonly issuedAt: string;
  /** As recorded in responseElements.credentials.expiration. */
  readonly expiration: string | undefined;
  /** From the first call made with the key, else from whether the issuing call passed an MFA serial; undefined if unknown. */
  readonly mfaAuthenticated: boolean | undefined;
  readonly issuedBy: {
    readonly eventName: string;
    readonly eventId: string;
    readonly requestId: string;
    readonly sharedEventId: string | undefined;
  };
  /** Who called the issuing action; its access key is the next link. */
  readonly calledBy: TracedPrincipal;
}

export interface TracedTag {
  readonly key: string;
  readonly value: string;
  readonly transitive: boolean;
  /** Passed down from the calling session (incomingTransitiveTags). */
  readonly inherited: boolean;
}

export interface TracedPrincipal {
  readonly type: UserIdentity['type'] | 'Unknown';
  readonly principalId: string | undefined;
  readonly arn: string | undefined;
  readonly accountId: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly userName: string | undefined;
  readonly identityProvider: string | undefined;
}

export interface AccessKeyTrace {
  readonly accessKeyId: string;
  /** From the traced key back toward its origin. */
  readonly chain: readonly TracedSession[];
  /** The IAM user, root or federated identity where the chain starts; undefined when the records run out first. */
  readonly origin: TracedPrincipal | undefined;
  /** Why the chain stops short of an origin. */
  readonly gap: string | undefined;
}

export interface TraceOptions {
  /**
   * Only records received by these accounts are read (an API serving one account's console
   * passes that account; the CLI, run by the operator, reads all). A chain that continues in
   * another account then ends in a gap.
   */
  readonly visibleAccounts?: ReadonlySet<string>;
}

const MAX_LINKS = 64;

/**
 * The chain behind an access key, read from the audit records alone: the call that issued
 * the key (responseElements.credentials.accessKeyId), the key that signed that call, and so
 * on to a long-term key (IAM user or root) or an unsigned federation call. Records older than
 * the retention period are gone, so a chain can end in a gap.
 */
export async function traceAccessKey(store: AuditStore, accessKeyId: string, options: TraceOptions = {}): Promise<AccessKeyTrace> {
  const visible = options.visibleAccounts;
  const see = (events: readonly StoredEvent[]) => (visible ? events.filter((e) => visible.has(e.recipientAccountId)) : events);
  const chain: TracedSession[] = [];
  let key = accessKeyId;
  const seen = new Set<string>();
  for (;;) {
    if (seen.has(key) || chain.length >= MAX_LINKS) return { accessKeyId, chain, origin: undefined, gap: `the chain loops at ${key}` };
    seen.add(key);
    const issuing = see(await store.findIssuingEvents(key));
    const stored = issuing.find((e) => parse(e).userIdentity.type !== 'AWSAccount') ?? issuing[0];
    if (!stored) {
      const previous = chain[chain.length - 1];
      if (previous && previous.calledBy.accessKeyId === key && !isTemporaryKey(key)) return { accessKeyId, chain, origin: previous.calledBy, gap: undefined };
      const used = see(await store.findSignedBy(key, 1))[0];
      if (!isTemporaryKey(key) && used) return { accessKeyId, chain, origin: principal(parse(used).userIdentity), gap: undefined };
      return {
        accessKeyId,
        chain,
        origin: undefined,
        gap: isTemporaryKey(key)
          ? `no record of the call that issued ${key} (older than the retention period, or issued elsewhere)`
          : `no record of a call signed with ${key}`,
      };
    }
    const event = parse(stored);
    const firstUse = see(await store.findSignedBy(key, 1))[0];
    const session = tracedSession(key, event, firstUse ? parse(firstUse) : undefined);
    chain.push(session);
    const caller = session.calledBy;
    if (caller.type === 'WebIdentityUser' || caller.type === 'SAMLUser') return { accessKeyId, chain, origin: caller, gap: undefined };
    if (!caller.accessKeyId) {
      const gap =
        caller.type === 'AWSAccount'
          ? `the call ${event.eventID} came from account ${caller.accountId ?? '?'}, whose records are not visible here`
          : `the call ${event.eventID} names no signing key`;
      return { accessKeyId, chain, origin: undefined, gap };
    }
    key = caller.accessKeyId;
  }
}

function tracedSession(accessKeyId: string, event: CloudTrailEvent, firstUse: CloudTrailEvent | undefined): TracedSession {
  const request = event.requestParameters ?? {};
  const response = event.responseElements ?? {};
  const caller = principal(event.userIdentity);
  const assumed = object(response['assumedRoleUser']);
  const federated = object(response['federatedUser']);
  const kind: TracedSession['kind'] = assumed ? 'AssumedRole' : event.eventName === 'GetFederationToken' ? 'FederatedUser' : 'SessionToken';
  const arn = text(assumed?.['arn']) ?? text(federated?.['arn']) ?? (kind === 'SessionToken' ? caller.arn : undefined);
  const sessionName = kind === 'AssumedRole' ? text(request['roleSessionName']) : kind === 'FederatedUser' ? text(request['name']) : undefined;
  const sourceIdentity = text(response['sourceIdentity']) ?? text(request['sourceIdentity']) ?? text(event.userIdentity.sessionContext?.sourceIdentity);
  const usedMfa = firstUse?.userIdentity.sessionContext?.attributes.mfaAuthenticated;
  return {
    accessKeyId,
    kind,
    accountId: (arn ? arn.split(':')[4] : undefined) || event.recipientAccountId,
    arn,
    roleArn: text(request['roleArn']),
    sessionName,
    sourceIdentity,
    tags: tagsOf(request),
    issuedAt: event.eventTime,
    expiration: text(object(response['credentials'])?.['expiration']),
    mfaAuthenticated: usedMfa !== undefined ? usedMfa === 'true' : request['serialNumber'] !== undefined ? true : kind === 'SessionToken' ? false : undefined,
    issuedBy: { eventName: event.eventName, eventId: event.eventID, requestId: event.requestID, sharedEventId: event.sharedEventID },
    calledBy: caller,
  };
}

function tagsOf(request: Record<string, unknown>): TracedTag[] {
  const transitive = new Set((Array.isArray(request['transitiveTagKeys']) ? request['transitiveTagKeys'] : []).map((k) => String(k).toLowerCase()));
  const tags: TracedTag[] = [];
  for (const [key, value] of Object.entries(object(request['incomingTransitiveTags']) ?? {})) tags.push({ key, value: String(value), transitive: true, inherited: true });
  for (const [key, value] of Object.entries(object(request['principalTags']) ?? {})) tags.push({ key, value: String(value), transitive: transitive.has(key.toLowerCase()), inherited: false });
  for (const item of Array.isArray(request['tags']) ? request['tags'] : []) {
    const tag = object(item);
    const key = text(tag?.['key']);
    if (key !== undefined) tags.push({ key, value: text(tag?.['value']) ?? '', transitive: transitive.has(key.toLowerCase()), inherited: false });
  }
  return tags;
}

function principal(identity: UserIdentity): TracedPrincipal {
  return {
    type: identity.type,
    principalId: identity.principalId,
    arn: identity.arn,
    accountId: identity.accountId,
    accessKeyId: identity.accessKeyId,
    userName: identity.userName,
    identityProvider: identity.identityProvider,
  };
}

function parse(stored: StoredEvent): CloudTrailEvent {
  return JSON.parse(stored.json) as CloudTrailEvent;
}

/** ASIA… keys are temporary (ids-and-arns.md §7); AKIA… are long-term keys of a user or root. */
function isTemporaryKey(key: string): boolean {
  return key.startsWith('ASIA');
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The chain as text, key by key, for `open-sts trace`. */
export function formatTrace(trace: AccessKeyTrace): string[] {
  const lines: string[] = [];
  trace.chain.forEach((session, i) => {
    const what =
      session.kind === 'AssumedRole' ? 'role session' : session.kind === 'FederatedUser' ? 'federated-user session' : 'session token';
    lines.push(`${i === 0 ? '' : '← '}${session.accessKeyId}  ${what} ${session.arn ?? ''}`.trimEnd());
    const row = (label: string, value: string | undefined) => {
      if (value !== undefined && value !== '') lines.push(`    ${label.padEnd(16)}${value}`);
    };
    row('role', session.roleArn);
    row('session name', session.sessionName);
    row('source identity', session.sourceIdentity);
    row(
      'tags',
      session.tags.map((t) => `${t.key}=${t.value}${t.transitive ? ' (transitive' + (t.inherited ? ', inherited)' : ')') : ''}`).join(', ') || undefined,
    );
    row('issued', session.issuedAt + (session.expiration ? `  (expires ${session.expiration})` : ''));
    row('MFA', session.mfaAuthenticated === undefined ? 'unknown' : session.mfaAuthenticated ? 'yes' : 'no');
    row('issued by', `${session.issuedBy.eventName}  event ${session.issuedBy.eventId}  request ${session.issuedBy.requestId}`);
    row('called by', `${session.calledBy.type} ${session.calledBy.arn ?? session.calledBy.principalId ?? ''}`.trimEnd());
  });
  const origin = trace.origin;
  if (origin) {
    const who =
      origin.type === 'Root'
        ? `account root ${origin.arn ?? origin.accountId ?? ''}`
        : origin.type === 'IAMUser'
          ? `IAM user ${origin.arn ?? origin.userName ?? ''}`
          : `${origin.type} ${origin.userName ?? origin.principalId ?? ''} via ${origin.identityProvider ?? 'unknown provider'}`;
    lines.push(`${trace.chain.length > 0 ? '← ' : ''}${origin.accessKeyId ?? '(unsigned)'}  ${who.trimEnd()}  (origin)`);
  }
  if (trace.gap) lines.push(`… ${trace.gap}`);
  return lines;
}
