import type { Caller, SessionClaims } from '../auth/principal.js';
import { newAccessKeyId, newSecretAccessKey } from '../ids.js';
import type { KeyRing } from './key-ring.js';
import { sealSessionToken } from './session-token.js';

/** The Credentials structure every STS action returns (sts-api.md §2.2). */
export interface IssuedCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: Date;
}

export type SessionIdentity = Omit<Caller, 'accessKeyId' | 'session'>;
export type SessionFacts = Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey'>;

/** New ASIA credentials for `identity`, the session sealed into the token. */
export function issueSession(identity: SessionIdentity, facts: SessionFacts, ring: KeyRing): { caller: Caller & { session: SessionClaims }; credentials: IssuedCredentials } {
  const accessKeyId = newAccessKeyId('ASIA', identity.accountId);
  const session: SessionClaims = { ...facts, accessKeyId, secretAccessKey: newSecretAccessKey() };
  const caller: Caller & { session: SessionClaims } = { ...identity, accessKeyId, session };
  // AWS expirations have whole seconds; so does the token, so both agree exactly.
  return {
    caller,
    credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: sealSessionToken(caller, ring),
      Expiration: session.expiresAt,
    },
  };
}
