import { AwsError } from '../../protocol/errors.js';
import { issueSession } from '../../tokens/issue.js';
import type { QueryAction } from '../action.js';
import { verifyMfa } from './mfa.js';
import { SERIAL_NUMBER_PATTERN, TOKEN_CODE_PATTERN, expiryAfter } from './session-input.js';

const ROOT_MAX_SECONDS = 3600;

/**
 * Long-term credentials only; needs no permission and policies cannot deny it. The session is
 * the same principal as the caller (sts-api.md §6).
 */
export const getSessionToken: QueryAction = {
  name: 'GetSessionToken',
  async run(input, ctx) {
    const requested = input.integer('DurationSeconds', { min: 900, max: 129600 });
    const serialNumber = input.string('SerialNumber', { min: 9, max: 256, pattern: SERIAL_NUMBER_PATTERN });
    const tokenCode = input.string('TokenCode', { min: 6, max: 6, pattern: TOKEN_CODE_PATTERN });
    input.done();
    const caller = ctx.requireCaller();
    if (caller.session) throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
    const now = ctx.request.receivedAt;
    const mfaAt = await verifyMfa(ctx, caller, serialNumber, tokenCode, 'GetSessionToken');
    // Root: at most one hour; a longer request is clamped, not rejected.
    const seconds = caller.type === 'Root' ? Math.min(requested ?? ROOT_MAX_SECONDS, ROOT_MAX_SECONDS) : (requested ?? 43200);
    const { accessKeyId: _unused, session: _none, ...identity } = caller;
    const { credentials } = issueSession(
      identity,
      {
        issuedAt: now,
        expiresAt: expiryAfter(now, seconds),
        issuer: 'GetSessionToken',
        sessionTags: [],
        transitiveTagKeys: [],
        sessionPolicyArns: [],
        parentAccessKeyId: caller.accessKeyId,
        chained: false,
        ...(mfaAt ? { mfaAuthenticatedAt: mfaAt } : {}),
      },
      ctx.keyRing(),
    );
    ctx.audit.issuedSession = { accessKeyId: credentials.AccessKeyId, parentAccessKeyId: caller.accessKeyId };
    return { Credentials: { ...credentials } };
  },
};
