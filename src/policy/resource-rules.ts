/**
 * "Legacy parsing" and resource formats (policy-evaluation.md §1.6 steps 3 and 7): Date condition
 * values, short resource ARNs, partitions, regions and IAM resource paths.
 */

import { parseOperator } from './conditions.js';
import { policyErrors, type PolicyError } from './errors.js';
import { pathKey } from './json.js';
import { isLegacyValidDate } from './values.js';
import { scalarsOf, stop, stringsOf, type RawStatement } from './validation.js';

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const IAM_RESOURCE_PREFIXES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];
export function checkLegacyDates(s: RawStatement): void {
  const condition = s.fields.get('Condition');
  if (!condition || condition.value.kind !== 'object') return;
  for (const block of condition.value.members) {
    const operator = parseOperator(block.key);
    if (!operator.known || !operator.base.startsWith('Date') || block.value.kind !== 'object') continue;
    const blockPath = condition.path + pathKey(block.key);
    for (const entry of block.value.members) {
      for (const [text, path] of scalarsOf(entry.value, blockPath + pathKey(entry.key))) {
        if (!isLegacyValidDate(text)) stop(policyErrors.legacyParsing(path));
      }
    }
  }
}

/**
 * Runs the resource-format checks (step 7, reported later) and the legacy short-ARN rule, which
 * IAM skips once a format error was found in that or an earlier statement ([invalid-25]).
 */
export function checkResources(statements: readonly RawStatement[]): PolicyError | undefined {
  let firstError: PolicyError | undefined;
  for (const s of statements) {
    for (const key of ['Resource', 'NotResource']) {
      const field = s.fields.get(key);
      if (!field) continue;
      const values = stringsOf(field.value, field.path);
      for (const [value, path] of values) firstError ??= resourceFormatError(value, path);
      if (firstError) continue;
      for (const [value, path] of values) {
        if (value === '*') continue;
        const parts = value.split(':');
        // `arn:aws:s3::bucket`, `arn:aws::x`, `arn:aws::::x` (§1.6).
        if ((parts.length < 6 && value.includes('::')) || !parts[2]) stop(policyErrors.legacyParsing(path));
      }
    }
  }
  return firstError;
}

function resourceFormatError(resource: string, path: string): PolicyError | undefined {
  if (resource === '*') return undefined;
  const first = resource.indexOf(':');
  if (first < 0) return policyErrors.resourceNotArn(resource, path);
  const afterArn = resource.slice(first + 1);
  const second = afterArn.indexOf(':');
  const partition = second < 0 ? afterArn : afterArn.slice(0, second);
  if (partition !== '*' && !PARTITIONS.has(partition)) {
    // IAM prints field 1 as `arn`, missing fields as `*`, and keeps fields past the sixth.
    const rest = second < 0 ? [''] : afterArn.slice(second + 1).split(':');
    const f1 = rest[0] !== '' || rest.length > 1 ? rest[0]! : '*';
    const f2 = rest.length > 1 ? rest[1]! : '*';
    const f3 = rest.length > 2 ? rest[2]! : '*';
    const f4 = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return policyErrors.invalidPartition(partition, `arn:${partition}:${f1}:${f2}:${f3}:${f4}`, path);
  }
  if (second < 0) return policyErrors.resourceVendor(path);
  const afterPartition = afterArn.slice(second + 1);
  const third = afterPartition.indexOf(':');
  const service = third < 0 ? afterPartition : afterPartition.slice(0, third);
  const regionAndRest = third < 0 ? '' : afterPartition.slice(third + 1);
  const afterRegion = regionAndRest.indexOf(':') < 0 ? '' : regionAndRest.slice(regionAndRest.indexOf(':') + 1);
  const resourcePart = afterRegion.indexOf(':') < 0 ? '' : afterRegion.slice(afterRegion.indexOf(':') + 1);
  const hasRegion = !regionAndRest.startsWith(':');
  if (service === 'iam' && hasRegion) return policyErrors.iamResourceRegion(resource, path);
  // S3 access point ARNs carry a region (recorded [valid-50]).
  if (service === 's3' && hasRegion && !resourcePart.startsWith('accesspoint/')) return policyErrors.resourceRegion(resource, path);
  if (service === 'iam' && resourcePart !== '*' && resourcePart !== 'root' && !IAM_RESOURCE_PREFIXES.some((p) => resourcePart.startsWith(p))) {
    return policyErrors.iamResourcePath(path);
  }
  return undefined;
}

