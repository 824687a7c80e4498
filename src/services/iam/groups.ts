import { newId } from '../../ids.js';
import type { QueryAction } from '../action.js';
import { RULES, checkPath, entityArn, iamCaller, nameOrder, pageMembers, paginate, readMarker, readMaxItems, readPath, stored } from './common.js';
import { LIMITS } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';
import { groupShape, userShape } from './shapes.js';

export const createGroup: QueryAction = {
  name: 'CreateGroup',
  async run(input, ctx) {
    const name = input.string('GroupName', RULES.groupName);
    const rawPath = readPath(input);
    input.done();
    const path = checkPath(rawPath);
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:CreateGroup', resource: entityArn(who, 'group', path, name) });
    const group = await stored(() => ctx.store.createGroup({ accountId: who.accountId, maxPerAccount: LIMITS.groupsPerAccount, id: newId('AGPA'), name, path, createdAt: ctx.clock.now() }));
    return { Group: groupShape(group) };
  },
};

export const getGroup: QueryAction = {
  name: 'GetGroup',
  async run(input, ctx) {
    const name = input.string('GroupName', RULES.groupName);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'group', name);
    await authorizeOn(ctx, 'iam:GetGroup', target);
    const { group, users } = await stored(() => ctx.store.listGroupMembers(who.accountId, name));
    const page = paginate(users, (u) => nameOrder(u.name), marker, maxItems);
    return { Group: groupShape(group), ...pageMembers('Users', { ...page, items: page.items.map((u) => userShape(u)) }) };
  },
};

export const listGroups: QueryAction = {
  name: 'ListGroups',
  async run(input, ctx) {
    const prefix = input.string('PathPrefix', RULES.pathPrefix);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:ListGroups', resource: '*' });
    const groups = await ctx.store.listGroups(who.accountId, prefix);
    const page = paginate(groups, (g) => nameOrder(g.name), marker, maxItems);
    return pageMembers('Groups', { ...page, items: page.items.map(groupShape) });
  },
};

export const listGroupsForUser: QueryAction = {
  name: 'ListGroupsForUser',
  async run(input, ctx) {
    const userName = input.string('UserName', RULES.existingUserName);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'user', userName);
    await authorizeOn(ctx, 'iam:ListGroupsForUser', target);
    const groups = await stored(() => ctx.store.listGroupsForUser(who.accountId, userName));
    const page = paginate(groups, (g) => nameOrder(g.name), marker, maxItems);
    return pageMembers('Groups', { ...page, items: page.items.map(groupShape) });
  },
};

export const addUserToGroup: QueryAction = {
  name: 'AddUserToGroup',
  async run(input, ctx) {
    const groupName = input.string('GroupName', RULES.groupName);
    const userName = input.string('UserName', RULES.existingUserName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'group', groupName);
    await authorizeOn(ctx, 'iam:AddUserToGroup', target);
    await stored(() => ctx.store.addUserToGroup(who.accountId, groupName, userName, LIMITS.groupsPerUser));
    return undefined;
  },
};

/** With both the user and the group missing AWS reports the user (recorded). */
export const removeUserFromGroup: QueryAction = {
  name: 'RemoveUserFromGroup',
  async run(input, ctx) {
    const groupName = input.string('GroupName', RULES.groupName);
    const userName = input.string('UserName', RULES.existingUserName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'group', groupName);
    await authorizeOn(ctx, 'iam:RemoveUserFromGroup', target);
    await stored(() => ctx.store.removeUserFromGroup(who.accountId, groupName, userName));
    return undefined;
  },
};

export const updateGroup: QueryAction = {
  name: 'UpdateGroup',
  async run(input, ctx) {
    const name = input.string('GroupName', RULES.groupName);
    const rawPath = readPath(input, 'NewPath');
    const newName = input.string('NewGroupName', { ...RULES.groupName, required: false });
    input.done();
    const newPath = rawPath === undefined ? undefined : checkPath(rawPath);
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'group', name);
    await authorizeOn(ctx, 'iam:UpdateGroup', target);
    const current = target.require();
    if (newName !== undefined || newPath !== undefined) {
      await ctx.authorize({ action: 'iam:UpdateGroup', resource: entityArn(who, 'group', newPath ?? current.path, newName ?? current.name) });
    }
    await stored(() =>
      ctx.store.updateGroup(who.accountId, name, { ...(newName !== undefined ? { newName } : {}), ...(newPath !== undefined ? { newPath } : {}) }),
    );
    return undefined;
  },
};

export const deleteGroup: QueryAction = {
  name: 'DeleteGroup',
  async run(input, ctx) {
    const name = input.string('GroupName', RULES.groupName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'group', name);
    await authorizeOn(ctx, 'iam:DeleteGroup', target);
    await stored(() => ctx.store.deleteGroup(who.accountId, name));
    return undefined;
  },
};

export const GROUP_ACTIONS: readonly QueryAction[] = [createGroup, getGroup, listGroups, listGroupsForUser, addUserToGroup, removeUserFromGroup, updateGroup, deleteGroup];
