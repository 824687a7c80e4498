/**
 * The closed set of AWS error codes open-sts answers with. Each code has its HTTP status; the
 * fault (Sender/Receiver) follows from the status (query-protocol.md §3: Sender for 4xx,
 * Receiver for 5xx). Codes are the wire codes, not SDK class names.
 */
const REGISTRY = {
  // Common (AWS common errors; sigv4.md §5)
  AccessDenied: 403,
  ExpiredToken: 403,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  MissingParameter: 400,
  RequestExpired: 400,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  Throttling: 400,
  ValidationError: 400,
  MalformedQueryString: 404,
  RequestEntityTooLarge: 413,
  // STS (sts-api.md §13)
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  InvalidAuthorizationMessageException: 400,
  InvalidIdentityToken: 400,
  MalformedPolicyDocument: 400,
  PackedPolicyTooLarge: 400,
  RegionDisabledException: 403,
  // IAM (query-protocol.md §5.2)
  ConcurrentModification: 409,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  EntityTemporarilyUnmodifiable: 409,
  InvalidAuthenticationCode: 403,
  InvalidInput: 400,
  LimitExceeded: 409,
  NoSuchEntity: 404,
  PolicyEvaluation: 500,
  PolicyNotAttachable: 400,
  ServiceFailure: 500,
  UnmodifiableEntity: 400,
  // JSON 1.1 services: Organizations, CloudTrail (query-protocol.md §4)
  AccessDeniedException: 400,
  AccountNotFoundException: 400,
  AWSOrganizationsNotInUseException: 400,
  ConstraintViolationException: 400,
  CreateAccountStatusNotFoundException: 400,
  InvalidInputException: 400,
  ServiceException: 500,
  TooManyRequestsException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  InvalidLookupAttributesException: 400,
  InvalidTimeRangeException: 400,
  InvalidNextTokenException: 400,
  InvalidMaxResultsException: 400,
  InvalidEventCategoryException: 400,
  UnsupportedOperationException: 400,
  OperationNotPermittedException: 400,
  // CloudTrail LookupEvents rate limit (cloudtrail.md §4.8; CommonErrors lists it as 400)
  ThrottlingException: 400,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof REGISTRY;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(REGISTRY, value);
}

/**
 * An AWS error answered to the client. `message` is client-facing text and never carries a
 * secret; `detail` is for logs only. `extra` holds modeled members of JSON errors (e.g. `Reason`).
 */
export class AwsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Readonly<Record<string, string>> | undefined;
  /** An encoded authorization message, for denials that sts:DecodeAuthorizationMessage decodes. */
  readonly encodedMessage: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { extra?: Record<string, string>; encodedMessage?: string; status?: number }) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = options?.status ?? REGISTRY[code];
    this.extra = options?.extra;
    this.encodedMessage = options?.encodedMessage;
  }

  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** STS/IAM request validation (sts-api.md §13, query-protocol.md §5). */
export interface ConstraintViolation {
  readonly member: string;
  readonly phrase: string;
  /** STS echoes the offending value; IAM omits it. */
  readonly value?: string;
}

export function validationError(violations: readonly ConstraintViolation[]): AwsError {
  const parts = violations.map((v) =>
    v.value === undefined
      ? `Value at '${v.member}' failed to satisfy constraint: ${v.phrase}`
      : `Value '${v.value}' at '${v.member}' failed to satisfy constraint: ${v.phrase}`,
  );
  const n = violations.length;
  const head = n === 1 ? '1 validation error detected: ' : `${n} validation errors detected: `;
  return new AwsError('ValidationError', head + parts.join('; '));
}
