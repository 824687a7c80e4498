/**
 * The records the store keeps. The store knows nothing about policies: documents are opaque
 * text here. Secrets arrive already encrypted (see src/crypto/secret-box.ts).
 */

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface OrganizationRecord {
  readonly id: string; // o-…
  readonly arn: string;
  readonly rootId: string; // r-…
  readonly managementAccountId: string;
  readonly managementAccountEmail: string;
  readonly featureSet: 'ALL';
  readonly createdAt: Date;
}

export type AccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface AccountRecord {
  readonly id: string; // 12 digits
  readonly name: string;
  readonly email: string;
  readonly state: AccountState;
  readonly joinedMethod: 'INVITED' | 'CREATED';
  readonly joinedAt: Date;
}

export interface CreateAccountStatusRecord {
  readonly id: string; // car-…
  readonly accountName: string;
  readonly email: string;
  readonly state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly requestedAt: Date;
  readonly completedAt?: Date;
  readonly accountId?: string;
  readonly failureReason?: string;
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The IAM user's unique ID (AIDA…); absent for the account root's keys. */
  readonly userId?: string;
  readonly status: 'Active' | 'Inactive';
  /** The secret access key sealed with the master key. */
  readonly secretCiphertext: string;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
  readonly lastUsedService?: string;
  readonly lastUsedRegion?: string;
}

/** A policy document that applies to a principal, labelled for explanations. */
export interface PolicyDocumentRef {
  /** Managed: the policy ARN; inline: `<entity ARN>/inline/<policy name>` (e.g. role ARN + policy name). */
  readonly id: string;
  readonly name: string;
  readonly kind: 'inline' | 'managed';
  /** Managed policies: the default version ID. */
  readonly versionId?: string;
  readonly document: string;
}

/** Everything the authorizer needs about an IAM user or role, in one read. */
export interface PrincipalPolicies {
  readonly identity: readonly PolicyDocumentRef[];
  readonly boundary?: PolicyDocumentRef;
  /** The user's or role's IAM tags (`aws:PrincipalTag/*`). */
  readonly tags: readonly Tag[];
}

// ── IAM entities (query-protocol.md §5–§6). ARNs are computed by the store from the partition
// it was opened with, so a rename (UpdateUser/UpdateGroup) can never leave a stale ARN behind.

/** A managed policy used as a permissions boundary; `Policy` is what AWS sends (§6.2). */
export interface PermissionsBoundaryRef {
  readonly arn: string;
}

export interface UserRecord {
  readonly id: string; // AIDA…
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly permissionsBoundaryArn?: string;
  readonly passwordLastUsed?: Date;
  readonly tags: readonly Tag[];
}

export interface GroupRecord {
  readonly id: string; // AGPA…
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly createdAt: Date;
}

export interface RoleRecord {
  readonly id: string; // AROA…
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly createdAt: Date;
  /** The trust policy exactly as submitted. */
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly lastUsedAt?: Date;
  readonly lastUsedRegion?: string;
  readonly tags: readonly Tag[];
  /**
   * IAM user/role principal ARNs named in the trust policy, bound to the unique ID they had when
   * the policy was saved (sts-api.md §11.1): a principal deleted and recreated under the same
   * name has another ID and no longer matches.
   */
  readonly trustPrincipalIds: Readonly<Record<string, string>>;
}

export interface ManagedPolicyRecord {
  readonly id: string; // ANPA…
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description?: string;
  readonly defaultVersionId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Users, groups and roles the policy is attached to. */
  readonly attachmentCount: number;
  /** Users and roles that use the policy as their permissions boundary. */
  readonly permissionsBoundaryUsageCount: number;
  readonly tags: readonly Tag[];
}

export interface PolicyVersionRecord {
  readonly versionId: string;
  readonly document: string;
  readonly isDefaultVersion: boolean;
  readonly createdAt: Date;
}

export interface InlinePolicyRecord {
  readonly name: string;
  readonly document: string;
}

export interface AttachedPolicyRecord {
  readonly policyArn: string;
  /** The last path segment of the ARN. */
  readonly policyName: string;
}

export type PrincipalKind = 'user' | 'group' | 'role';

/** Names an IAM user, group or role within an account (names are case-insensitive). */
export interface EntityName {
  readonly kind: PrincipalKind;
  readonly name: string;
}

/** Access-key owner for the IAM key actions: an IAM user by name, or the account root. */
export type AccessKeyOwner = { readonly kind: 'root' } | { readonly kind: 'user'; readonly name: string };

/** Counts of an ARN's use in one account (AWS managed policies live outside the store). */
export interface PolicyUsage {
  readonly attachmentCount: number;
  readonly permissionsBoundaryUsageCount: number;
}

export interface PolicyEntities {
  readonly users: readonly { readonly name: string; readonly id: string }[];
  readonly groups: readonly { readonly name: string; readonly id: string }[];
  readonly roles: readonly { readonly name: string; readonly id: string }[];
}

/** One user's full picture for GetAccountAuthorizationDetails. */
export interface UserDetail {
  readonly user: UserRecord;
  readonly inline: readonly InlinePolicyRecord[];
  readonly attached: readonly AttachedPolicyRecord[];
  readonly groupNames: readonly string[];
}

export interface GroupDetail {
  readonly group: GroupRecord;
  readonly inline: readonly InlinePolicyRecord[];
  readonly attached: readonly AttachedPolicyRecord[];
}

export interface RoleDetail {
  readonly role: RoleRecord;
  readonly inline: readonly InlinePolicyRecord[];
  readonly attached: readonly AttachedPolicyRecord[];
}

export interface ManagedPolicyDetail {
  readonly policy: ManagedPolicyRecord;
  readonly versions: readonly PolicyVersionRecord[];
}

/** An IAM virtual MFA device (ids-and-arns.md §2: `arn:aws:iam::<acct>:mfa/<path><name>`). */
export interface MfaDeviceRecord {
  readonly accountId: string;
  readonly serialNumber: string;
  readonly path: string;
  readonly name: string;
  /** The TOTP seed (Base32) sealed with the master key. */
  readonly seedCiphertext: string;
  readonly createdAt: Date;
  /** Set while enabled: the IAM user's unique ID, or the account ID for the root user. */
  readonly userId?: string;
  readonly enabledAt?: Date;
  /** The highest TOTP time step accepted, so a code is never accepted twice. */
  readonly lastUsedStep?: number;
  readonly tags: readonly Tag[];
}
