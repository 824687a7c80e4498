import { rootArn, type Caller, type SessionClaims } from '../auth/principal.js';
import type { AuditNotes } from '../services/action.js';
import { eventTimeText } from './format.js';
import type { SessionContext, SessionIssuer, UserIdentity } from './types.js';

/**
 * `userIdentity` of a signed call (cloudtrail.md §2.2): the principal that signed, with
 * `sessionContext` whenever the key is temporary. Members follow AWS's order.
 */
export function callerIdentity(caller: Caller, accessKeyId: string, partition: string): UserIdentity {
  // A session's Caller is reused for every call it signs (the token cache): so is its identity.
  const memo = identities.get(caller);
  if (memo !== undefined && memo.accessKeyId === accessKeyId && memo.partition === partition) return memo.identity;
  const identity = buildCallerIdentity(caller, accessKeyId, partition);
  identities.set(caller, { accessKeyId, partition, identity });
  return identity;
}

const identities = new WeakMap<Caller, { readonly accessKeyId: string; readonly partition: string; readonly identity: UserIdentity }>();

function buildCallerIdentity(caller: Caller, accessKeyId: string, partition: string): UserIdentity {
  const session = caller.session;
  switch (caller.type) {
    case 'Root':
      return {
        type: 'Root',
        principalId: caller.accountId,
        arn: caller.arn,
        accountId: caller.accountId,
        accessKeyId,
        ...(session ? { sessionContext: sessionContext(session, {}) } : {}),
      };
    case 'IAMUser':
      return {
        type: 'IAMUser',
        principalId: caller.userUniqueId ?? caller.userId,
        arn: caller.arn,
        accountId: caller.accountId,
        accessKeyId,
        ...(caller.userName !== undefined ? { userName: caller.userName } : {}),
        // GetSessionToken credentials: sessionIssuer is an empty object (observed for console sessions).
        ...(session ? { sessionContext: sessionContext(session, {}) } : {}),
      };
    case 'AssumedRole': {
      const issuer: SessionIssuer = {
        type: 'Role',
        principalId: caller.roleId ?? caller.userId.split(':')[0]!,
        arn: caller.roleArn ?? caller.arn,
        accountId: caller.accountId,
        ...(caller.roleName !== undefined ? { userName: caller.roleName } : {}),
      };
      return {
        type: 'AssumedRole',
        principalId: caller.userId,
        arn: caller.arn,
        accountId: caller.accountId,
        accessKeyId,
        ...(session ? { sessionContext: sessionContext(session, issuer) } : {}),
      };
    }
    case 'FederatedUser': {
      // The IAM user (or root) that called GetFederationToken (observed).
      const issuer: SessionIssuer =
        caller.userName !== undefined
          ? {
              type: 'IAMUser',
              principalId: caller.userUniqueId ?? caller.userName,
              arn: `arn:${partition}:iam::${caller.accountId}:user/${caller.userName}`,
              accountId: caller.accountId,
              userName: caller.userName,
            }
          : { type: 'Root', principalId: caller.accountId, arn: rootArn(partition, caller.accountId), accountId: caller.accountId };
      return {
        type: 'FederatedUser',
        principalId: caller.userId,
        arn: caller.arn,
        accountId: caller.accountId,
        accessKeyId,
        ...(session ? { sessionContext: sessionContext(session, issuer) } : {}),
      };
    }
  }
}

function sessionContext(session: SessionClaims, issuer: SessionIssuer | Record<string, never>): SessionContext {
  return {
    sessionIssuer: issuer,
    // Sessions from AssumeRoleWithWebIdentity name their provider here; SessionClaims does not
    // carry it yet, so every session gets `{}` (observed for all other sessions).
    webIdFederationData: {},
    attributes: {
      creationDate: eventTimeText(session.issuedAt),
      mfaAuthenticated: session.mfaAuthenticatedAt ? 'true' : 'false',
    },
    // Set on this session or inherited through role chaining; never changes along a chain (§3.5).
    ...(session.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
  };
}

/** The role owner's copy of a cross-account call: the caller's account and principal ID only (§3.1, observed). */
export function awsAccountIdentity(identity: UserIdentity): UserIdentity {
  return { type: 'AWSAccount', principalId: identity.principalId, ...(identity.accountId !== undefined ? { accountId: identity.accountId } : {}) };
}

/** The identity behind an unsigned federation call, as the action reported it. */
export function federatedIdentity(note: NonNullable<AuditNotes['federatedIdentity']>): UserIdentity {
  return { type: note.type, principalId: note.principalId, userName: note.userName, identityProvider: note.identityProvider };
}
