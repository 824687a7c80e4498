export type {
  HttpRequestLike,
  ParseOptions,
  ParseResult,
  SigV4ErrorCode,
  SigV4Failure,
  SignatureInfo,
  VerifyOptions,
} from './types.js';
export { parseSignature } from './parse-signature.js';
export { signingInputs, verifySignature } from './verify-signature.js';
export { SigningKeyCache, deriveSigningKey } from './signing-key.js';
export { ALGORITHM, ALGORITHM_V4A, MAX_PRESIGNED_EXPIRES_SECONDS, UNSIGNED_PAYLOAD } from './constants.js';
export {
  BOTH_CARRIERS_MESSAGE,
  CONTENT_SHA256_MISMATCH_MESSAGE,
  EXPIRED_TOKEN_MESSAGE,
  HOST_NOT_SIGNED_MESSAGE,
  INVALID_CLIENT_TOKEN_MESSAGE,
  MISSING_AUTHENTICATION_TOKEN_MESSAGE,
  REQUEST_EXPIRED_MESSAGE,
  SIGNATURE_DOES_NOT_MATCH_MESSAGE,
  SIGV4_ERROR_STATUS,
  expiredTokenFailure,
  invalidClientTokenFailure,
  invalidDateMessage,
  invalidRegionFailure,
  invalidRegionMessage,
  invalidTerminatorMessage,
  malformedCredentialMessage,
  missingAuthenticationTokenFailure,
  scopeDateMismatchMessage,
  signatureExpiredMessage,
  signatureMismatchFailure,
  signatureNotYetCurrentMessage,
  sigv4Failure,
  unsupportedAlgorithmMessage,
  wrongServiceFailure,
  wrongServiceMessage,
} from './errors.js';
