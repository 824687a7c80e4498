import type { QueryAction } from '../action.js';

/** Needs no permission; an explicit Deny is ignored (sts-api.md §8.1). */
export const getCallerIdentity: QueryAction = {
  name: 'GetCallerIdentity',
  async run(input, ctx) {
    input.done();
    const caller = ctx.requireCaller();
    return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
  },
};
