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
  const parts: string[] = [];
  if (policy !== undefined) parts.push(minify(policy));
  for (const arn of policyArns) parts.push(arn);
  for (const tag of tags) parts.push(`${tag.Key}=${tag.Value}`);
  if (parts.length === 0) return 0;
  const packed = deflateRawSync(Buffer.from(parts.join('\u0000'), 'utf8'), { level: 9 }).length;
  return Math.ceil((100 * packed) / BUDGET_BYTES);
}

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
