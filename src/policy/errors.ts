/**
 * `MalformedPolicyDocument` (HTTP 400, Sender) errors as a closed union: every code has exactly one
 * AWS message text. Texts are the ones AWS returned in the recordings under
 * `shared/testdata/aws-recorded/` unless marked UNVERIFIED (policy-evaluation.md §1.6, §9).
 */

export type PolicyErrorCode =
  | 'SyntaxError'
  | 'InvalidJson'
  | 'VersionRequired'
  | 'LegacyParsingFailed'
  | 'DuplicateSid'
  | 'SidNotAlphanumeric'
  | 'MissingActions'
  | 'MissingResources'
  | 'ResourceNotArn'
  | 'InvalidPartition'
  | 'ResourceVendorNotQualified'
  | 'IamResourceRegion'
  | 'ResourceRegion'
  | 'IamResourcePath'
  | 'ActionVendorMissing'
  | 'ActionTooManyColons'
  | 'InvalidVendor'
  | 'PrincipalNotAllowed'
  | 'ProhibitedField'
  | 'MissingPrincipal'
  | 'TrustPolicyActions'
  | 'InvalidPrincipal';

export interface PolicyError {
  readonly code: PolicyErrorCode;
  /** Exact AWS `MalformedPolicyDocument` message. */
  readonly message: string;
  /** JSON path of the offending element, e.g. `$.Statement[0].Condition`. */
  readonly path: string;
}

const IAM_PATH_PREFIXES =
  'user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/';

/** Builders for each error. Arguments are the values AWS interpolates into its text. */
export const policyErrors = {
  syntax: (path: string): PolicyError => ({ code: 'SyntaxError', message: 'Syntax errors in policy.', path }),
  /** CreateRole / UpdateAssumeRolePolicy with a document that is not JSON (recorded). */
  invalidJson: (path: string): PolicyError => ({ code: 'InvalidJson', message: 'This policy contains invalid Json', path }),
  versionRequired: (path: string): PolicyError => ({
    code: 'VersionRequired',
    message: 'Policy document must be version 2012-10-17 or greater.',
    path,
  }),
  legacyParsing: (path: string): PolicyError => ({ code: 'LegacyParsingFailed', message: 'The policy failed legacy parsing', path }),
  duplicateSid: (path: string): PolicyError => ({
    code: 'DuplicateSid',
    message: 'Statement IDs (SID) in a single policy must be unique.',
    path,
  }),
  /** Observed in CloudTrail; position in the check order UNVERIFIED (§9 U32). */
  sidNotAlphanumeric: (path: string): PolicyError => ({
    code: 'SidNotAlphanumeric',
    message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
    path,
  }),
  missingActions: (path: string): PolicyError => ({ code: 'MissingActions', message: 'Policy statement must contain actions.', path }),
  missingResources: (path: string): PolicyError => ({
    code: 'MissingResources',
    message: 'Policy statement must contain resources.',
    path,
  }),
  resourceNotArn: (resource: string, path: string): PolicyError => ({
    code: 'ResourceNotArn',
    message: `Resource ${resource} must be in ARN format or "*".`,
    path,
  }),
  invalidPartition: (partition: string, shownArn: string, path: string): PolicyError => ({
    code: 'InvalidPartition',
    message: `Partition "${partition}" is not valid for resource "${shownArn}".`,
    path,
  }),
  resourceVendor: (path: string): PolicyError => ({
    code: 'ResourceVendorNotQualified',
    message: 'Resource vendor must be fully qualified and cannot contain regexes.',
    path,
  }),
  iamResourceRegion: (resource: string, path: string): PolicyError => ({
    code: 'IamResourceRegion',
    message: `IAM resource ${resource} cannot contain region information.`,
    path,
  }),
  resourceRegion: (resource: string, path: string): PolicyError => ({
    code: 'ResourceRegion',
    message: `Resource ${resource} can not contain region information.`,
    path,
  }),
  iamResourcePath: (path: string): PolicyError => ({
    code: 'IamResourcePath',
    message: `IAM resource path must either be "*", root, or start with ${IAM_PATH_PREFIXES}.`,
    path,
  }),
  actionVendorMissing: (path: string): PolicyError => ({
    code: 'ActionVendorMissing',
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    path,
  }),
  actionTooManyColons: (path: string): PolicyError => ({
    code: 'ActionTooManyColons',
    message: 'Actions/Condition can contain only one colon.',
    path,
  }),
  invalidVendor: (vendor: string, path: string): PolicyError => ({ code: 'InvalidVendor', message: `Vendor ${vendor} is not valid`, path }),
  principalNotAllowed: (path: string): PolicyError => ({
    code: 'PrincipalNotAllowed',
    message: 'Policy document should not specify a principal.',
    path,
  }),
  /** Recorded for `Resource` in a trust policy (no trailing period); other fields UNVERIFIED. */
  prohibitedField: (field: string, path: string): PolicyError => ({ code: 'ProhibitedField', message: `Has prohibited field ${field}`, path }),
  /** UNVERIFIED wording (no recording of a trust/resource policy without Principal). */
  missingPrincipal: (path: string): PolicyError => ({ code: 'MissingPrincipal', message: 'Missing required field Principal', path }),
  trustPolicyActions: (path: string): PolicyError => ({
    code: 'TrustPolicyActions',
    message: 'AssumeRole policy may only specify STS AssumeRole actions.',
    path,
  }),
  /** Observed prefix; the `"<key>":"<value>"` suffix is UNVERIFIED (§9 U36). */
  invalidPrincipal: (key: string | undefined, value: string | undefined, path: string): PolicyError => ({
    code: 'InvalidPrincipal',
    // A bare string other than "*" has no key to quote (§1.4, UNVERIFIED).
    message: key === undefined ? 'Invalid principal in policy' : `Invalid principal in policy: "${key}":"${value ?? ''}"`,
    path,
  }),
} as const;
