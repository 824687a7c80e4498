/**
 * Why a store write was refused. The store reports facts in its own terms; the IAM service turns
 * them into AWS error codes and texts (query-protocol.md §5.2), so no wire wording lives here.
 */
export type StoreFailure =
  | { readonly code: 'NoSuchEntity'; readonly entity: 'user' | 'group' | 'role'; readonly name: string }
  | { readonly code: 'NoSuchEntity'; readonly entity: 'inline-policy'; readonly owner: 'user' | 'group' | 'role'; readonly name: string }
  | { readonly code: 'NoSuchEntity'; readonly entity: 'policy' | 'attachment' | 'boundary'; readonly arn: string }
  | { readonly code: 'NoSuchEntity'; readonly entity: 'policy-version'; readonly arn: string; readonly versionId: string }
  | { readonly code: 'NoSuchEntity'; readonly entity: 'access-key'; readonly accessKeyId: string }
  | { readonly code: 'EntityAlreadyExists'; readonly entity: 'user' | 'group' | 'role' | 'policy' | 'mfa-device'; readonly name: string }
  | { readonly code: 'DeleteConflict'; readonly reason: DeleteConflictReason }
  | { readonly code: 'LimitExceeded'; readonly quota: Quota; readonly limit: number; readonly owner?: { readonly kind: 'user' | 'group' | 'role'; readonly name: string } };

export type DeleteConflictReason =
  | 'access-keys'
  | 'mfa-devices'
  | 'inline-policies'
  | 'attached-policies'
  | 'group-memberships'
  | 'group-members'
  | 'policy-in-use'
  | 'policy-versions'
  | 'default-version';

export type Quota =
  | 'AccessKeysPerUser'
  | 'PolicyVersions'
  | 'PoliciesPerUser'
  | 'PoliciesPerGroup'
  | 'PoliciesPerRole'
  | 'GroupsPerUser'
  | 'InlinePolicySize'
  | 'TagsPerResource'
  | 'UsersPerAccount'
  | 'GroupsPerAccount'
  | 'RolesPerAccount'
  | 'PoliciesPerAccount';

export class StoreError extends Error {
  readonly failure: StoreFailure;

  constructor(failure: StoreFailure) {
    super(`store: ${failure.code}`);
    this.name = 'StoreError';
    this.failure = failure;
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}
