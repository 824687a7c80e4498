import type {
  AccessKeyOwner,
  AccessKeyRecord,
  AccountRecord,
  AttachedPolicyRecord,
  CreateAccountStatusRecord,
  MfaDeviceRecord,
  EntityName,
  GroupDetail,
  GroupRecord,
  InlinePolicyRecord,
  ManagedPolicyDetail,
  ManagedPolicyRecord,
  OrganizationRecord,
  PolicyDocumentRef,
  PolicyEntities,
  PolicyUsage,
  PolicyVersionRecord,
  PrincipalPolicies,
  RoleDetail,
  RoleRecord,
  Tag,
  UserDetail,
  UserRecord,
} from './types.js';

/**
 * Persistence behind one small async interface, so SQLite and PostgreSQL implementations are
 * interchangeable. Every method is one atomic unit: it commits all of its writes or none, and
 * does its own consistency checks (e.g. DeleteConflict) inside that unit.
 */
export interface Store {
  /** Applies pending versioned migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // ── deployment metadata (master-key check value, sealed session key ring, …)
  getMeta(key: string): Promise<string | undefined>;
  /** Sets `key` only if absent; returns the value now stored (first writer wins across nodes). */
  putMetaIfAbsent(key: string, value: string): Promise<string>;
  putMeta(key: string, value: string): Promise<void>;

  // ── organization and accounts
  getOrganization(): Promise<OrganizationRecord | undefined>;
  /** Creates the organization with its management account; no-op returning the existing one if present. */
  createOrganization(org: OrganizationRecord, management: AccountRecord): Promise<OrganizationRecord>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<readonly AccountRecord[]>;
  putAccount(account: AccountRecord): Promise<void>;
  putCreateAccountStatus(status: CreateAccountStatusRecord): Promise<void>;
  getCreateAccountStatus(id: string): Promise<CreateAccountStatusRecord | undefined>;
  listCreateAccountStatuses(): Promise<readonly CreateAccountStatusRecord[]>;

  // ── access keys
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Root keys (no userId); IAM users' keys go through the IAM user methods (quota of 2 per owner). */
  createRootAccessKey(key: AccessKeyRecord): Promise<void>;
  recordAccessKeyUse(accessKeyId: string, at: Date, service: string, region: string): Promise<void>;
  /** The current name and ARN of an IAM user by unique ID (a renamed user keeps its keys). */
  getUserIdentity(accountId: string, userId: string): Promise<{ readonly userName: string; readonly arn: string } | undefined>;

  // ── MFA devices (issue 4)
  createMfaDevice(device: MfaDeviceRecord): Promise<void>;
  getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDeviceRecord | undefined>;
  listMfaDevices(accountId: string): Promise<readonly MfaDeviceRecord[]>;
  /** Associates an unassigned device with a user (or root: userId = account ID); false if already in use. */
  enableMfaDevice(accountId: string, serialNumber: string, userId: string, at: Date, lastUsedStep: number): Promise<boolean>;
  deactivateMfaDevice(accountId: string, serialNumber: string): Promise<void>;
  deleteMfaDevice(accountId: string, serialNumber: string): Promise<void>;
  /** Records `step` as used if it is newer than the last accepted one; false means a replay. */
  consumeMfaStep(accountId: string, serialNumber: string, step: number): Promise<boolean>;

  // ── what the authorizer reads
  /** Identity policies (user inline + attached + groups' inline + attached) and boundary of a user by unique ID. */
  getUserPolicies(accountId: string, userId: string): Promise<PrincipalPolicies | undefined>;
  /** Identity policies (inline + attached) and boundary of a role by unique ID. */
  getRolePolicies(accountId: string, roleId: string): Promise<PrincipalPolicies | undefined>;
  /** The default version of a customer managed policy (session policy ARNs); AWS managed policies are not in the store. */
  getManagedPolicyDocument(policyArn: string): Promise<PolicyDocumentRef | undefined>;
  /**
   * Increases on every write that can change an authorization decision in the account
   * (policies, attachments, group membership, boundaries, tags, trust policies). Caches of
   * compiled policies key on it.
   */
  getAuthzGeneration(accountId: string): Promise<number>;

