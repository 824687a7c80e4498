import type { Caller } from '../auth/principal.js';
import type { Tag } from '../store/types.js';
import type { ContextValue, RequestFacts } from './action.js';

/**
 * The global condition keys AWS puts in every request context (policy-evaluation.md §6,
 * ids-and-arns.md §6). Keys are written in AWS's documented case; the engine compares them
 * case-insensitively.
 */
export function globalContext(
  caller: Caller | undefined,
  facts: RequestFacts,
  principalTags: readonly Tag[],
  organizationId: string | undefined,
): Record<string, ContextValue> {
  const at = facts.receivedAt;
  const context: Record<string, ContextValue> = {
    'aws:CurrentTime': at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(at.getTime() / 1000)),
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': facts.secureTransport ? 'true' : 'false',
    'aws:RequestedRegion': facts.region,
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
  };
  if (facts.userAgent) context['aws:UserAgent'] = facts.userAgent;
  if (!caller) {
    context['aws:userid'] = 'anonymous';
    context['aws:PrincipalType'] = 'Anonymous';
    return context;
  }
  context['aws:userid'] = caller.userId;
  context['aws:PrincipalAccount'] = caller.accountId;
  if (organizationId) context['aws:PrincipalOrgID'] = organizationId;
  switch (caller.type) {
    case 'Root':
      context['aws:PrincipalArn'] = caller.arn;
      context['aws:PrincipalType'] = 'Account';
      break;
    case 'IAMUser':
      context['aws:PrincipalArn'] = caller.arn;
      context['aws:PrincipalType'] = 'User';
      if (caller.userName) context['aws:username'] = caller.userName;
      break;
    case 'AssumedRole':
      // aws:PrincipalArn is the role's ARN, never the session ARN (ids-and-arns.md §6).
      context['aws:PrincipalArn'] = caller.roleArn ?? caller.arn;
      context['aws:PrincipalType'] = 'AssumedRole';
      break;
    case 'FederatedUser':
      context['aws:PrincipalArn'] = caller.arn;
      context['aws:PrincipalType'] = 'FederatedUser';
      break;
  }
  for (const tag of mergeTags(principalTags, caller.session?.sessionTags ?? [])) {
    context[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  }
  const session = caller.session;
  if (session) {
    context['aws:TokenIssueTime'] = session.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Temporary credentials always carry MultiFactorAuthPresent; long-term keys never do (sts-api.md §10.5).
    context['aws:MultiFactorAuthPresent'] = session.mfaAuthenticatedAt ? 'true' : 'false';
    if (session.mfaAuthenticatedAt) {
      context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((at.getTime() - session.mfaAuthenticatedAt.getTime()) / 1000)));
    }
    if (session.sourceIdentity) context['aws:SourceIdentity'] = session.sourceIdentity;
  }
  return context;
}

/** Session tags override the entity's tags with the same key, compared case-insensitively (sts-api.md §10.2). */
export function mergeTags(entityTags: readonly Tag[], sessionTags: readonly Tag[]): readonly Tag[] {
  if (sessionTags.length === 0) return entityTags;
  const overridden = new Set(sessionTags.map((t) => t.Key.toLowerCase()));
  return [...entityTags.filter((t) => !overridden.has(t.Key.toLowerCase())), ...sessionTags];
}
