import { AwsError } from '../../protocol/errors.js';
import { issueSession } from '../../tokens/issue.js';
import type { QueryAction } from '../action.js';
import { packedPolicySize, packedPolicyTooLargeMessage } from './packed-policy.js';
import {
  NAME_PATTERN,
  POLICY_PATTERN,
  checkDuplicateTagKeys,
  checkPolicyArnCount,
  compileSessionPolicy,
  expiryAfter,
  readPolicyArns,
  readSessionTags,
} from './session-input.js';
import { resolveSessionPolicyArns, requestTagContext } from './session-policies.js';

const ROOT_MAX_SECONDS = 3600;

/**
 * A federated-user session whose permissions are the calling user's policies ∩ the session
 * policies; without a session policy it has none (sts-api.md §7).
 */
export const getFederationToken: QueryAction = {
  name: 'GetFederationToken',
  async run(input, ctx) {
    const name = input.string('Name', { required: true, min: 2, max: 32, pattern: NAME_PATTERN });
    const policy = input.string('Policy', { min: 1, max: 2048, pattern: POLICY_PATTERN });
    const policyArns = readPolicyArns(input);
    const requested = input.integer('DurationSeconds', { min: 900, max: 129600 });
    const tags = readSessionTags(input);
    input.done();
    checkPolicyArnCount(policyArns);
    checkDuplicateTagKeys(tags);
    const caller = ctx.requireCaller();
    if (caller.session) throw new AwsError('AccessDenied', 'Cannot call GetFederationToken with session credentials');
    const partition = ctx.config.partition;
    const federatedArn = `arn:${partition}:sts::${caller.accountId}:federated-user/${name}`;
    await ctx.authorize({ action: 'sts:GetFederationToken', resource: federatedArn, context: requestTagContext(tags) });
    if (tags.length > 0) await ctx.authorize({ action: 'sts:TagSession', resource: federatedArn, context: requestTagContext(tags) });
    if (policy !== undefined) compileSessionPolicy(ctx, policy);
    await resolveSessionPolicyArns(ctx, policyArns, caller.accountId);
    const packed = packedPolicySize(policy, policyArns, tags);
    if (packed > 100) throw new AwsError('PackedPolicyTooLarge', packedPolicyTooLargeMessage(packed, tags.length > 0));

    const now = ctx.request.receivedAt;
    const seconds = caller.type === 'Root' ? Math.min(requested ?? ROOT_MAX_SECONDS, ROOT_MAX_SECONDS) : (requested ?? 43200);
    const federatedUserId = `${caller.accountId}:${name}`;
    const { credentials } = issueSession(
      {
        type: 'FederatedUser',
        accountId: caller.accountId,
        arn: federatedArn,
        userId: federatedUserId,
        ...(caller.userName !== undefined ? { userName: caller.userName } : {}),
        ...(caller.userUniqueId !== undefined ? { userUniqueId: caller.userUniqueId } : {}),
      },
      {
        issuedAt: now,
        expiresAt: expiryAfter(now, seconds),
        issuer: 'GetFederationToken',
        sessionName: name,
        sessionTags: tags,
        transitiveTagKeys: [],
        sessionPolicyArns: policyArns,
        ...(policy !== undefined ? { sessionPolicy: policy } : {}),
        parentAccessKeyId: caller.accessKeyId,
        chained: false,
      },
      ctx.keyRing(),
    );
    ctx.audit.issuedSession = { accessKeyId: credentials.AccessKeyId, parentAccessKeyId: caller.accessKeyId };
    return {
      Credentials: { ...credentials },
      FederatedUser: { FederatedUserId: federatedUserId, Arn: federatedArn },
      PackedPolicySize: packed,
    };
  },
};
