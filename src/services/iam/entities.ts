import type { ContextValue, ActionContext } from '../action.js';
import type { GroupRecord, PrincipalKind, RoleRecord, UserRecord } from '../../store/types.js';
import { entityArn, noSuchEntity, resourceTagContext, type IamCaller } from './common.js';

export type EntityRecord<K extends PrincipalKind> = K extends 'user' ? UserRecord : K extends 'group' ? GroupRecord : RoleRecord;

/**
 * An IAM user, group or role named in a request, looked up before authorization: the resource
 * ARN AWS authorizes carries the entity's path, and its tags become aws:ResourceTag/* (and
 * iam:ResourceTag/*). A missing entity is authorized under its path-less ARN and reported as
 * NoSuchEntity only afterwards, so callers without permission learn nothing.
 */
export interface EntityTarget<K extends PrincipalKind> {
  readonly kind: K;
  readonly name: string;
  readonly record: EntityRecord<K> | undefined;
  readonly arn: string;
  /** aws:ResourceTag/* and iam:ResourceTag/* of an existing user or role. */
  readonly context: Record<string, ContextValue>;
  /** iam:PermissionsBoundary of an existing user or role, for the actions that document it. */
  readonly boundaryContext: Record<string, ContextValue>;
  /** The record, or NoSuchEntity. */
  require(): EntityRecord<K>;
}

export async function lookupEntity<K extends PrincipalKind>(ctx: ActionContext, who: IamCaller, kind: K, name: string): Promise<EntityTarget<K>> {
  const record = (
    kind === 'user' ? await ctx.store.getUser(who.accountId, name) : kind === 'group' ? await ctx.store.getGroup(who.accountId, name) : await ctx.store.getRole(who.accountId, name)
  ) as EntityRecord<K> | undefined;
  const context: Record<string, ContextValue> = {};
  const boundaryContext: Record<string, ContextValue> = {};
  if (record && 'tags' in record) Object.assign(context, resourceTagContext(record.tags, true));
  if (record && 'permissionsBoundaryArn' in record && record.permissionsBoundaryArn !== undefined) boundaryContext['iam:PermissionsBoundary'] = record.permissionsBoundaryArn;
  return {
    kind,
    name,
    record,
    arn: record ? record.arn : entityArn(who, kind, '/', name),
    context,
    boundaryContext,
    require() {
      if (!record) throw noSuchEntity(kind, name);
      return record;
    },
  };
}

/** Authorizes `action` on the entity, with its resource context plus `extra`. */
export async function authorizeOn(ctx: ActionContext, action: string, target: EntityTarget<PrincipalKind>, extra: Record<string, ContextValue> = {}): Promise<void> {
  await ctx.authorize({ action, resource: target.arn, context: { ...target.context, ...extra } });
}