  // ── IAM: users, groups, roles (query-protocol.md §5–§6)
  // Write methods throw StoreError (src/store/errors.ts) when a consistency rule refuses them;
  // every refusal is checked inside the same transaction as the write.
  createUser(user: NewUser): Promise<UserRecord>;
  getUser(accountId: string, name: string): Promise<UserRecord | undefined>;
  getUserById(userId: string): Promise<UserRecord | undefined>;
  /** Sorted by name; `pathPrefix` is a plain string prefix of the path. */
  listUsers(accountId: string, pathPrefix?: string): Promise<readonly UserRecord[]>;
  updateUser(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<UserRecord>;
  /** Refused while the user has access keys, inline or attached policies, or group memberships. */
  deleteUser(accountId: string, name: string): Promise<void>;

  createGroup(group: NewGroup): Promise<GroupRecord>;
  getGroup(accountId: string, name: string): Promise<GroupRecord | undefined>;
  getGroupById(groupId: string): Promise<GroupRecord | undefined>;
  listGroups(accountId: string, pathPrefix?: string): Promise<readonly GroupRecord[]>;
  updateGroup(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<GroupRecord>;
  deleteGroup(accountId: string, name: string): Promise<void>;
  /** Idempotent; the user is looked up first (AWS reports a missing user before a missing group). */
  addUserToGroup(accountId: string, groupName: string, userName: string, maxGroupsPerUser: number): Promise<void>;
  removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<void>;
  /** The group's members, sorted by user name; throws NoSuchEntity for a missing group. */
  listGroupMembers(accountId: string, groupName: string): Promise<{ readonly group: GroupRecord; readonly users: readonly UserRecord[] }>;
  listGroupsForUser(accountId: string, userName: string): Promise<readonly GroupRecord[]>;

  createRole(role: NewRole): Promise<RoleRecord>;
  getRole(accountId: string, name: string): Promise<RoleRecord | undefined>;
  getRoleById(roleId: string): Promise<RoleRecord | undefined>;
  listRoles(accountId: string, pathPrefix?: string): Promise<readonly RoleRecord[]>;
  updateRole(accountId: string, name: string, changes: { readonly description?: string; readonly maxSessionDuration?: number }): Promise<RoleRecord>;
  updateAssumeRolePolicy(accountId: string, name: string, document: string, trustPrincipalIds: Readonly<Record<string, string>>): Promise<void>;
  /** Refused while the role has inline or attached policies. */
  deleteRole(accountId: string, name: string): Promise<void>;
  /** RoleLastUsed (GetRole); called by STS when a role session is issued. */
  recordRoleUse(roleId: string, at: Date, region: string): Promise<void>;

  putPermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }, boundary: PolicyRef): Promise<void>;
  deletePermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }): Promise<void>;

  // ── IAM: inline policies (documents are opaque text; `size` is counted by the caller)
  /** Creates or replaces; refused when the owner's inline documents would exceed `maxAggregateSize`. */
  putInlinePolicy(accountId: string, owner: EntityName, policyName: string, document: string, size: number, maxAggregateSize: number): Promise<void>;
  getInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<{ readonly ownerName: string; readonly policy: InlinePolicyRecord }>;
  listInlinePolicies(accountId: string, owner: EntityName): Promise<readonly string[]>;
  deleteInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<void>;

  // ── IAM: customer managed policies and versions
  createPolicy(policy: NewManagedPolicy): Promise<ManagedPolicyRecord>;
  getPolicy(policyArn: string): Promise<ManagedPolicyRecord | undefined>;
  listPolicies(accountId: string, pathPrefix?: string): Promise<readonly ManagedPolicyRecord[]>;
  /** Refused while attached or used as a boundary, or while non-default versions remain. */
  deletePolicy(policyArn: string): Promise<void>;
  /** Version IDs are never reused; refused when `maxVersions` versions exist. */
  createPolicyVersion(policyArn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number): Promise<PolicyVersionRecord>;
  getPolicyVersion(policyArn: string, versionId: string): Promise<PolicyVersionRecord | undefined>;
  /** Newest first; undefined when the policy does not exist. */
  listPolicyVersions(policyArn: string): Promise<readonly PolicyVersionRecord[] | undefined>;
  setDefaultPolicyVersion(policyArn: string, versionId: string, at: Date): Promise<void>;
  deletePolicyVersion(policyArn: string, versionId: string): Promise<void>;

  // ── IAM: attachments (customer or AWS managed policy ARNs)
  /** Idempotent for an attached policy; refused beyond `maxAttachments`. */
  attachPolicy(accountId: string, entity: EntityName, policy: PolicyRef, maxAttachments: number): Promise<void>;
  detachPolicy(accountId: string, entity: EntityName, policyArn: string): Promise<void>;
  listAttachedPolicies(accountId: string, entity: EntityName): Promise<readonly AttachedPolicyRecord[]>;
  listEntitiesForPolicy(accountId: string, policyArn: string): Promise<PolicyEntities>;
  /** Attachment and boundary counts of ARNs in one account (for AWS managed policies). */
  getPolicyUsage(accountId: string, policyArns: readonly string[]): Promise<ReadonlyMap<string, PolicyUsage>>;

  // ── IAM: tags (user and role keys are case-insensitive, policy keys case-sensitive; §5)
  tagResource(accountId: string, target: TagTarget, tags: readonly Tag[], maxTags: number): Promise<void>;
  untagResource(accountId: string, target: TagTarget, keys: readonly string[]): Promise<void>;
  listResourceTags(accountId: string, target: TagTarget): Promise<readonly Tag[]>;

  // ── IAM: access keys of users and of the account root
  /** Refused beyond `maxKeys` keys for the owner. */
  createAccessKey(accountId: string, owner: AccessKeyOwner, key: NewAccessKey, maxKeys: number): Promise<AccessKeyRecord>;
  /** Oldest first; `userName` is the owner's current name. */
  listAccessKeys(accountId: string, owner: AccessKeyOwner): Promise<{ readonly userName?: string; readonly keys: readonly AccessKeyRecord[] }>;
  updateAccessKeyStatus(accountId: string, owner: AccessKeyOwner, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void>;
  deleteAccessKey(accountId: string, owner: AccessKeyOwner, accessKeyId: string): Promise<void>;

  // ── IAM: reads spanning entities
  /** Identity policies of a group (inline + attached), for SimulatePrincipalPolicy. */
  getGroupPolicies(accountId: string, groupId: string): Promise<PrincipalPolicies | undefined>;
  /** Everything GetAccountAuthorizationDetails reports, read in one transaction. */
  getAuthorizationDetails(accountId: string): Promise<AuthorizationDetails>;
}

