import type { CompiledPolicy } from '../../policy/index.js';
import type { ActionContext } from '../action.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryInput } from '../../protocol/query.js';
import type { Tag } from '../../store/types.js';

/** STS member shapes (sts-api.md §2.1): patterns are anchored, texts as AWS prints them. */
export const NAME_PATTERN = { test: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' };
export const EXTERNAL_ID_PATTERN = { test: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' };
export const SERIAL_NUMBER_PATTERN = { test: /^[\w+=/:,.@-]*$/, text: '[\\w+=/:,.@-]*' };
export const TOKEN_CODE_PATTERN = { test: /^\d*$/, text: '[\\d]*' };
export const POLICY_PATTERN = { test: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
const TAG_KEY_PATTERN = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE_PATTERN = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };
export const MAX_POLICY_ARNS = 10;

/** `Tags.member.N.Key/Value`: ≤ 50, key 1–128, value 0–256, no two keys equal ignoring case. */
export function readSessionTags(input: QueryInput): Tag[] {
  const raw = input.structList('Tags', ['Key', 'Value'] as const) ?? [];
  if (raw.length > 50) input.violation('tags', 'Member must have length less than or equal to 50', `[${raw.length} tags]`);
  const tags: Tag[] = [];
  raw.forEach((item, i) => {
    const key = input.checkString(`Tags.member.${i + 1}.Key`, `tags.${i + 1}.member.key`, item.Key, { required: true, min: 1, max: 128, pattern: TAG_KEY_PATTERN });
    const value = input.checkString(`Tags.member.${i + 1}.Value`, `tags.${i + 1}.member.value`, item.Value ?? '', { max: 256, pattern: TAG_VALUE_PATTERN });
    if (key !== undefined) tags.push({ Key: key, Value: value ?? '' });
  });
  return tags;
}

export function checkDuplicateTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.Key.toLowerCase();
    if (seen.has(key)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
}

/** `PolicyArns.member.N.arn`: at most 10 (docs), each an ARN of 20–2048 characters. */
export function readPolicyArns(input: QueryInput): string[] {
  const raw = input.structList('PolicyArns', ['arn'] as const) ?? [];
  const arns: string[] = [];
  raw.forEach((item, i) => {
    const arn = input.checkString(`PolicyArns.member.${i + 1}.arn`, `policyArns.${i + 1}.member.arn`, item.arn, { min: 20, max: 2048 });
    if (arn !== undefined) arns.push(arn);
  });
  return arns;
}

export function checkPolicyArnCount(arns: readonly string[]): void {
  if (arns.length > MAX_POLICY_ARNS) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '[${arns.join(', ')}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`);
  }
}

/**
 * An inline session policy: valid grammar for a session policy, else MalformedPolicyDocument.
 * Compiled through the authorizer's cache: callers send the same few session policies again and again.
 */
export function compileSessionPolicy(ctx: ActionContext, document: string): CompiledPolicy {
  const parsed = ctx.compilePolicy(document, 'session', { id: 'session-policy', layer: 'session', name: 'session-policy' });
  if (!parsed.ok) throw new AwsError('MalformedPolicyDocument', parsed.error.message);
  return parsed.policy;
}

/** An ARN the session may name as a managed session policy: a policy ARN in the partition. */
export function isPolicyArn(arn: string, partition: string): boolean {
  const head = `arn:${partition}:iam::`;
  return arn.startsWith(head) && POLICY_ARN_TAIL.test(arn.slice(head.length));
}
const POLICY_ARN_TAIL = /^(\d{12}|aws):policy\//;

/** Whole seconds, as AWS reports expirations. */
export function expiryAfter(now: Date, seconds: number): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000);
}
