/**
 * `lintPolicy`: IAM Access Analyzer ValidatePolicy-style findings (ERROR, SECURITY_WARNING,
 * WARNING, SUGGESTION), each with a JSON path and a short fix. Synchronous; service and action
 * checks need a catalog (`loadIamDataCatalog`), everything else runs without one.
 */

import type { PolicyKind } from '../ast.js';
import { parsePolicy } from '../compile.js';
import type { PolicyErrorCode } from '../errors.js';
import type { ServiceCatalog } from './catalog.js';
import { finding, type Finding, type FindingType } from './finding.js';
import { redundancyFindings } from './redundancy.js';
import { referenceFindings } from './references.js';
import { notPrincipalFindings, securityFindings } from './security.js';

export interface LintOptions {
  /** Services, actions and condition keys; without it those checks are skipped. */
  readonly catalog?: ServiceCatalog;
  /** The account owning the policy; enables cross-account trust findings. */
  readonly accountId?: string;
  /** Lint as a managed policy (CreatePolicy rules: Version 2012-10-17 required). */
  readonly managed?: boolean;
}

const FIXES: Readonly<Record<PolicyErrorCode, string>> = {
  SyntaxError: 'Use only the documented elements, each with a value of the documented JSON type, and no repeated keys.',
  InvalidJson: 'Make the document valid JSON.',
  VersionRequired: 'Add "Version": "2012-10-17".',
  LegacyParsingFailed: 'Write Effect as "Allow" or "Deny", dates as ISO 8601, and resource ARNs with six fields.',
  DuplicateSid: 'Give each statement a different Sid.',
  SidNotAlphanumeric: 'Use only letters and digits in Sid.',
  MissingActions: 'Add an Action or NotAction element with at least one action.',
  MissingResources: 'Add a Resource or NotResource element.',
  ResourceNotArn: 'Write the resource as an ARN (arn:partition:service:region:account:resource) or "*".',
  InvalidPartition: 'Use a partition such as aws, aws-cn or aws-us-gov.',
  ResourceVendorNotQualified: 'Write the full ARN, including the service.',
  IamResourceRegion: 'Leave the region field of IAM ARNs empty.',
  ResourceRegion: 'Leave the region field of S3 bucket and object ARNs empty.',
  IamResourcePath: 'Start the IAM resource with user/, role/, group/, policy/ … or use "*".',
  ActionVendorMissing: 'Write actions as service:Action, e.g. iam:GetUser.',
  ActionTooManyColons: 'Write actions as service:Action with a single colon.',
  InvalidVendor: 'Use a service prefix of letters, digits, "." and "-".',
  PrincipalNotAllowed: 'Remove Principal: identity-based policies apply to the entity they are attached to.',
  ProhibitedField: 'Remove the element; trust policies apply to the role they belong to.',
  MissingPrincipal: 'Add a Principal element naming who the statement applies to.',
  TrustPolicyActions: 'Use sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession or sts:SetSourceIdentity.',
  InvalidPrincipal: 'Use "*", an account ID, or the ARN of an existing user or role (no partial wildcards).',
};

const ORDER: Readonly<Record<FindingType, number>> = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 };

export function lintPolicy(document: string, kind: PolicyKind, options: LintOptions = {}): readonly Finding[] {
  try {
    const findings: Finding[] = [...notPrincipalFindings(String(document))];
    const parsed = parsePolicy(String(document), kind, options.managed ? { managed: true } : {});
    if (!parsed.ok) {
      findings.push(finding('ERROR', 'MALFORMED_POLICY_DOCUMENT', parsed.error.message, parsed.error.path, FIXES[parsed.error.code]));
    } else {
      const statements = parsed.policy.statements;
      if (!parsed.policy.versionSpecified) {
        findings.push(finding('WARNING', 'MISSING_VERSION', 'Without Version, policy variables are plain text (evaluated as 2008-10-17).', '$', 'Add "Version": "2012-10-17".'));
      }
      findings.push(
        ...referenceFindings(statements, options.catalog),
        ...securityFindings(statements, kind, options.accountId !== undefined ? { accountId: options.accountId } : {}),
        ...redundancyFindings(statements),
      );
    }
    return findings.sort((a, b) => ORDER[a.findingType] - ORDER[b.findingType]);
  } catch {
    return [finding('ERROR', 'MALFORMED_POLICY_DOCUMENT', 'Syntax errors in policy.', '$', FIXES.SyntaxError)];
  }
}

export type { Finding, FindingType } from './finding.js';
export type { ActionInfo, ServiceCatalog, ServiceInfo } from './catalog.js';
export { createServiceCatalog } from './catalog.js';
