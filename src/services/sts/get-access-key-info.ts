import { accountOfAccessKeyId } from '../../ids.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryAction } from '../action.js';

/** The account is read from the key ID itself, as AWS does; key state is not reported (sts-api.md §8.2). */
export const getAccessKeyInfo: QueryAction = {
  name: 'GetAccessKeyInfo',
  async run(input, ctx) {
    const accessKeyId = input.string('AccessKeyId', { required: true, min: 16, max: 128, pattern: { test: /^\w*$/, text: '[\\w]*' } });
    input.done();
    await ctx.authorize({ action: 'sts:GetAccessKeyInfo', resource: '*' });
    const account = accountOfAccessKeyId(accessKeyId);
    if (account === undefined) throw new AwsError('InvalidParameterValue', `The access key ID ${accessKeyId} is not valid.`);
    return { Account: account };
  },
};
