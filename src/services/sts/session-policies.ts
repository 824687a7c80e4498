import { AwsError } from '../../protocol/errors.js';
import { awsManagedPolicyDocument } from '../iam/aws-managed-policies.js';
import type { ActionContext, ContextValue } from '../action.js';
import { isPolicyArn } from './session-input.js';

/**
 * Managed session policies must exist, in the partition, owned by AWS or by the account of the
 * role (or calling user). AWS's code for a missing one is UNVERIFIED (sts-api.md §3.3); we answer
 * MalformedPolicyDocument as for a bad inline policy.
 */
export async function resolveSessionPolicyArns(ctx: ActionContext, arns: readonly string[], ownerAccountId: string): Promise<void> {
  for (const arn of arns) {
    const owner = arn.split(':')[4];
    const found =
      isPolicyArn(arn, ctx.config.partition) &&
      (owner === 'aws' ? awsManagedPolicyDocument(arn) !== undefined : owner === ownerAccountId && (await ctx.store.getManagedPolicyDocument(arn)) !== undefined);
    if (!found) throw new AwsError('MalformedPolicyDocument', `The policy ${arn} does not exist or is not attachable.`);
  }
}

/** `aws:RequestTag/<k>` per tag and `aws:TagKeys` (multi-valued). */
export function requestTagContext(tags: readonly { readonly Key: string; readonly Value: string }[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  if (tags.length === 0) return context;
  for (const tag of tags) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  context['aws:TagKeys'] = tags.map((t) => t.Key);
  return context;
}
