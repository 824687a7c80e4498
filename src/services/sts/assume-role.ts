import type { Caller } from '../../auth/principal.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryInput } from '../../protocol/query.js';
import type { Tag } from '../../store/types.js';
import { issueSession } from '../../tokens/issue.js';
import type { ActionContext, ContextValue, QueryAction } from '../action.js';
import { verifyMfa } from './mfa.js';
import { packedPolicySize, packedPolicyTooLargeMessage } from './packed-policy.js';
import {
  EXTERNAL_ID_PATTERN,
  NAME_PATTERN,
  POLICY_PATTERN,
  SERIAL_NUMBER_PATTERN,
  TOKEN_CODE_PATTERN,
  checkDuplicateTagKeys,
  checkPolicyArnCount,
  compileSessionPolicy,
  expiryAfter,
  readPolicyArns,
  readSessionTags,
} from './session-input.js';
import { resolveSessionPolicyArns, requestTagContext } from './session-policies.js';
import { loadAssumableRole, roleArnParts, type AssumableRole } from './roles.js';

const TAG_KEY_PATTERN = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const CHAIN_LIMIT_SECONDS = 3600;

interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly policy?: string;
  readonly policyArns: readonly string[];
  readonly durationSeconds?: number;
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  readonly externalId?: string;
  readonly serialNumber?: string;
  readonly tokenCode?: string;
  readonly sourceIdentity?: string;
}

