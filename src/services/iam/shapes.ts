import type { XmlObject } from '../../protocol/xml.js';
import type { GroupRecord, ManagedPolicyRecord, PolicyUsage, PolicyVersionRecord, RoleRecord, UserRecord } from '../../store/types.js';
import { awsManagedPolicyArn, type AwsManagedPolicy } from './aws-managed-policies.js';
import { tagMembers } from './common.js';
import { encodeDocument } from './documents.js';

/** PermissionsBoundary as AWS sends it: type `Policy`, not the model enum (query-protocol.md §6.2). */
function boundary(arn: string | undefined): XmlObject | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
}

export interface ShapeOptions {
  /** Tags: 'always' (even empty), 'nonEmpty', or 'never'. */
  readonly tags?: 'always' | 'nonEmpty' | 'never';
  readonly boundary?: boolean;
}

function tags(list: UserRecord['tags'], mode: ShapeOptions['tags']): XmlObject[] | undefined {
  if (mode === 'always') return tagMembers(list);
  if (mode === 'nonEmpty' && list.length > 0) return tagMembers(list);
  return undefined;
}

/** User (§6.2): ListUsers and GetGroup omit Tags and PermissionsBoundary. */
export function userShape(user: UserRecord, options: ShapeOptions = {}): XmlObject {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: user.arn,
    CreateDate: user.createdAt,
    PasswordLastUsed: user.passwordLastUsed,
    PermissionsBoundary: options.boundary ? boundary(user.permissionsBoundaryArn) : undefined,
    Tags: tags(user.tags, options.tags),
  };
}

export function groupShape(group: GroupRecord): XmlObject {
  return { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: group.createdAt };
}

export type RoleView = 'create' | 'get' | 'list' | 'description';

/**
 * Role (§6.2, query-protocol.md §6.1): CreateRole carries no Description, MaxSessionDuration or
 * RoleLastUsed; GetRole adds them; ListRoles has Description and MaxSessionDuration only;
 * UpdateRoleDescription has Description but neither MaxSessionDuration nor RoleLastUsed.
 */
export function roleShape(role: RoleRecord, view: RoleView): XmlObject {
  const lastUsed: XmlObject = role.lastUsedAt ? { LastUsedDate: role.lastUsedAt, Region: role.lastUsedRegion } : {};
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createdAt,
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: view === 'create' ? undefined : role.description,
    MaxSessionDuration: view === 'get' || view === 'list' ? role.maxSessionDuration : undefined,
    PermissionsBoundary: view === 'list' ? undefined : boundary(role.permissionsBoundaryArn),
    Tags: view === 'list' ? undefined : tags(role.tags, 'nonEmpty'),
    RoleLastUsed: view === 'get' ? lastUsed : undefined,
  };
}

export interface PolicyShapeOptions {
  readonly description: boolean;
  readonly tags: 'always' | 'nonEmpty' | 'never';
}

export function policyShape(policy: ManagedPolicyRecord, options: PolicyShapeOptions): XmlObject {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: policy.attachmentCount,
    PermissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
    IsAttachable: true,
    Description: options.description ? policy.description : undefined,
    CreateDate: policy.createdAt,
    UpdateDate: policy.updatedAt,
    Tags: tags(policy.tags, options.tags),
  };
}

export function awsPolicyShape(policy: AwsManagedPolicy, partition: string, usage: PolicyUsage | undefined, options: PolicyShapeOptions): XmlObject {
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: awsManagedPolicyArn(partition, policy),
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage?.attachmentCount ?? 0,
    PermissionsBoundaryUsageCount: usage?.permissionsBoundaryUsageCount ?? 0,
    IsAttachable: true,
    Description: options.description ? policy.description : undefined,
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
    Tags: options.tags === 'always' ? [] : undefined,
  };
}

/** PolicyVersion: only GetPolicyVersion (and GetAccountAuthorizationDetails) carry Document (§6.2). */
export function versionShape(version: PolicyVersionRecord, withDocument: boolean): XmlObject {
  return {
    Document: withDocument ? encodeDocument(version.document) : undefined,
    VersionId: version.versionId,
    IsDefaultVersion: version.isDefaultVersion,
    CreateDate: version.createdAt,
  };
}

export function awsVersion(policy: AwsManagedPolicy): PolicyVersionRecord {
  return { versionId: policy.defaultVersionId, document: policy.document, isDefaultVersion: true, createdAt: policy.updateDate };
}
