import type { StringRule } from '../../protocol/query.js';
import type { PrincipalKind } from '../../store/types.js';
import type { QueryAction } from '../action.js';
import { RULES, iamCaller, pageMembers, paginate, readMarker, readMaxItems, stored } from './common.js';
import { LIMITS, checkIdentityPolicy, encodeDocument, policySize } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';

interface OwnerKind {
  readonly kind: PrincipalKind;
  /** `User`, `Group`, `Role`: action and member names are built from it. */
  readonly noun: 'User' | 'Group' | 'Role';
  readonly nameRule: StringRule & { required: true };
  readonly maxAggregate: number;
  /** Put*Policy documents iam:PermissionsBoundary for users and roles. */
  readonly boundaryKey: boolean;
}

const OWNERS: readonly OwnerKind[] = [
  { kind: 'user', noun: 'User', nameRule: RULES.existingUserName, maxAggregate: LIMITS.userInlineAggregate, boundaryKey: true },
  { kind: 'group', noun: 'Group', nameRule: RULES.groupName, maxAggregate: LIMITS.groupInlineAggregate, boundaryKey: false },
  { kind: 'role', noun: 'Role', nameRule: RULES.roleName, maxAggregate: LIMITS.roleInlineAggregate, boundaryKey: true },
];

function putPolicy(owner: OwnerKind): QueryAction {
  return {
    name: `Put${owner.noun}Policy`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const policyName = input.string('PolicyName', RULES.policyName);
      const document = input.string('PolicyDocument', RULES.policyDocument);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:Put${owner.noun}Policy`, target, owner.boundaryKey ? target.boundaryContext : {});
      checkIdentityPolicy(document, false);
      // The aggregate size of the owner's inline documents is checked in the store's transaction.
      await stored(() => ctx.store.putInlinePolicy(who.accountId, { kind: owner.kind, name: entityName }, policyName, document, policySize(document), owner.maxAggregate));
      return undefined;
    },
  };
}

function getPolicy(owner: OwnerKind): QueryAction {
  return {
    name: `Get${owner.noun}Policy`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const policyName = input.string('PolicyName', RULES.policyName);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:Get${owner.noun}Policy`, target);
      const { ownerName, policy } = await stored(() => ctx.store.getInlinePolicy(who.accountId, { kind: owner.kind, name: entityName }, policyName));
      return { [`${owner.noun}Name`]: ownerName, PolicyName: policy.name, PolicyDocument: encodeDocument(policy.document) };
    },
  };
}

function listPolicies(owner: OwnerKind): QueryAction {
  return {
    name: `List${owner.noun}Policies`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const marker = readMarker(input);
      const maxItems = readMaxItems(input);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:List${owner.noun}Policies`, target);
      const names = await stored(() => ctx.store.listInlinePolicies(who.accountId, { kind: owner.kind, name: entityName }));
      return pageMembers('PolicyNames', paginate(names, (n) => n, marker, maxItems));
    },
  };
}

function deletePolicy(owner: OwnerKind): QueryAction {
  return {
    name: `Delete${owner.noun}Policy`,
    async run(input, ctx) {
      const entityName = input.string(`${owner.noun}Name`, owner.nameRule);
      const policyName = input.string('PolicyName', RULES.policyName);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, owner.kind, entityName);
      await authorizeOn(ctx, `iam:Delete${owner.noun}Policy`, target, owner.boundaryKey ? target.boundaryContext : {});
      await stored(() => ctx.store.deleteInlinePolicy(who.accountId, { kind: owner.kind, name: entityName }, policyName));
      return undefined;
    },
  };
}

export const INLINE_POLICY_ACTIONS: readonly QueryAction[] = OWNERS.flatMap((owner) => [putPolicy(owner), getPolicy(owner), listPolicies(owner), deletePolicy(owner)]);
