import { AwsError } from '../protocol/errors.js';
import { INVALID_CLIENT_TOKEN_MESSAGE } from './sigv4/index.js';
import type { Caller } from './principal.js';

/**
 * What some temporary credentials may not call at all, before any policy is read
 * (sts-api.md §6, §7, §9):
 * - GetSessionToken credentials reach IAM only when MFA was supplied (else IAM answers
 *   InvalidClientTokenId, observed) and STS only for AssumeRole and GetCallerIdentity;
 * - GetFederationToken credentials reach no IAM API (InvalidClientTokenId too, query-protocol.md
 *   §6.3) and no STS API but GetCallerIdentity.
 * The AccessDenied wording for these STS refusals is UNVERIFIED; GetSessionToken and
 * GetFederationToken keep their own observed texts in their actions.
 */
export function checkSessionScope(caller: Caller, service: string, action: string): void {
  const issuer = caller.session?.issuer;
  if (issuer === 'GetSessionToken') {
    if (service === 'iam' && caller.session?.mfaAuthenticatedAt === undefined) throw new AwsError('InvalidClientTokenId', INVALID_CLIENT_TOKEN_MESSAGE);
    if (service === 'sts' && !STS_FOR_SESSION_TOKEN.has(action)) throw notAuthorized(caller, service, action);
  } else if (issuer === 'GetFederationToken') {
    if (service === 'iam') throw new AwsError('InvalidClientTokenId', INVALID_CLIENT_TOKEN_MESSAGE);
    if (service === 'sts' && action !== 'GetCallerIdentity') throw notAuthorized(caller, service, action);
  }
}

const STS_FOR_SESSION_TOKEN = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'GetFederationToken']);

function notAuthorized(caller: Caller, service: string, action: string): AwsError {
  if (action === 'GetSessionToken' || action === 'GetFederationToken') {
    return new AwsError('AccessDenied', `Cannot call ${action} with session credentials`);
  }
  return new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: ${service}:${action}`);
}
