import { newAccountId, newId, randomLowerAlnum } from '../../ids.js';
import { AwsError } from '../../protocol/errors.js';
import type { Store } from '../../store/store.js';
import type { CreateAccountStatusRecord } from '../../store/types.js';
import { awsManagedPolicyArn, awsManagedPolicies } from '../iam/aws-managed-policies.js';
import type { ActionContext, JsonAction, JsonObject } from '../action.js';
import { invalidInput, managementOnly, stringMember } from './shared.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ACCOUNT_NAME = /^[\u0020-\u007E]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const DEFAULT_ROLE = 'OrganizationAccountAccessRole';

/**
 * Asynchronous, as in AWS: the call answers IN_PROGRESS and the account is provisioned after
 * the response; DescribeCreateAccountStatus reports SUCCEEDED or FAILED.
 */
export const createAccount: JsonAction = {
  name: 'CreateAccount',
  async run(input, ctx) {
    const org = await managementOnly(ctx);
    const email = stringMember(input, 'Email');
    const accountName = stringMember(input, 'AccountName');
    const roleName = stringMember(input, 'RoleName') ?? DEFAULT_ROLE;
    if (email === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for Email.');
    if (accountName === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for AccountName.');
    if (email.length < 6 || email.length > 64 || !EMAIL.test(email)) throw invalidInput('INVALID_EMAIL_ADDRESS_TARGET', 'You provided an invalid email address.');
    if (accountName.length > 50 || !ACCOUNT_NAME.test(accountName)) throw invalidInput('INVALID_INPUT', 'The provided AccountName is invalid.');
    if (!ROLE_NAME.test(roleName)) throw invalidInput('INVALID_ROLE_NAME', 'You provided a role name that is not valid.');
    await ctx.authorize({ action: 'organizations:CreateAccount', resource: '*' });

    const status: CreateAccountStatusRecord = {
      id: `car-${randomLowerAlnum(32)}`,
      accountName,
      email,
      state: 'IN_PROGRESS',
      requestedAt: ctx.request.receivedAt,
    };
    await ctx.store.putCreateAccountStatus(status);
    const provisioning = provision(ctx, status, roleName, org.managementAccountId);
    // The response does not wait for provisioning; errors end in a FAILED status.
    provisioning.catch(() => undefined);
    return { CreateAccountStatus: statusShape(status) };
  },
};

export const describeCreateAccountStatus: JsonAction = {
  name: 'DescribeCreateAccountStatus',
  async run(input, ctx) {
    await managementOnly(ctx);
    const id = stringMember(input, 'CreateAccountRequestId');
    if (id === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for CreateAccountRequestId.');
    if (!/^car-[a-z0-9]{8,32}$/.test(id)) throw invalidInput('INVALID_INPUT', 'The provided CreateAccountRequestId is invalid.');
    await ctx.authorize({ action: 'organizations:DescribeCreateAccountStatus', resource: '*' });
    const status = await ctx.store.getCreateAccountStatus(id);
    if (!status) {
      throw new AwsError('CreateAccountStatusNotFoundException', "We can't find an create account request with the CreateAccountRequestId that you specified.");
    }
    return { CreateAccountStatus: statusShape(status) };
  },
};

function statusShape(status: CreateAccountStatusRecord): JsonObject {
  return {
    Id: status.id,
    AccountName: status.accountName,
    State: status.state,
    RequestedTimestamp: status.requestedAt.getTime() / 1000,
    ...(status.completedAt ? { CompletedTimestamp: status.completedAt.getTime() / 1000 } : {}),
    ...(status.accountId ? { AccountId: status.accountId } : {}),
    ...(status.failureReason ? { FailureReason: status.failureReason } : {}),
  };
}

async function provision(ctx: ActionContext, status: CreateAccountStatusRecord, roleName: string, managementAccountId: string): Promise<void> {
  const store = ctx.store;
  await new Promise((resolve) => setImmediate(resolve));
  const finish = (changes: Partial<CreateAccountStatusRecord>) =>
    store.putCreateAccountStatus({ ...status, ...changes, completedAt: ctx.clock.now() });
  try {
    const accounts = await store.listAccounts();
    if (accounts.some((a) => a.email.toLowerCase() === status.email.toLowerCase())) {
      await finish({ state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS' });
      return;
    }
    let accountId = newAccountId();
    while (accounts.some((a) => a.id === accountId)) accountId = newAccountId();
    await store.putAccount({ id: accountId, name: status.accountName, email: status.email, state: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: ctx.clock.now() });
    await createAccessRole(store, ctx.config.partition, accountId, roleName, managementAccountId, ctx.clock.now());
    await finish({ state: 'SUCCEEDED', accountId });
  } catch (error) {
    ctx.store
      .putCreateAccountStatus({ ...status, state: 'FAILED', failureReason: 'INTERNAL_FAILURE', completedAt: ctx.clock.now() })
      .catch(() => undefined);
    throw error;
  }
}

/**
 * The role AWS creates in a new member account: trusted by the management account, with
 * AdministratorAccess attached, so cross-account access works out of the box.
 */
async function createAccessRole(store: Store, partition: string, accountId: string, roleName: string, managementAccountId: string, now: Date): Promise<void> {
  const managementRoot = `arn:${partition}:iam::${managementAccountId}:root`;
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: managementRoot }, Action: 'sts:AssumeRole' }],
  });
  await store.createRole({
    accountId,
    id: newId('AROA'),
    name: roleName,
    path: '/',
    createdAt: now,
    assumeRolePolicyDocument: trust,
    trustPrincipalIds: {},
    maxSessionDuration: 3600,
    tags: [],
  });
  const admin = awsManagedPolicies().find((p) => p.name === 'AdministratorAccess');
  if (!admin) throw new Error('AdministratorAccess must be in the AWS managed catalogue');
  await store.attachPolicy(accountId, { kind: 'role', name: roleName }, { arn: awsManagedPolicyArn(partition, admin), awsManaged: true }, 20);
}
