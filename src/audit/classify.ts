import type { AwsError } from '../protocol/errors.js';

/** The STS actions that are read-only although they mint credentials (cloudtrail.md §6.3). */
const STS_READ_ONLY = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage']);

/** The AssumeRole family: read-only, yet their records keep responseElements (cloudtrail.md §3.3). */
export const ASSUME_ROLE_ACTIONS: ReadonlySet<string> = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

/** STS actions whose records carry the issued credentials in responseElements. */
export const CREDENTIAL_ISSUING_ACTIONS: ReadonlySet<string> = new Set([...ASSUME_ROLE_ACTIONS, 'GetSessionToken', 'GetFederationToken', 'AssumeRoot']);

/** cloudtrail.md §6.3–6.4. */
export function isReadOnly(signingName: string, action: string): boolean {
  if (signingName === 'sts') return STS_READ_ONLY.has(action);
  if (signingName === 'iam') {
    // GenerateCredentialReport & co. start report jobs; IAMReadOnlyAccess grants them next to Get*/List* (Decision, §6.4).
    return /^(Get|List|Simulate|Generate)/.test(action);
  }
  // CloudTrail and Organizations reads (UNVERIFIED, §6.4).
  return /^(Get|List|Describe|Lookup)/.test(action);
}

/** The wire codes IAM shares with every Query service; they keep their name in records. */
const COMMON_CODES = new Set([
  'AccessDenied',
  'ExpiredToken',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'MalformedQueryString',
  'MissingAction',
  'MissingAuthenticationToken',
  'MissingParameter',
  'RequestExpired',
  'ServiceUnavailable',
  'SignatureDoesNotMatch',
  'Throttling',
]);

/** STS modeled errors whose wire code differs from the shape name (cloudtrail.md §1.3, Decision). */
const STS_SHAPE_NAMES: Readonly<Record<string, string>> = {
  MalformedPolicyDocument: 'MalformedPolicyDocumentException',
  PackedPolicyTooLarge: 'PackedPolicyTooLargeException',
  IDPRejectedClaim: 'IDPRejectedClaimException',
  IDPCommunicationError: 'IDPCommunicationErrorException',
  InvalidIdentityToken: 'InvalidIdentityTokenException',
};

/**
 * `errorCode` of a failed call (cloudtrail.md §1.3): IAM modeled errors are recorded under
 * their shape name (`NoSuchEntity` → `NoSuchEntityException`, observed), IAM's ValidationError
 * as `ValidationException` (Decision); STS keeps ValidationError; a CloudTrail-API denial is
 * recorded as `AccessDenied` (UNVERIFIED).
 */
export function recordedErrorCode(signingName: string, error: AwsError): string {
  const code: string = error.code;
  switch (signingName) {
    case 'iam':
      if (code === 'ValidationError') return 'ValidationException';
      if (COMMON_CODES.has(code) || code.endsWith('Exception')) return code;
      return `${code}Exception`;
    case 'sts':
      return STS_SHAPE_NAMES[code] ?? code;
    case 'cloudtrail':
      return code === 'AccessDeniedException' ? 'AccessDenied' : code;
    default:
      return code;
  }
}

/** Authorization failures record `requestParameters: null` (cloudtrail.md §1.3, observed for AssumeRole). */
export function isDenial(error: AwsError): boolean {
  return error.code === 'AccessDenied' || error.code === 'AccessDeniedException';
}
