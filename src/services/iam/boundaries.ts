import type { StringRule } from '../../protocol/query.js';
import type { QueryAction } from '../action.js';
import { RULES, iamCaller, stored } from './common.js';
import { resolveBoundaryArn } from './documents.js';
import { authorizeOn, lookupEntity } from './entities.js';

/** Put/Delete{User,Role}PermissionsBoundary: the same steps for both kinds of principal. */
function boundaryActions(kind: 'user' | 'role', entity: 'User' | 'Role', nameRule: StringRule & { required: true }): readonly QueryAction[] {
  const put: QueryAction = {
    name: `Put${entity}PermissionsBoundary`,
    async run(input, ctx) {
      const name = input.string(`${entity}Name`, nameRule);
      const boundaryArn = input.string('PermissionsBoundary', RULES.arn);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, kind, name);
      await authorizeOn(ctx, `iam:Put${entity}PermissionsBoundary`, target, { 'iam:PermissionsBoundary': boundaryArn });
      const boundary = resolveBoundaryArn(boundaryArn, who);
      await stored(() => ctx.store.putPermissionsBoundary(who.accountId, { kind, name }, boundary));
      return undefined;
    },
  };
  const remove: QueryAction = {
    name: `Delete${entity}PermissionsBoundary`,
    async run(input, ctx) {
      const name = input.string(`${entity}Name`, nameRule);
      input.done();
      const who = iamCaller(ctx);
      const target = await lookupEntity(ctx, who, kind, name);
      await authorizeOn(ctx, `iam:Delete${entity}PermissionsBoundary`, target, target.boundaryContext);
      await stored(() => ctx.store.deletePermissionsBoundary(who.accountId, { kind, name }));
      return undefined;
    },
  };
  return [put, remove];
}

export const BOUNDARY_ACTIONS: readonly QueryAction[] = [...boundaryActions('user', 'User', RULES.userName), ...boundaryActions('role', 'Role', RULES.roleName)];
