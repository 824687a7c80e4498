import { AwsError } from '../../protocol/errors.js';
import type { JsonAction, JsonValue } from '../action.js';
import { accountArn, accountShape, invalidInput, managementOnly, stringMember } from './shared.js';

export const describeAccount: JsonAction = {
  name: 'DescribeAccount',
  async run(input, ctx) {
    const org = await managementOnly(ctx);
    const accountId = stringMember(input, 'AccountId');
    if (accountId === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for AccountId.');
    if (!/^\d{12}$/.test(accountId)) throw invalidInput('INVALID_INPUT', 'The provided AccountId is invalid.');
    await ctx.authorize({ action: 'organizations:DescribeAccount', resource: accountArn(org, accountId) });
    const account = await ctx.store.getAccount(accountId);
    if (!account) throw new AwsError('AccountNotFoundException', "You specified an account that doesn't exist.");
    return { Account: accountShape(org, account) };
  },
};

/** MaxResults 1–20 with an opaque NextToken (query-protocol.md §4). */
export const listAccounts: JsonAction = {
  name: 'ListAccounts',
  async run(input, ctx) {
    const org = await managementOnly(ctx);
    const max = maxResults(input.MaxResults, 20);
    const token = stringMember(input, 'NextToken');
    await ctx.authorize({ action: 'organizations:ListAccounts', resource: '*' });
    const accounts = [...(await ctx.store.listAccounts())].sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || a.id.localeCompare(b.id));
    const start = token === undefined ? 0 : decodeToken(token, accounts.length);
    const page = accounts.slice(start, start + max);
    const next = start + max < accounts.length ? Buffer.from(`accounts:${start + max}`).toString('base64') : undefined;
    return { Accounts: page.map((a) => accountShape(org, a)), ...(next ? { NextToken: next } : {}) };
  },
};

export function maxResults(value: JsonValue | undefined, limit: number): number {
  if (value === undefined || value === null) return limit;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > limit) {
    throw invalidInput('INVALID_INPUT', `MaxResults must be an integer between 1 and ${limit}.`);
  }
  return value;
}

function decodeToken(token: string, length: number): number {
  const match = /^accounts:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  const start = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(start) || start < 0 || start > length) throw invalidInput('INVALID_PAGINATION_TOKEN', 'The provided NextToken is invalid.');
  return start;
}
