import { AwsError } from '../../protocol/errors.js';
import { rootArn } from '../../auth/principal.js';
import { newAccessKeyId, newSecretAccessKey } from '../../ids.js';
import type { AccessKeyOwner } from '../../store/types.js';
import type { ActionContext, QueryAction } from '../action.js';
import { RULES, iamCaller, implicitUser, pageMembers, paginate, readEnum, readMarker, readMaxItems, stored, type IamCaller } from './common.js';
import { LIMITS } from './documents.js';
import { lookupEntity } from './entities.js';

const OPTIONAL_USER = { ...RULES.existingUserName, required: false } as const;
const NON_USER = 'Must specify userName when calling with non-User credentials';

interface KeyOwner {
  readonly owner: AccessKeyOwner;
  /** The ARN the action is authorized on: the user, or the account root. */
  readonly arn: string;
  readonly context: Record<string, string | readonly string[]>;
}

/**
 * The owner of the keys an action manages: the named user, else the signing user or the root.
 * Temporary credentials must name the user (query-protocol.md §6.1, ListAccessKeys).
 */
async function keyOwner(ctx: ActionContext, who: IamCaller, userName: string | undefined): Promise<KeyOwner> {
  if (userName === undefined) {
    if (who.caller.type === 'IAMUser' && who.caller.session !== undefined) throw new AwsError('ValidationError', NON_USER);
    const implicit = implicitUser(who.caller);
    if (implicit.kind === 'root') return { owner: implicit, arn: rootArn(who.partition, who.accountId), context: {} };
    userName = implicit.name;
  }
  const target = await lookupEntity(ctx, who, 'user', userName);
  return { owner: { kind: 'user', name: userName }, arn: target.arn, context: target.context };
}

export const createAccessKey: QueryAction = {
  name: 'CreateAccessKey',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    input.done();
    const who = iamCaller(ctx);
    const owner = await keyOwner(ctx, who, userName);
    await ctx.authorize({ action: 'iam:CreateAccessKey', resource: owner.arn, context: owner.context });
    const accessKeyId = newAccessKeyId('AKIA', who.accountId);
    const secret = newSecretAccessKey();
    const key = await stored(() =>
      ctx.store.createAccessKey(
        who.accountId,
        owner.owner,
        { accessKeyId, secretCiphertext: ctx.secrets.seal(secret, `access-key:${accessKeyId}`), createdAt: ctx.clock.now() },
        LIMITS.accessKeysPerUser,
      ),
    );
    const user = key.userId ? await ctx.store.getUserById(key.userId) : undefined;
    return {
      AccessKey: { UserName: user?.name, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: secret, CreateDate: key.createdAt },
    };
  },
};

export const listAccessKeys: QueryAction = {
  name: 'ListAccessKeys',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const owner = await keyOwner(ctx, who, userName);
    await ctx.authorize({ action: 'iam:ListAccessKeys', resource: owner.arn, context: owner.context });
    const listed = await stored(() => ctx.store.listAccessKeys(who.accountId, owner.owner));
    const page = paginate(listed.keys, (k) => `${k.createdAt.toISOString()}\u0000${k.accessKeyId}`, marker, maxItems);
    return pageMembers('AccessKeyMetadata', {
      ...page,
      items: page.items.map((k) => ({ UserName: listed.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt })),
    });
  },
};

export const updateAccessKey: QueryAction = {
  name: 'UpdateAccessKey',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    const accessKeyId = input.string('AccessKeyId', RULES.accessKeyId);
    const status = readEnum(input, 'Status', ['Active', 'Inactive'] as const, true);
    input.done();
    const who = iamCaller(ctx);
    const owner = await keyOwner(ctx, who, userName);
    await ctx.authorize({ action: 'iam:UpdateAccessKey', resource: owner.arn, context: owner.context });
    await stored(() => ctx.store.updateAccessKeyStatus(who.accountId, owner.owner, accessKeyId, status!));
    return undefined;
  },
};

export const deleteAccessKey: QueryAction = {
  name: 'DeleteAccessKey',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    const accessKeyId = input.string('AccessKeyId', RULES.accessKeyId);
    input.done();
    const who = iamCaller(ctx);
    const owner = await keyOwner(ctx, who, userName);
    await ctx.authorize({ action: 'iam:DeleteAccessKey', resource: owner.arn, context: owner.context });
    await stored(() => ctx.store.deleteAccessKey(who.accountId, owner.owner, accessKeyId));
    return undefined;
  },
};

/**
 * A key outside the caller's account is AccessDenied with IAM's own wording (no colon after
 * "perform"; recorded). A key never used reports `N/A` for service and region.
 */
export const getAccessKeyLastUsed: QueryAction = {
  name: 'GetAccessKeyLastUsed',
  async run(input, ctx) {
    const accessKeyId = input.string('AccessKeyId', RULES.accessKeyId);
    input.done();
    const who = iamCaller(ctx);
    const key = await ctx.store.getAccessKey(accessKeyId);
    if (!key || key.accountId !== who.accountId) {
      throw new AwsError('AccessDenied', `User: ${who.caller.arn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`);
    }
    const user = key.userId ? await ctx.store.getUserById(key.userId) : undefined;
    await ctx.authorize({ action: 'iam:GetAccessKeyLastUsed', resource: user ? user.arn : rootArn(who.partition, who.accountId) });
    return {
      UserName: user?.name,
      AccessKeyLastUsed: key.lastUsedAt
        ? { LastUsedDate: key.lastUsedAt, ServiceName: key.lastUsedService ?? 'N/A', Region: key.lastUsedRegion ?? 'N/A' }
        : { ServiceName: 'N/A', Region: 'N/A' },
    };
  },
};

export const ACCESS_KEY_ACTIONS: readonly QueryAction[] = [createAccessKey, listAccessKeys, updateAccessKey, deleteAccessKey, getAccessKeyLastUsed];