/** A managed policy named by ARN; AWS managed policies are static data outside the store. */
export interface PolicyRef {
  readonly arn: string;
  readonly awsManaged: boolean;
}

export type TagTarget = (EntityName & { readonly kind: 'user' | 'role' }) | { readonly kind: 'policy'; readonly arn: string };

export interface NewUser {
  readonly accountId: string;
  /** Refused when the account already holds this many (IAM quotas, query-protocol.md §5.1). */
  readonly maxPerAccount?: number;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly permissionsBoundary?: PolicyRef;
  readonly tags: readonly Tag[];
}

export interface NewGroup {
  readonly accountId: string;
  /** Refused when the account already holds this many (IAM quotas, query-protocol.md §5.1). */
  readonly maxPerAccount?: number;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
}

export interface NewRole {
  readonly accountId: string;
  /** Refused when the account already holds this many (IAM quotas, query-protocol.md §5.1). */
  readonly maxPerAccount?: number;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly assumeRolePolicyDocument: string;
  readonly trustPrincipalIds: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundary?: PolicyRef;
  readonly tags: readonly Tag[];
}

export interface NewManagedPolicy {
  readonly accountId: string;
  /** Refused when the account already holds this many (IAM quotas, query-protocol.md §5.1). */
  readonly maxPerAccount?: number;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly description?: string;
  readonly document: string;
  readonly createdAt: Date;
  readonly tags: readonly Tag[];
}

export interface NewAccessKey {
  readonly accessKeyId: string;
  readonly secretCiphertext: string;
  readonly createdAt: Date;
}

export interface AuthorizationDetails {
  readonly users: readonly UserDetail[];
  readonly groups: readonly GroupDetail[];
  readonly roles: readonly RoleDetail[];
  readonly policies: readonly ManagedPolicyDetail[];
}
