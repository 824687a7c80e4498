/**
 * What never reaches a record (cloudtrail.md §6.2, R6), in one place. Members are named as
 * on the wire (PascalCase) and compared case-insensitively at any depth; they are dropped,
 * not masked, because no IAM/STS sample uses a placeholder.
 */
const REQUEST_SECRETS = new Set(
  [
    'Password', // CreateLoginProfile, UpdateLoginProfile (observed)
    'OldPassword', // ChangePassword
    'NewPassword',
    'TokenCode', // AssumeRole, GetSessionToken (UNVERIFIED)
    'AuthenticationCode1', // EnableMFADevice, ResyncMFADevice (UNVERIFIED)
    'AuthenticationCode2',
    'WebIdentityToken', // observed
    'SAMLAssertion', // replaced by sAMLAssertionID, which the action supplies (observed)
    'PrivateKey', // UploadServerCertificate (UNVERIFIED)
    'ContextAssertion', // ProvidedContexts[] (Decision)
  ].map((name) => name.toLowerCase()),
);

const RESPONSE_SECRETS = new Set(
  [
    'SecretAccessKey', // STS credentials, CreateAccessKey (IAM guide; observed)
    'Base32StringSeed', // CreateVirtualMFADevice (UNVERIFIED)
    'QRCodePNG',
    'PrivateKey',
    'ServicePassword', // Create/ResetServiceSpecificCredential (UNVERIFIED)
    'Password',
  ].map((name) => name.toLowerCase()),
);

/** Query members that belong to the protocol, not the operation (presigned URLs carry the token here). */
const PROTOCOL_MEMBERS = new Set(['action', 'version']);

/** Actions whose requestParameters are null whatever was sent (ChangePassword sample, §6.2). */
const NULL_REQUEST_ACTIONS = new Set(['iam:ChangePassword']);

export function isDroppedRequestMember(name: string): boolean {
  const lower = name.toLowerCase();
  return REQUEST_SECRETS.has(lower) || lower.startsWith('x-amz-');
}

export function isProtocolMember(name: string): boolean {
  return PROTOCOL_MEMBERS.has(name.toLowerCase());
}

export function isDroppedResponseMember(name: string, includeSessionToken: boolean): boolean {
  const lower = name.toLowerCase();
  return RESPONSE_SECRETS.has(lower) || (!includeSessionToken && lower === 'sessiontoken');
}

export function requestParametersSuppressed(signingName: string, action: string): boolean {
  return NULL_REQUEST_ACTIONS.has(`${signingName}:${action}`);
}

/** AWS's placeholder, used only by the last-resort guard below. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * Last line of defence, after the member rules: any string in the record that contains one of
 * the call's known secret values (the caller's and the issued secret key, and the issued
 * session token unless opted in) is replaced, and any `secretAccessKey` member is removed —
 * whichever path (an action's audit notes, a future field) put it there.
 */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  const live = secrets.filter((s) => s.length >= 8);
  return scrub(value, live) as T;
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return secrets.some((s) => value.includes(s)) ? HIDDEN : value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.toLowerCase() === 'secretaccesskey') continue;
      out[key] = scrub(item, secrets);
    }
    return out;
  }
  return value;
}
