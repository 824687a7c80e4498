import { AwsError } from '../../protocol/errors.js';
import type { StringRule } from '../../protocol/query.js';
import type { PrincipalKind } from '../../store/types.js';
import type { QueryAction } from '../action.js';
import { RULES, iamCaller, nameOrder, pageMembers, paginate, readEnum, readMarker, readMaxItems, stored } from './common.js';
import { LIMITS, policyPathOf, resolvePolicyArn } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';
import { lookupPolicy } from './managed-policies.js';

interface Owner {
  readonly kind: PrincipalKind;
  readonly noun: 'User' | 'Group' | 'Role';
  readonly nameRule: StringRule & { required: true };
  /** Attach/Detach{User,Role}Policy document iam:PermissionsBoundary; groups have none. */
  readonly boundaryKey: boolean;
}

const OWNERS: readonly Owner[] = [
  { kind: 'user', noun: 'User', nameRule: RULES.userName, boundaryKey: true },
  { kind: 'group', noun: 'Group', nameRule: RULES.groupName, boundaryKey: false },
  { kind: 'role', noun: 'Role', nameRule: RULES.roleName, boundaryKey: true },
];

function attach(owner: Owner): QueryAction {
  return {
    name: `Attach${owner.noun}Policy`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const arn = input.string('PolicyArn', RULES.arn);
      input.done();
      const who = iamCaller(ctx);
      const resolved = resolvePolicyArn(arn, who);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:Attach${owner.noun}Policy`, target, { 'iam:PolicyARN': arn, ...(owner.boundaryKey ? target.boundaryContext : {}) });
      if (resolved.kind === 'unknown') throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
      await stored(
        () => ctx.store.attachPolicy(who.accountId, { kind: owner.kind, name: entityName }, { arn, awsManaged: resolved.kind === 'aws' }, LIMITS.attachedPerEntity),
        { missingPolicy: 'not-attachable' },
      );
      return undefined;
    },
  };
}

function detach(owner: Owner): QueryAction {
  return {
    name: `Detach${owner.noun}Policy`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const arn = input.string('PolicyArn', RULES.arn);
      input.done();
      const who = iamCaller(ctx);
      resolvePolicyArn(arn, who);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:Detach${owner.noun}Policy`, target, { 'iam:PolicyARN': arn, ...(owner.boundaryKey ? target.boundaryContext : {}) });
      await stored(() => ctx.store.detachPolicy(who.accountId, { kind: owner.kind, name: entityName }, arn));
      return undefined;
    },
  };
}

function listAttached(owner: Owner): QueryAction {
  return {
    name: `ListAttached${owner.noun}Policies`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const prefix = input.string('PathPrefix', RULES.policyPathPrefix);
      const marker = readMarker(input);
      const maxItems = readMaxItems(input);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:ListAttached${owner.noun}Policies`, target);
      const attached = await stored(() => ctx.store.listAttachedPolicies(who.accountId, { kind: owner.kind, name: entityName }));
      const filtered = prefix === undefined ? attached : attached.filter((a) => policyPathOf(a.policyArn).startsWith(prefix));
      const keyed = filtered.map((a, i) => ({ a, key: String(i).padStart(6, '0') }));
      const page = paginate(keyed, (e) => e.key, marker, maxItems);
      return pageMembers('AttachedPolicies', { ...page, items: page.items.map((e) => ({ PolicyName: e.a.policyName, PolicyArn: e.a.policyArn })) });
    },
  };
}

/** Users, groups and roles a policy is attached to (not boundaries), per EntityFilter. */
export const listEntitiesForPolicy: QueryAction = {
  name: 'ListEntitiesForPolicy',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const filter = readEnum(input, 'EntityFilter', ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const);
    const prefix = input.string('PathPrefix', RULES.pathPrefix);
    const usageFilter = readEnum(input, 'PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:ListEntitiesForPolicy', resource: arn, context: target.context, resourceAccount: who.accountId });
    if (target.resolved.kind === 'unknown' || (target.resolved.kind === 'customer' && !target.record)) {
      throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    }
    const kindWanted = (kind: PrincipalKind) =>
      usageFilter !== 'PermissionsBoundary' && (filter === undefined || filter === (kind === 'user' ? 'User' : kind === 'group' ? 'Group' : 'Role') ||
        (filter === 'LocalManagedPolicy' && target.resolved.kind === 'customer') || (filter === 'AWSManagedPolicy' && target.resolved.kind === 'aws'));
    const entities = await ctx.store.listEntitiesForPolicy(who.accountId, arn);
    const pathOf = async (kind: PrincipalKind, name: string) => {
      if (prefix === undefined) return '/';
      const record = kind === 'user' ? await ctx.store.getUser(who.accountId, name) : kind === 'group' ? await ctx.store.getGroup(who.accountId, name) : await ctx.store.getRole(who.accountId, name);
      return record?.path ?? '/';
    };
    const rows: Array<{ key: string; kind: PrincipalKind; name: string; id: string }> = [];
    for (const [kind, list] of [['group', entities.groups], ['role', entities.roles], ['user', entities.users]] as const) {
      if (!kindWanted(kind)) continue;
      for (const e of list) {
        if (prefix !== undefined && !(await pathOf(kind, e.name)).startsWith(prefix)) continue;
        rows.push({ key: `${kind}\u0000${nameOrder(e.name)}`, kind, name: e.name, id: e.id });
      }
    }
    const page = paginate(rows, (r) => r.key, marker, maxItems);
    const out = {
      PolicyGroups: page.items.filter((r) => r.kind === 'group').map((r) => ({ GroupName: r.name, GroupId: r.id })),
      PolicyUsers: page.items.filter((r) => r.kind === 'user').map((r) => ({ UserName: r.name, UserId: r.id })),
      PolicyRoles: page.items.filter((r) => r.kind === 'role').map((r) => ({ RoleName: r.name, RoleId: r.id })),
    };
    return page.isTruncated ? { ...out, IsTruncated: true, Marker: page.marker } : { ...out, IsTruncated: false };
  },
};

export const ATTACHMENT_ACTIONS: readonly QueryAction[] = [...OWNERS.flatMap((o) => [attach(o), detach(o), listAttached(o)]), listEntitiesForPolicy];
