/** The request as received on the wire; nothing decoded, nothing normalized. */
export interface HttpRequestLike {
  readonly method: string;
  /** The request-target exactly as received, e.g. "/?Action=GetCallerIdentity&Version=2011-06-15". */
  readonly rawUrl: string;
  /** Node's req.rawHeaders: [name, value, name, value, ...] in arrival order (duplicates preserved). */
  readonly rawHeaders: readonly string[];
  /** Exact bytes received. */
  readonly body: Uint8Array;
}

/** What the request claims, parsed without any secret. */
export interface SignatureInfo {
  readonly carrier: 'header' | 'query';
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** yyyymmddTHHMMSSZ, the timestamp that goes into the string to sign. */
  readonly amzDate: string;
  /** Lower-case header names as the client declared them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Security-Token (header, or query parameter when presigned). */
  readonly securityToken?: string;
  /** X-Amz-Expires; presigned only, absent when the URL carries none. */
  readonly expiresSeconds?: number;
}

export type SigV4ErrorCode =
  | 'IncompleteSignature'
  | 'SignatureDoesNotMatch'
  | 'MissingAuthenticationToken'
  | 'InvalidClientTokenId'
  | 'ExpiredToken'
  | 'RequestExpired'
  | 'AccessDenied';

export interface SigV4Failure {
  readonly code: SigV4ErrorCode;
  readonly status: number;
  /** Client-facing text, AWS's wording. */
  readonly message: string;
  /** Internal reason for logs; never sent to the client, never contains a secret. */
  readonly detail?: string;
  /** For SignatureDoesNotMatch: what the server signed (AWS shows these to help debug signers). */
  readonly canonicalRequest?: string;
  readonly stringToSign?: string;
}

export type ParseResult = { ok: true; info: SignatureInfo } | { ok: false; failure: SigV4Failure };

export interface ParseOptions {
  /** Allowed distance between the request timestamp and `now`, both directions. Default 900 (15 min). */
  readonly clockSkewSeconds?: number;
  /**
   * Oldest presigned URL accepted, whatever its X-Amz-Expires. Default 900: STS reportedly caps
   * presigned GetCallerIdentity at 15 minutes (sigv4.md §4, UNVERIFIED). At most 604800.
   */
  readonly presignedMaxAgeSeconds?: number;
}

export interface VerifyOptions {
  /**
   * When `x-amz-content-sha256: UNSIGNED-PAYLOAD` (or the presigned equivalent) is accepted.
   * Default 'empty-body' (sigv4.md §3.5 recommendation: STS/IAM SDK calls always hash the body).
   */
  readonly unsignedPayload?: 'never' | 'empty-body' | 'always';
}
