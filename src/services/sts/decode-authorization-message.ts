import { AwsError } from '../../protocol/errors.js';
import { openAuthorizationMessage } from '../../tokens/authorization-message.js';
import type { QueryAction } from '../action.js';

/** Turns an encoded authorization failure message back into its JSON (sts-api.md §8.3). */
export const decodeAuthorizationMessage: QueryAction = {
  name: 'DecodeAuthorizationMessage',
  async run(input, ctx) {
    const encoded = input.string('EncodedMessage', { required: true, min: 1, max: 10240 });
    input.done();
    await ctx.authorize({ action: 'sts:DecodeAuthorizationMessage', resource: '*' });
    const decoded = openAuthorizationMessage(encoded!, ctx.keyRing());
    if (decoded === undefined) throw new AwsError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid or has expired.');
    return { DecodedMessage: JSON.stringify(decoded) };
  },
};
