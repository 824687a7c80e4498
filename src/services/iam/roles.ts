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
import { LIMITS, checkTrustPolicy, resolveBoundaryArn } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';
import { roleShape } from './shapes.js';

const MAX_SESSION_DURATION = { min: 3600, max: 43200 } as const;

/**
 * Everything is validated before the one store write, so a bad trust policy, boundary or tag
 * set leaves no role behind (DESIGN.md: nothing half-done).
 */
export const createRole: QueryAction = {
  name: 'CreateRole',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    const document = input.string('AssumeRolePolicyDocument', RULES.policyDocument);
    const rawPath = readPath(input);
    const description = input.string('Description', RULES.roleDescription);
    const maxSessionDuration = input.integer('MaxSessionDuration', MAX_SESSION_DURATION);
    const boundaryArn = input.string('PermissionsBoundary', { min: 20, max: 2048 });
    const tags = readTags(input);
    input.done();
    const path = checkPath(rawPath);
    const who = iamCaller(ctx);
    await ctx.authorize({
      action: 'iam:CreateRole',
      resource: entityArn(who, 'role', path, name),
      context: { ...requestTagContext(tags), ...(boundaryArn !== undefined ? { 'iam:PermissionsBoundary': boundaryArn } : {}) },
    });
    checkTagSemantics(tags, true);
    const trustPrincipalIds = await checkTrustPolicy(document, who, ctx.store);
    const boundary = boundaryArn === undefined ? undefined : resolveBoundaryArn(boundaryArn, who);
    const role = await stored(() =>
      ctx.store.createRole({
        accountId: who.accountId,
        maxPerAccount: LIMITS.rolesPerAccount,
        id: newId('AROA'),
        name,
        path,
        createdAt: ctx.clock.now(),
        assumeRolePolicyDocument: document,
        trustPrincipalIds,
        ...(description !== undefined ? { description } : {}),
        maxSessionDuration: maxSessionDuration ?? 3600,
        ...(boundary ? { permissionsBoundary: boundary } : {}),
        tags: tags ?? [],
      }),
    );
    return { Role: roleShape(role, 'create') };
  },
};

export const getRole: QueryAction = {
  name: 'GetRole',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'role', name);
    await authorizeOn(ctx, 'iam:GetRole', target);
    return { Role: roleShape(target.require(), 'get') };
  },
};

export const listRoles: QueryAction = {
  name: 'ListRoles',
  async run(input, ctx) {
    const prefix = input.string('PathPrefix', RULES.pathPrefix);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:ListRoles', resource: '*' });
    const roles = await ctx.store.listRoles(who.accountId, prefix);
    const page = paginate(roles, (r) => nameOrder(r.name), marker, maxItems);
    return pageMembers('Roles', { ...page, items: page.items.map((r) => roleShape(r, 'list')) });
  },
};

/** Omitted members stay unchanged; the result is empty (recorded). */
export const updateRole: QueryAction = {
  name: 'UpdateRole',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    const description = input.string('Description', RULES.roleDescription);
    const maxSessionDuration = input.integer('MaxSessionDuration', MAX_SESSION_DURATION);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'role', name);
    await authorizeOn(ctx, 'iam:UpdateRole', target, target.boundaryContext);
    await stored(() =>
      ctx.store.updateRole(who.accountId, name, {
        ...(description !== undefined ? { description } : {}),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
      }),
    );
    return {};
  },
};

export const updateRoleDescription: QueryAction = {
  name: 'UpdateRoleDescription',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    const description = input.string('Description', { ...RULES.roleDescription, required: true });
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'role', name);
    await authorizeOn(ctx, 'iam:UpdateRoleDescription', target);
    const role = await stored(() => ctx.store.updateRole(who.accountId, name, { description }));
    return { Role: roleShape(role, 'description') };
  },
};

export const updateAssumeRolePolicy: QueryAction = {
  name: 'UpdateAssumeRolePolicy',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    const document = input.string('PolicyDocument', RULES.policyDocument);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'role', name);
    await authorizeOn(ctx, 'iam:UpdateAssumeRolePolicy', target, target.boundaryContext);
    target.require();
    const trustPrincipalIds = await checkTrustPolicy(document, who, ctx.store);
    await stored(() => ctx.store.updateAssumeRolePolicy(who.accountId, name, document, trustPrincipalIds));
    return undefined;
  },
};

export const deleteRole: QueryAction = {
  name: 'DeleteRole',
  async run(input, ctx) {
    const name = input.string('RoleName', RULES.roleName);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'role', name);
    await authorizeOn(ctx, 'iam:DeleteRole', target);
    await stored(() => ctx.store.deleteRole(who.accountId, name));
    return undefined;
  },
};

export const ROLE_ACTIONS: readonly QueryAction[] = [
  createRole,
  getRole,
  listRoles,
  updateRole,
  updateRoleDescription,
  updateAssumeRolePolicy,
  deleteRole,
];
