export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** SigV4A; STS lists it as a second auth scheme, but no SDK picks it for a custom endpoint (sigv4.md §6). */
export const ALGORITHM_V4A = 'AWS4-ECDSA-P256-SHA256';
export const TERMINATOR = 'aws4_request';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const AUTHORIZATION_HEADER = 'authorization';
export const AMZ_DATE_HEADER = 'x-amz-date';
export const DATE_HEADER = 'date';
export const TOKEN_HEADER = 'x-amz-security-token';
export const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';
export const HOST_HEADER = 'host';

export const ALGORITHM_PARAM = 'X-Amz-Algorithm';
export const CREDENTIAL_PARAM = 'X-Amz-Credential';
export const DATE_PARAM = 'X-Amz-Date';
export const EXPIRES_PARAM = 'X-Amz-Expires';
export const SIGNED_HEADERS_PARAM = 'X-Amz-SignedHeaders';
export const SIGNATURE_PARAM = 'X-Amz-Signature';
export const TOKEN_PARAM = 'X-Amz-Security-Token';

/** SDKs refuse to presign for longer (smithy MAX_PRESIGNED_TTL, botocore). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;
export const DEFAULT_CLOCK_SKEW_SECONDS = 900;
