/**
 * The whole SigV4 error vocabulary: codes, statuses and AWS's message texts (sigv4.md §4–§6).
 * Texts marked UNVERIFIED follow the closest AWS wording observed on other front ends.
 */
import type { SigV4ErrorCode, SigV4Failure } from './types.js';

export const SIGV4_ERROR_STATUS: Readonly<Record<SigV4ErrorCode, number>> = Object.freeze({
  IncompleteSignature: 400,
  SignatureDoesNotMatch: 403,
  MissingAuthenticationToken: 403,
  InvalidClientTokenId: 403,
  ExpiredToken: 403,
  RequestExpired: 400,
  AccessDenied: 403,
});

/** Unknown, inactive or deleted access key; ASIA key without (or with a foreign) session token. Observed on STS/IAM. */
export const INVALID_CLIENT_TOKEN_MESSAGE = 'The security token included in the request is invalid.';
/** Expired temporary credentials. Observed on STS and IAM (no final period). */
export const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';
export const SIGNATURE_DOES_NOT_MATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
/** UNVERIFIED for STS; AWS common-errors wording. */
export const MISSING_AUTHENTICATION_TOKEN_MESSAGE = 'Request is missing Authentication Token';
/** UNVERIFIED: S3's wording for an expired presigned URL. */
export const REQUEST_EXPIRED_MESSAGE = 'Request has expired';
/** UNVERIFIED for STS/IAM: S3's wording when both carriers are present. */
export const BOTH_CARRIERS_MESSAGE =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';
/** UNVERIFIED: the S3 XAmzContentSHA256Mismatch wording. */
export const CONTENT_SHA256_MISMATCH_MESSAGE = "The provided 'x-amz-content-sha256' header does not match what was computed.";
export const HOST_NOT_SIGNED_MESSAGE = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

export function sigv4Failure(code: SigV4ErrorCode, message: string, detail?: string): SigV4Failure {
  const status = SIGV4_ERROR_STATUS[code];
  return detail === undefined ? { code, status, message } : { code, status, message, detail };
}

/** `now - 15 min` rule, past side. Observed on STS/IAM as SignatureDoesNotMatch 403. */
export function signatureExpiredMessage(amzDate: string, limit: string, now: string, skewMinutes: number): string {
  return `Signature expired: ${amzDate} is now earlier than ${limit} (${now} - ${skewMinutes} min.)`;
}

/** Future side; wording observed on other services, UNVERIFIED for STS. */
export function signatureNotYetCurrentMessage(amzDate: string, limit: string, now: string, skewMinutes: number): string {
  return `Signature not yet current: ${amzDate} is still later than ${limit} (${now} + ${skewMinutes} min.)`;
}

/** AWS's texts end with a space after the period (observed: "…, not 'us-east-2'. "). */
export function wrongServiceMessage(expectedService: string): string {
  return `Credential should be scoped to correct service: '${expectedService}'. `;
}

export function invalidRegionMessage(region: string): string {
  return `Credential should be scoped to a valid region, not '${region}'. `;
}

export function invalidTerminatorMessage(terminator: string): string {
  return `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
}

export function scopeDateMismatchMessage(scopeDate: string, amzDate: string): string {
  return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`;
}

/** UNVERIFIED wording (sigv4.md §6). */
export function unsupportedAlgorithmMessage(algorithm: string): string {
  return `Unsupported AWS 'algorithm': '${algorithm}'`;
}

export function invalidDateMessage(value: string): string {
  return `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`;
}

export function malformedCredentialMessage(credential: string): string {
  return `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`;
}

/** Unknown/inactive/deleted key, ASIA key without a valid token, AKIA key with a token. */
export function invalidClientTokenFailure(detail?: string): SigV4Failure {
  return sigv4Failure('InvalidClientTokenId', INVALID_CLIENT_TOKEN_MESSAGE, detail);
}

export function expiredTokenFailure(detail?: string): SigV4Failure {
  return sigv4Failure('ExpiredToken', EXPIRED_TOKEN_MESSAGE, detail);
}

export function missingAuthenticationTokenFailure(): SigV4Failure {
  return sigv4Failure('MissingAuthenticationToken', MISSING_AUTHENTICATION_TOKEN_MESSAGE);
}

/**
 * The scope names a service other than the one the request is for. Code UNVERIFIED
 * (SignatureDoesNotMatch is what STS returns for the sibling region check).
 */
export function wrongServiceFailure(expectedService: string): SigV4Failure {
  return sigv4Failure('SignatureDoesNotMatch', wrongServiceMessage(expectedService));
}

/** Only for deployments that configure a region allow-list; by default any valid region passes. */
export function invalidRegionFailure(region: string): SigV4Failure {
  return sigv4Failure('SignatureDoesNotMatch', invalidRegionMessage(region));
}

export function signatureMismatchFailure(detail: string, canonicalRequest?: string, stringToSign?: string): SigV4Failure {
  const base = sigv4Failure('SignatureDoesNotMatch', SIGNATURE_DOES_NOT_MATCH_MESSAGE, detail);
  if (canonicalRequest === undefined || stringToSign === undefined) return base;
  return { ...base, canonicalRequest, stringToSign };
}
