import { AwsError } from '../../protocol/errors.js';
import { rootArn } from '../../auth/principal.js';
import { newId } from '../../ids.js';
import type { QueryAction } from '../action.js';
import {
  RULES,
  checkPath,
  checkTagSemantics,
  entityArn,
  iamCaller,
  nameOrder,
  pageMembers,
  paginate,
  readMarker,
  readMaxItems,
  readPath,
  readTags,
  requestTagContext,
  stored,
} from './common.js';
import { LIMITS, resolveBoundaryArn } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';
import { userShape } from './shapes.js';

const NON_USER = 'Must specify userName when calling with non-User credentials';
const OPTIONAL_USER = { ...RULES.existingUserName, required: false } as const;

export const createUser: QueryAction = {
  name: 'CreateUser',
  async run(input, ctx) {
    const name = input.string('UserName', RULES.userName);
    const rawPath = readPath(input);
    const boundaryArn = input.string('PermissionsBoundary', { min: 20, max: 2048 });
    const tags = readTags(input);
    input.done();
    const path = checkPath(rawPath);
    const who = iamCaller(ctx);
    await ctx.authorize({
      action: 'iam:CreateUser',
      resource: entityArn(who, 'user', path, name),
      context: { ...requestTagContext(tags), ...(boundaryArn !== undefined ? { 'iam:PermissionsBoundary': boundaryArn } : {}) },
    });
    checkTagSemantics(tags, true);
    const boundary = boundaryArn === undefined ? undefined : resolveBoundaryArn(boundaryArn, who);
    const user = await stored(() =>
      ctx.store.createUser({
        accountId: who.accountId,
        maxPerAccount: LIMITS.usersPerAccount,
        id: newId('AIDA'),
        name,
        path,
        createdAt: ctx.clock.now(),
        ...(boundary ? { permissionsBoundary: boundary } : {}),
        tags: tags ?? [],
      }),
    );
    return { User: userShape(user, { tags: 'nonEmpty', boundary: true }) };
  },
};

/** Without UserName: the signing IAM user, or the root user's own shape (query-protocol.md §6.1). */
export const getUser: QueryAction = {
  name: 'GetUser',
  async run(input, ctx) {
    const requested = input.string('UserName', OPTIONAL_USER);
    input.done();
    const who = iamCaller(ctx);
    let name = requested;
    if (name === undefined) {
      if (who.caller.type === 'Root') {
        const arn = rootArn(who.partition, who.accountId);
        await ctx.authorize({ action: 'iam:GetUser', resource: arn });
        const account = await ctx.store.getAccount(who.accountId);
        return { User: { UserId: who.accountId, Arn: arn, CreateDate: account?.joinedAt ?? ctx.clock.now() } };
      }
      if (who.caller.type !== 'IAMUser' || who.caller.userName === undefined) throw new AwsError('ValidationError', NON_USER);
      name = who.caller.userName;
    }
    const target = await lookupEntity(ctx, who, 'user', name);
    await authorizeOn(ctx, 'iam:GetUser', target);
    return { User: userShape(target.require(), { tags: 'nonEmpty', boundary: true }) };
  },
};

export const listUsers: QueryAction = {
  name: 'ListUsers',
  async run(input, ctx) {
    const prefix = input.string('PathPrefix', RULES.pathPrefix);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:ListUsers', resource: '*' });
    const users = await ctx.store.listUsers(who.accountId, prefix);
    const page = paginate(users, (u) => nameOrder(u.name), marker, maxItems);
    return pageMembers('Users', { ...page, items: page.items.map((u) => userShape(u)) });
  },
};

/** A rename needs permission on the source and the target ARN (IAM API reference, UpdateUser). */
export const updateUser: QueryAction = {
  name: 'UpdateUser',
  async run(input, ctx) {
    const name = input.string('UserName', RULES.existingUserName);
    const rawPath = readPath(input, 'NewPath');
    const newName = input.string('NewUserName', { ...RULES.userName, required: false });
    input.done();
    const newPath = rawPath === undefined ? undefined : checkPath(rawPath);
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'user', name);
    await authorizeOn(ctx, 'iam:UpdateUser', target);
    const current = target.require();
    if (newName !== undefined || newPath !== undefined) {
      await ctx.authorize({ action: 'iam:UpdateUser', resource: entityArn(who, 'user', newPath ?? current.path, newName ?? current.name) });
    }
    await stored(() =>
      ctx.store.updateUser(who.accountId, name, { ...(newName !== undefined ? { newName } : {}), ...(newPath !== undefined ? { newPath } : {}) }),
    );
    return undefined;
  },
};

export const deleteUser: QueryAction = {
  name: 'DeleteUser',
  async run(input, ctx) {
    const name = input.string('UserName', RULES.existingUserName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'user', name);
    await authorizeOn(ctx, 'iam:DeleteUser', target);
    await stored(() => ctx.store.deleteUser(who.accountId, name));
    return undefined;
  },
};

export const USER_ACTIONS: readonly QueryAction[] = [createUser, getUser, listUsers, updateUser, deleteUser];
