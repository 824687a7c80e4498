import { AwsError } from '../../protocol/errors.js';
import type { XmlObject } from '../../protocol/xml.js';
import { newId } from '../../ids.js';
import type { ManagedPolicyRecord } from '../../store/types.js';
import type { ActionContext, QueryAction } from '../action.js';
import { awsManagedPolicies, awsManagedPolicyArn } from './aws-managed-policies.js';
import {
  RULES,
  checkPath,
  checkTagSemantics,
  entityArn,
  iamCaller,
  nameOrder,
  pageMembers,
  paginate,
  readEnum,
  readMarker,
  readMaxItems,
  readTags,
  requestTagContext,
  resourceTagContext,
  stored,
  type IamCaller,
} from './common.js';
import { LIMITS, checkIdentityPolicy, policySize, resolvePolicyArn, type ResolvedPolicyArn } from './documents.js';
import { awsPolicyShape, awsVersion, policyShape, versionShape } from './shapes.js';

const VERSION_ID = RULES.versionId;

/** Managed policy documents are limited to 6,144 non-whitespace characters (§5.1). */
function checkManagedDocument(document: string): void {
  if (policySize(document) > LIMITS.managedPolicySize) throw new AwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${LIMITS.managedPolicySize}`);
  checkIdentityPolicy(document, true);
}

/**
 * Policy actions are authorized with the caller's account as resource account: an AWS managed
 * policy ARN carries the account field `aws`, which must not make the request cross-account.
 */
export interface PolicyTarget {
  readonly resolved: ResolvedPolicyArn;
  readonly record: ManagedPolicyRecord | undefined;
  readonly context: Record<string, string | readonly string[]>;
}

/** A PolicyArn member with the customer policy it names (if any) and its resource tags. */
export async function lookupPolicy(ctx: ActionContext, who: IamCaller, arn: string): Promise<PolicyTarget> {
  const resolved = resolvePolicyArn(arn, who);
  const record = resolved.kind === 'customer' ? await ctx.store.getPolicy(resolved.arn) : undefined;
  return { resolved, record, context: resourceTagContext(record?.tags, false) };
}

function notFound(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} was not found.`);
}

function versionNotFound(arn: string, versionId: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

export const createPolicy: QueryAction = {
  name: 'CreatePolicy',
  async run(input, ctx) {
    const name = input.string('PolicyName', RULES.policyName);
    const rawPath = input.string('Path', { min: 1, max: 512 });
    const document = input.string('PolicyDocument', RULES.policyDocument);
    const description = input.string('Description', RULES.policyDescription);
    const tags = readTags(input);
    input.done();
    const path = checkPath(rawPath, true);
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:CreatePolicy', resource: entityArn(who, 'policy', path, name), context: requestTagContext(tags) });
    checkTagSemantics(tags, false);
    checkManagedDocument(document);
    const policy = await stored(() =>
      ctx.store.createPolicy({
        accountId: who.accountId,
        maxPerAccount: LIMITS.policiesPerAccount,
        id: newId('ANPA'),
        name,
        path,
        ...(description !== undefined ? { description } : {}),
        document,
        createdAt: ctx.clock.now(),
        tags: tags ?? [],
      }),
    );
    // CreatePolicy omits Description even when given, and Tags unless given (recorded).
    return { Policy: policyShape(policy, { description: false, tags: 'nonEmpty' }) };
  },
};

export const getPolicy: QueryAction = {
  name: 'GetPolicy',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:GetPolicy', resource: arn, context: target.context, resourceAccount: who.accountId });
    if (target.resolved.kind === 'aws') {
      const usage = await ctx.store.getPolicyUsage(who.accountId, [arn]);
      return { Policy: awsPolicyShape(target.resolved.policy, who.partition, usage.get(arn), { description: true, tags: 'always' }) };
    }
    if (!target.record) throw notFound(arn);
    return { Policy: policyShape(target.record, { description: true, tags: 'always' }) };
  },
};

/**
 * Scope All lists AWS managed policies before the account's own; OnlyAttached keeps those in
 * use (as permissions policy or boundary, per PolicyUsageFilter).
 */
export const listPolicies: QueryAction = {
  name: 'ListPolicies',
  async run(input, ctx) {
    const scope = readEnum(input, 'Scope', ['All', 'AWS', 'Local'] as const) ?? 'All';
    const onlyAttached = input.boolean('OnlyAttached') ?? false;
    const prefix = input.string('PathPrefix', RULES.policyPathPrefix);
    const usageFilter = readEnum(input, 'PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:ListPolicies', resource: '*' });
    const inUse = (usage: { attachmentCount: number; permissionsBoundaryUsageCount: number }) =>
      usageFilter === 'PermissionsPolicy'
        ? usage.attachmentCount > 0
        : usageFilter === 'PermissionsBoundary'
          ? usage.permissionsBoundaryUsageCount > 0
          : usage.attachmentCount > 0 || usage.permissionsBoundaryUsageCount > 0;
    const entries: Array<{ key: string; shape: XmlObject }> = [];
    if (scope !== 'Local') {
      const catalog = awsManagedPolicies().filter((p) => prefix === undefined || p.path.startsWith(prefix));
      const usage = await ctx.store.getPolicyUsage(
        who.accountId,
        catalog.map((p) => awsManagedPolicyArn(who.partition, p)),
      );
      for (const policy of catalog) {
        const counts = usage.get(awsManagedPolicyArn(who.partition, policy)) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
        if (onlyAttached && !inUse(counts)) continue;
        entries.push({ key: `a\u0000${nameOrder(policy.name)}`, shape: awsPolicyShape(policy, who.partition, counts, { description: false, tags: 'never' }) });
      }
    }
    if (scope !== 'AWS') {
      for (const policy of await ctx.store.listPolicies(who.accountId, prefix)) {
        if (onlyAttached && !inUse(policy)) continue;
        entries.push({ key: `l\u0000${nameOrder(policy.name)}`, shape: policyShape(policy, { description: false, tags: 'never' }) });
      }
    }
    const page = paginate(entries, (e) => e.key, marker, maxItems);
    return pageMembers('Policies', { ...page, items: page.items.map((e) => e.shape) });
  },
};

