import type { XmlObject } from '../../protocol/xml.js';
import type { AttachedPolicyRecord, InlinePolicyRecord } from '../../store/types.js';
import type { QueryAction } from '../action.js';
import { awsManagedPolicies, awsManagedPolicyArn } from './aws-managed-policies.js';
import { iamCaller, nameOrder, paginate, readMarker, readMaxItems, tagMembers } from './common.js';
import { encodeDocument } from './documents.js';
import { awsPolicyShape, awsVersion, policyShape, roleShape, versionShape } from './shapes.js';

const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type Filter = (typeof FILTERS)[number];

function inlineList(policies: readonly InlinePolicyRecord[]): XmlObject[] {
  return policies.map((p) => ({ PolicyName: p.name, PolicyDocument: encodeDocument(p.document) }));
}

function attachedList(policies: readonly AttachedPolicyRecord[]): XmlObject[] {
  return policies.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.policyArn }));
}

function boundary(arn: string | undefined): XmlObject | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
}

/**
 * One snapshot of the account, paged across users, groups, roles and policies in that order.
 * AWS managed policies appear only while in use in the account (recorded: Filter
 * AWSManagedPolicy returned just the attached one). Shapes follow the recordings: UserPolicyList
 * only when non-empty, GroupPolicyList/RolePolicyList and Tags always.
 */
export const getAccountAuthorizationDetails: QueryAction = {
  name: 'GetAccountAuthorizationDetails',
  async run(input, ctx) {
    const filterList = input.list('Filter');
    filterList?.forEach((value, i) => {
      if (!(FILTERS as readonly string[]).includes(value)) input.violation(`filter.${i + 1}.member`, 'Member must satisfy enum value set');
    });
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:GetAccountAuthorizationDetails', resource: '*' });
    const wanted = (f: Filter) => filterList === undefined || filterList.length === 0 || filterList.includes(f);
    const details = await ctx.store.getAuthorizationDetails(who.accountId);

    type Entry = { key: string; list: 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies'; shape: XmlObject };
    const entries: Entry[] = [];
    if (wanted('User')) {
      for (const d of details.users) {
        entries.push({
          key: `1\u0000${nameOrder(d.user.name)}`,
          list: 'UserDetailList',
          shape: {
            Path: d.user.path,
            UserName: d.user.name,
            UserId: d.user.id,
            Arn: d.user.arn,
            CreateDate: d.user.createdAt,
            UserPolicyList: d.inline.length > 0 ? inlineList(d.inline) : undefined,
            GroupList: d.groupNames,
            AttachedManagedPolicies: attachedList(d.attached),
            PermissionsBoundary: boundary(d.user.permissionsBoundaryArn),
            Tags: tagMembers(d.user.tags),
          },
        });
      }
    }
    if (wanted('Group')) {
      for (const d of details.groups) {
        entries.push({
          key: `2\u0000${nameOrder(d.group.name)}`,
          list: 'GroupDetailList',
          shape: {
            Path: d.group.path,
            GroupName: d.group.name,
            GroupId: d.group.id,
            Arn: d.group.arn,
            CreateDate: d.group.createdAt,
            GroupPolicyList: inlineList(d.inline),
            AttachedManagedPolicies: attachedList(d.attached),
          },
        });
      }
    }
    if (wanted('Role')) {
      for (const d of details.roles) {
        const base = roleShape(d.role, 'get');
        entries.push({
          key: `3\u0000${nameOrder(d.role.name)}`,
          list: 'RoleDetailList',
          shape: {
            Path: base.Path,
            RoleName: base.RoleName,
            RoleId: base.RoleId,
            Arn: base.Arn,
            CreateDate: base.CreateDate,
            AssumeRolePolicyDocument: base.AssumeRolePolicyDocument,
            InstanceProfileList: [],
            RolePolicyList: inlineList(d.inline),
            AttachedManagedPolicies: attachedList(d.attached),
            PermissionsBoundary: base.PermissionsBoundary,
            Tags: tagMembers(d.role.tags),
            RoleLastUsed: base.RoleLastUsed,
          },
        });
      }
    }
    if (wanted('AWSManagedPolicy')) {
      const catalog = awsManagedPolicies();
      const usage = await ctx.store.getPolicyUsage(
        who.accountId,
        catalog.map((p) => awsManagedPolicyArn(who.partition, p)),
      );
      for (const policy of catalog) {
        const counts = usage.get(awsManagedPolicyArn(who.partition, policy));
        if (!counts || (counts.attachmentCount === 0 && counts.permissionsBoundaryUsageCount === 0)) continue;
        entries.push({
          key: `4\u0000${nameOrder(policy.name)}`,
          list: 'Policies',
          shape: { ...awsPolicyShape(policy, who.partition, counts, { description: true, tags: 'never' }), PolicyVersionList: [versionShape(awsVersion(policy), true)] },
        });
      }
    }
    if (wanted('LocalManagedPolicy')) {
      for (const d of details.policies) {
        entries.push({
          key: `5\u0000${nameOrder(d.policy.name)}`,
          list: 'Policies',
          shape: { ...policyShape(d.policy, { description: true, tags: 'never' }), PolicyVersionList: d.versions.map((v) => versionShape(v, true)) },
        });
      }
    }

    const page = paginate(entries, (e) => e.key, marker, maxItems);
    const of = (list: Entry['list']) => page.items.filter((e) => e.list === list).map((e) => e.shape);
    const out: XmlObject = {
      UserDetailList: of('UserDetailList'),
      GroupDetailList: of('GroupDetailList'),
      RoleDetailList: of('RoleDetailList'),
      Policies: of('Policies'),
    };
    return page.isTruncated ? { ...out, IsTruncated: true, Marker: page.marker } : { ...out, IsTruncated: false };
  },
};
