import { deflateRawSync } from 'node:zlib';
import type { Tag } from '../../store/types.js';

/**
 * PackedPolicySize: the percentage of STS's packed budget that the session policy, policy ARNs
 * and session tags consume (sts-api.md §10.4). AWS's packer is undocumented; ours deflates
 * the minified policy, the ARNs and the tags, over a budget calibrated on AWS's recorded point
 * (a 163-character policy packs to 16 %). Transitive flags do not count.
 */
const BUDGET_BYTES = 840;

export function packedPolicySize(policy: string | undefined, policyArns: readonly string[], tags: readonly Tag[]): number {
  if (policy === undefined && policyArns.length === 0 && tags.length === 0) return 0;
  // Setting up a deflate stream costs ~20 µs and callers send the same policy and tags again and
  // again: remember the result by input (bounded).
  const key = JSON.stringify([policy ?? null, policyArns, tags.map((t) => [t.Key, t.Value])]);
  const known = packedSizes.get(key);
  if (known !== undefined) return known;
  const parts: string[] = [];
  if (policy !== undefined) parts.push(minify(policy));
  for (const arn of policyArns) parts.push(arn);
  for (const tag of tags) parts.push(`${tag.Key}=${tag.Value}`);
  const packed = deflateRawSync(Buffer.from(parts.join('\u0000'), 'utf8'), { level: 9 }).length;
  const percent = Math.ceil((100 * packed) / BUDGET_BYTES);
  if (packedSizes.size >= 1000) packedSizes.delete(packedSizes.keys().next().value!);
  packedSizes.set(key, percent);
  return percent;
}

const packedSizes = new Map<string, number>();

function minify(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}

/** AWS's text names what dominates; with tags present it speaks of session tags (observed). */
export function packedPolicyTooLargeMessage(percent: number, hasTags: boolean): string {
  return hasTags
    ? `Packed size of session tags consumes ${percent}% of allotted space.`
    : `Packed size of session policies consumes ${percent}% of allotted space.`;
}