/** AWS managed policies cannot be changed: AccessDenied with AWS's texts (recorded). */
function refuseAwsManaged(target: PolicyTarget, message: string): void {
  if (target.resolved.kind === 'aws' || (target.resolved.kind === 'unknown' && /^arn:[^:]+:iam::aws:/.test(target.resolved.arn))) {
    throw new AwsError('AccessDenied', message);
  }
}

export const deletePolicy: QueryAction = {
  name: 'DeletePolicy',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:DeletePolicy', resource: arn, context: target.context, resourceAccount: who.accountId });
    refuseAwsManaged(target, 'Cannot delete policies outside your own account.');
    if (target.resolved.kind !== 'customer') throw notFound(arn);
    await stored(() => ctx.store.deletePolicy(arn));
    return undefined;
  },
};

export const createPolicyVersion: QueryAction = {
  name: 'CreatePolicyVersion',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const document = input.string('PolicyDocument', RULES.policyDocument);
    const setAsDefault = input.boolean('SetAsDefault') ?? false;
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:CreatePolicyVersion', resource: arn, context: target.context, resourceAccount: who.accountId });
    // Not recorded for CreatePolicyVersion; worded like the recorded DeletePolicyVersion refusal.
    refuseAwsManaged(target, 'Cannot create policy versions for policies outside your own account.');
    if (target.resolved.kind !== 'customer') throw notFound(arn);
    checkManagedDocument(document);
    const version = await stored(() => ctx.store.createPolicyVersion(arn, document, setAsDefault, ctx.clock.now(), LIMITS.policyVersions));
    return { PolicyVersion: versionShape(version, false) };
  },
};

export const getPolicyVersion: QueryAction = {
  name: 'GetPolicyVersion',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const versionId = input.string('VersionId', VERSION_ID);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:GetPolicyVersion', resource: arn, context: target.context, resourceAccount: who.accountId });
    if (target.resolved.kind === 'aws') {
      if (versionId !== target.resolved.policy.defaultVersionId) throw versionNotFound(arn, versionId);
      return { PolicyVersion: versionShape(awsVersion(target.resolved.policy), true) };
    }
    const version = target.resolved.kind === 'customer' ? await ctx.store.getPolicyVersion(arn, versionId) : undefined;
    if (!version) throw versionNotFound(arn, versionId);
    return { PolicyVersion: versionShape(version, true) };
  },
};

export const listPolicyVersions: QueryAction = {
  name: 'ListPolicyVersions',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:ListPolicyVersions', resource: arn, context: target.context, resourceAccount: who.accountId });
    const versions =
      target.resolved.kind === 'aws'
        ? [awsVersion(target.resolved.policy)]
        : target.resolved.kind === 'customer'
          ? await ctx.store.listPolicyVersions(arn)
          : undefined;
    if (!versions) throw notFound(arn);
    // Newest first (recorded); keys keep that order under string comparison.
    const keyed = versions.map((v, i) => ({ v, key: String(i).padStart(6, '0') }));
    const page = paginate(keyed, (e) => e.key, marker, maxItems);
    return pageMembers('Versions', { ...page, items: page.items.map((e) => versionShape(e.v, false)) });
  },
};

export const setDefaultPolicyVersion: QueryAction = {
  name: 'SetDefaultPolicyVersion',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const versionId = input.string('VersionId', VERSION_ID);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:SetDefaultPolicyVersion', resource: arn, context: target.context, resourceAccount: who.accountId });
    refuseAwsManaged(target, 'Cannot update policies outside your own account.');
    if (target.resolved.kind !== 'customer') throw versionNotFound(arn, versionId);
    await stored(() => ctx.store.setDefaultPolicyVersion(arn, versionId, ctx.clock.now()));
    return undefined;
  },
};

export const deletePolicyVersion: QueryAction = {
  name: 'DeletePolicyVersion',
  async run(input, ctx) {
    const arn = input.string('PolicyArn', RULES.arn);
    const versionId = input.string('VersionId', VERSION_ID);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupPolicy(ctx, who, arn);
    await ctx.authorize({ action: 'iam:DeletePolicyVersion', resource: arn, context: target.context, resourceAccount: who.accountId });
    refuseAwsManaged(target, 'Cannot delete policy versions for policies outside your own account.');
    if (target.resolved.kind !== 'customer') throw versionNotFound(arn, versionId);
    await stored(() => ctx.store.deletePolicyVersion(arn, versionId));
    return undefined;
  },
};

export const MANAGED_POLICY_ACTIONS: readonly QueryAction[] = [
  createPolicy,
  getPolicy,
  listPolicies,
  deletePolicy,
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  setDefaultPolicyVersion,
  deletePolicyVersion,
];
