import { parsePolicy } from '../../policy/index.js';
import { AwsError } from '../../protocol/errors.js';
import type { Store } from '../../store/store.js';
import type { IamCaller } from './common.js';
import { findAwsManagedPolicy, isAwsManagedArn, type AwsManagedPolicy } from './aws-managed-policies.js';

/** IAM quotas (query-protocol.md §5.1). */
export const LIMITS = {
  userInlineAggregate: 2048,
  groupInlineAggregate: 5120,
  roleInlineAggregate: 10240,
  managedPolicySize: 6144,
  trustPolicySize: 2048,
  attachedPerEntity: 10,
  groupsPerUser: 10,
  policyVersions: 5,
  accessKeysPerUser: 2,
  usersPerAccount: 5000,
  groupsPerAccount: 300,
  rolesPerAccount: 1000,
  policiesPerAccount: 1500,
} as const;

/** IAM does not count whitespace toward policy size limits (query-protocol.md §5). */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** Every policyDocumentType output member is URL-encoded JSON (query-protocol.md §5). */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document);
}

/** Identity policies (inline or managed) must parse under the engine's grammar, else MalformedPolicyDocument. */
export function checkIdentityPolicy(document: string, managed: boolean): void {
  const parsed = parsePolicy(document, 'identity', { managed });
  if (!parsed.ok) throw new AwsError('MalformedPolicyDocument', parsed.error.message);
}

const IAM_PRINCIPAL = /^arn:([^:]+):iam::(\d{12}):(user|role)(\/.*)$/;

/**
 * A role trust policy: size quota, the engine's trust grammar, then every IAM user or role named
 * as an AWS principal in an account this server holds must exist. The unique IDs found are
 * returned so the role can be bound to them (sts-api.md §11.1).
 */
export async function checkTrustPolicy(document: string, who: IamCaller, store: Store): Promise<Record<string, string>> {
  if (policySize(document) > LIMITS.trustPolicySize) throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${LIMITS.trustPolicySize}`);
  const parsed = parsePolicy(document, 'trust');
  if (!parsed.ok) throw new AwsError('MalformedPolicyDocument', parsed.error.message);
  const bindings: Record<string, string> = {};
  for (const arn of awsPrincipals(document)) {
    const match = IAM_PRINCIPAL.exec(arn);
    if (!match) continue;
    const [, partition, accountId, type, pathAndName] = match as unknown as [string, string, string, 'user' | 'role', string];
    if (partition !== who.partition || !(await store.getAccount(accountId))) continue;
    const name = pathAndName.slice(pathAndName.lastIndexOf('/') + 1);
    const entity = type === 'user' ? await store.getUser(accountId, name) : await store.getRole(accountId, name);
    if (!entity || entity.arn !== arn) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${arn}"`);
    bindings[arn] = entity.id;
  }
  return bindings;
}

/** The `Principal.AWS` strings of a document the engine has already accepted. */
function awsPrincipals(document: string): string[] {
  const out: string[] = [];
  const root = JSON.parse(document) as { Statement?: unknown };
  const statements = Array.isArray(root.Statement) ? root.Statement : [root.Statement];
  for (const statement of statements) {
    if (typeof statement !== 'object' || statement === null) continue;
    const principal = (statement as { Principal?: unknown }).Principal;
    if (typeof principal !== 'object' || principal === null) continue;
    const aws = (principal as { AWS?: unknown }).AWS;
    for (const value of Array.isArray(aws) ? aws : [aws]) if (typeof value === 'string') out.push(value);
  }
  return out;
}

// ── managed policy ARNs

const ARN_SHAPE = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/;
const CUSTOMER_POLICY = /^arn:([^:]+):iam::(\d{12}):policy(\/(?:.*\/)?)([^/]+)$/;

export type ResolvedPolicyArn =
  | { readonly kind: 'aws'; readonly arn: string; readonly policy: AwsManagedPolicy }
  | { readonly kind: 'customer'; readonly arn: string; readonly path: string; readonly name: string }
  /** Well-formed but names nothing this account can use. */
  | { readonly kind: 'unknown'; readonly arn: string };

/**
 * A `PolicyArn` member: not an ARN at all is a ValidationError `ARN <v> is not valid.`
 * (recorded for Attach*Policy); an ARN that names no usable policy resolves as `unknown`.
 */
export function resolvePolicyArn(value: string, who: IamCaller): ResolvedPolicyArn {
  if (!ARN_SHAPE.test(value)) throw new AwsError('ValidationError', `ARN ${value} is not valid.`);
  if (isAwsManagedArn(value)) {
    const policy = findAwsManagedPolicy(value);
    return policy && value.split(':')[1] === who.partition ? { kind: 'aws', arn: value, policy } : { kind: 'unknown', arn: value };
  }
  const match = CUSTOMER_POLICY.exec(value);
  if (!match || match[1] !== who.partition || match[2] !== who.accountId) return { kind: 'unknown', arn: value };
  return { kind: 'customer', arn: value, path: match[3]!, name: match[4]! };
}

/**
 * A permissions boundary ARN: something other than a policy ARN is InvalidInput `ARN <arn> is
 * not valid.`; a policy that cannot be used is NoSuchEntity `Scope ARN: …` (recorded).
 */
export function resolveBoundaryArn(value: string, who: IamCaller): { readonly arn: string; readonly awsManaged: boolean } {
  const notValid = new AwsError('InvalidInput', `ARN ${value} is not valid.`);
  if (!ARN_SHAPE.test(value)) throw notValid;
  if (!isAwsManagedArn(value) && !/^arn:[^:]+:iam::[^:]*:policy\//.test(value)) throw notValid;
  const resolved = resolvePolicyArn(value, who);
  if (resolved.kind === 'unknown') throw new AwsError('NoSuchEntity', `Scope ARN: ${value} does not exist or is not attachable.`);
  return { arn: resolved.arn, awsManaged: resolved.kind === 'aws' };
}

/** The policy path an ARN carries (`/` for `policy/name`). */
export function policyPathOf(arn: string): string {
  const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
  return resource.slice(0, resource.lastIndexOf('/') + 1);
}