function readRequest(input: QueryInput): AssumeRoleRequest {
  const roleArn = input.string('RoleArn', { required: true, min: 20, max: 2048 });
  const sessionName = input.string('RoleSessionName', { required: true, min: 2, max: 64, pattern: NAME_PATTERN });
  const policyArns = readPolicyArns(input);
  // The model sets no maximum on AssumeRole's Policy since 2023; the documented 2,048-character
  // plaintext limit is enforced below with GetFederationToken's wording (sts-api.md §3.1).
  const policy = input.string('Policy', { min: 1, max: 2048, pattern: POLICY_PATTERN });
  const durationSeconds = input.integer('DurationSeconds', { min: 900, max: 43200 });
  const tags = readSessionTags(input);
  const transitive = input.list('TransitiveTagKeys') ?? [];
  if (transitive.length > 50) input.violation('transitiveTagKeys', 'Member must have length less than or equal to 50', `[${transitive.join(', ')}]`);
  transitive.forEach((key, i) => input.checkString(`TransitiveTagKeys.member.${i + 1}`, `transitiveTagKeys.${i + 1}.member`, key, { min: 1, max: 128, pattern: TAG_KEY_PATTERN }));
  const externalId = input.string('ExternalId', { min: 2, max: 1224, pattern: EXTERNAL_ID_PATTERN });
  const serialNumber = input.string('SerialNumber', { min: 9, max: 256, pattern: SERIAL_NUMBER_PATTERN });
  const tokenCode = input.string('TokenCode', { min: 6, max: 6, pattern: TOKEN_CODE_PATTERN });
  const sourceIdentity = input.string('SourceIdentity', { min: 2, max: 64, pattern: NAME_PATTERN });
  input.done();
  return {
    roleArn: roleArn!,
    sessionName: sessionName!,
    policyArns,
    tags,
    transitiveTagKeys: transitive,
    ...(policy !== undefined ? { policy } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
    ...(serialNumber !== undefined ? { serialNumber } : {}),
    ...(tokenCode !== undefined ? { tokenCode } : {}),
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
  };
}

/** Session tags and transitive keys of the new session (sts-api.md §10.2). */
function sessionTagsFor(request: AssumeRoleRequest, caller: Caller): { tags: Tag[]; transitive: string[] } {
  checkDuplicateTagKeys(request.tags);
  const passed = new Set(request.tags.map((t) => t.Key.toLowerCase()));
  for (const key of request.transitiveTagKeys) {
    if (!passed.has(key.toLowerCase())) throw new AwsError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
  }
  const inheritedKeys = new Set(caller.session?.transitiveTagKeys ?? []);
  for (const key of passed) {
    if (inheritedKeys.has(key)) {
      throw new AwsError('InvalidParameterValue', "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
    }
  }
  const inherited = (caller.session?.sessionTags ?? []).filter((t) => inheritedKeys.has(t.Key.toLowerCase()));
  const transitive = new Set([...inheritedKeys, ...request.transitiveTagKeys.map((k) => k.toLowerCase())]);
  return { tags: [...inherited, ...request.tags], transitive: [...transitive] };
}

function deniedText(caller: Caller, action: string, roleArn: string): string {
  return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`;
}

function denied(caller: Caller, action: string, roleArn: string): AwsError {
  return new AwsError('AccessDenied', deniedText(caller, action, roleArn));
}

/** The keys the trust evaluation sees besides the global ones (sts-api.md §11.3). */
function assumeContext(request: AssumeRoleRequest, roleTags: readonly Tag[], mfaAt: Date | undefined, now: Date): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { 'sts:RoleSessionName': request.sessionName, ...requestTagContext(request.tags) };
  if (request.externalId !== undefined) context['sts:ExternalId'] = request.externalId;
  if (request.sourceIdentity !== undefined) context['sts:SourceIdentity'] = request.sourceIdentity;
  if (request.transitiveTagKeys.length > 0) context['sts:TransitiveTagKeys'] = request.transitiveTagKeys;
  for (const tag of roleTags) {
    context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    context[`iam:ResourceTag/${tag.Key}`] = tag.Value;
  }
  if (mfaAt) {
    context['aws:MultiFactorAuthPresent'] = 'true';
    context['aws:MultiFactorAuthAge'] = String(Math.floor((now.getTime() - mfaAt.getTime()) / 1000));
  }
  return context;
}

export const assumeRole: QueryAction = {
  name: 'AssumeRole',
  async run(input, ctx) {
    const request = readRequest(input);
    const caller = ctx.requireCaller();
    const partition = ctx.config.partition;
    const target = roleArnParts(request.roleArn);
    if (!target) throw new AwsError('ValidationError', `${request.roleArn} is invalid`);
    if (caller.type === 'Root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.');
    if (caller.type === 'FederatedUser') throw denied(caller, 'sts:AssumeRole', request.roleArn);
    checkPolicyArnCount(request.policyArns);
    const { tags, transitive } = sessionTagsFor(request, caller);
    const inheritedSource = caller.session?.sourceIdentity;
    if (inheritedSource !== undefined && request.sourceIdentity !== undefined && request.sourceIdentity !== inheritedSource) {
      // Source identity is immutable along a chain (sts-api.md §10.3). AWS's code is UNVERIFIED; we deny.
      throw denied(caller, 'sts:SetSourceIdentity', request.roleArn);
    }

    const now = ctx.request.receivedAt;
    const mfaAt = await verifyMfa(ctx, caller, request.serialNumber, request.tokenCode, 'AssumeRole');
    const entity = caller.type === 'AssumedRole' ? { arn: caller.roleArn, id: caller.roleId } : { arn: caller.arn, id: caller.userUniqueId };
    const found = target.partition === partition ? await loadAssumableRole(ctx, target, entity) : undefined;
    const context = assumeContext(request, found?.tags ?? [], mfaAt, now);
    // A role the caller cannot see is answered exactly like one it may not assume: the same
    // text and an encoded explanation of an evaluation without a trust policy (no existence leak).
    const decide = async (action: string): Promise<AssumableRole> => {
      const query = { action, resource: request.roleArn, resourceAccount: found?.accountId ?? target.accountId, context };
      const { decision, request: asked, policies } = await ctx.decide(query, { resource: found ? [found.trustPolicy] : [] });
      if (!found || decision.outcome !== 'Allow') throw ctx.denial(deniedText(caller, action, request.roleArn), asked, policies);
      return found;
    };
    const role = await decide('sts:AssumeRole');
    if (request.tags.length > 0 || request.transitiveTagKeys.length > 0) await decide('sts:TagSession');
    if (request.sourceIdentity !== undefined && request.sourceIdentity !== inheritedSource) await decide('sts:SetSourceIdentity');

    // Role chaining: a role session (or GetSessionToken credentials) assuming a role (sts-api.md §10.1).
    const chained = caller.session !== undefined;
    if (chained && request.durationSeconds !== undefined && request.durationSeconds > CHAIN_LIMIT_SECONDS) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (request.durationSeconds !== undefined && request.durationSeconds > role.maxSessionDuration) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    const seconds = request.durationSeconds ?? 3600;

    if (request.policy !== undefined) compileSessionPolicy(ctx, request.policy);
    await resolveSessionPolicyArns(ctx, request.policyArns, role.accountId);
    const packed = packedPolicySize(request.policy, request.policyArns, request.tags);
    if (packed > 100) throw new AwsError('PackedPolicyTooLarge', packedPolicyTooLargeMessage(packed, request.tags.length > 0));

    const sourceIdentity = request.sourceIdentity ?? inheritedSource;
    const sessionMfaAt = mfaAt ?? caller.session?.mfaAuthenticatedAt;
    const sessionArn = `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${request.sessionName}`;
    const assumedRoleId = `${role.roleId}:${request.sessionName}`;
    const { credentials } = issueSession(
      { type: 'AssumedRole', accountId: role.accountId, arn: sessionArn, userId: assumedRoleId, roleArn: role.arn, roleName: role.name, roleId: role.roleId },
      {
        issuedAt: now,
        expiresAt: expiryAfter(now, seconds),
        issuer: 'AssumeRole',
        sessionName: request.sessionName,
        sessionTags: tags,
        transitiveTagKeys: transitive,
        sessionPolicyArns: request.policyArns,
        parentAccessKeyId: caller.accessKeyId,
        chained,
        ...(request.policy !== undefined ? { sessionPolicy: request.policy } : {}),
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
        // MFA proven now, or earlier by the calling session (e.g. GetSessionToken with MFA, then
        // AssumeRole): the role session counts as MFA-authenticated since that moment.
        ...(sessionMfaAt ? { mfaAuthenticatedAt: sessionMfaAt } : {}),
      },
      ctx.keyRing(),
    );
    ctx.noteRoleUse(role.roleId, now, ctx.request.region);
    ctx.audit.resources.push({ ARN: role.arn, accountId: role.accountId, type: 'AWS::IAM::Role' });
    if (role.accountId !== caller.accountId) ctx.audit.alsoRecordIn.push(role.accountId);
    ctx.audit.issuedSession = { accessKeyId: credentials.AccessKeyId, parentAccessKeyId: caller.accessKeyId, roleArn: role.arn, sessionName: request.sessionName };
    const passedSomething = request.policy !== undefined || request.policyArns.length > 0 || request.tags.length > 0;
    return {
      Credentials: { ...credentials },
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
      ...(passedSomething ? { PackedPolicySize: packed } : {}),
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  },
};
