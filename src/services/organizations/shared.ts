import type { Caller } from '../../auth/principal.js';
import { AwsError } from '../../protocol/errors.js';
import type { AccountRecord, OrganizationRecord } from '../../store/types.js';
import type { ActionContext, JsonObject, JsonValue } from '../action.js';

/** The organization, for a caller whose account belongs to it. */
export async function organizationOf(ctx: ActionContext): Promise<{ org: OrganizationRecord; caller: Caller }> {
  const caller = ctx.requireCaller();
  const org = await ctx.store.getOrganization();
  const account = await ctx.store.getAccount(caller.accountId);
  if (!org || !account) {
    throw new AwsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  return { org, caller };
}

/** Actions only the management account may call. */
export async function managementOnly(ctx: ActionContext): Promise<OrganizationRecord> {
  const { org, caller } = await organizationOf(ctx);
  if (caller.accountId !== org.managementAccountId) {
    throw new AwsError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}

export function accountArn(org: OrganizationRecord, accountId: string): string {
  return `arn:${org.arn.split(':')[1]}:organizations::${org.managementAccountId}:account/${org.id}/${accountId}`;
}

/** Account.Status is being retired for Account.State; both are returned (query-protocol.md §4). */
export function accountShape(org: OrganizationRecord, account: AccountRecord): JsonObject {
  return {
    Id: account.id,
    Arn: accountArn(org, account.id),
    Email: account.email,
    Name: account.name,
    Status: legacyStatus(account.state),
    State: account.state,
    JoinedMethod: account.joinedMethod,
    JoinedTimestamp: account.joinedAt.getTime() / 1000,
  };
}

function legacyStatus(state: AccountRecord['state']): string {
  switch (state) {
    case 'ACTIVE':
    case 'PENDING_ACTIVATION':
      return 'ACTIVE';
    case 'PENDING_CLOSURE':
      return 'PENDING_CLOSURE';
    case 'SUSPENDED':
    case 'CLOSED':
      return 'SUSPENDED';
  }
}

export function invalidInput(reason: string, message: string): AwsError {
  return new AwsError('InvalidInputException', message, { extra: { Reason: reason } });
}

export function constraintViolation(reason: string, message: string): AwsError {
  return new AwsError('ConstraintViolationException', message, { extra: { Reason: reason } });
}

/** A string member of a JSON input, with the InvalidInputException Organizations gives for a wrong type. */
export function stringMember(input: JsonObject, name: string): string | undefined {
  const value: JsonValue | undefined = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('SerializationException', `STRING_VALUE can not be converted to a ${name}`);
  return value;
}
