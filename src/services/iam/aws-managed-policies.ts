import type { PolicyDocumentRef } from '../../store/types.js';

/**
 * AWS managed policies (`arn:<partition>:iam::aws:policy/<path><name>`): static data, not in the
 * store. Statements are those AWS publishes in the AWS Managed Policy Reference. ReadOnlyAccess
 * is AWS's list cut down to the services this server implements (cloudtrail, iam,
 * organizations, sts); every entry kept is AWS's own.
 */
export interface AwsManagedPolicy {
  readonly name: string;
  readonly path: string;
  readonly policyId: string;
  readonly description: string;
  readonly defaultVersionId: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  readonly document: string;
}

function statementDocument(statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 4);
}

const CATALOG: readonly AwsManagedPolicy[] = [
  {
    name: 'AdministratorAccess',
    path: '/',
    policyId: 'ANPAIWMBCKSKIEE64ZLYK',
    description: 'Provides full access to AWS services and resources.',
    defaultVersionId: 'v1',
    createDate: new Date('2015-02-06T18:39:46Z'),
    updateDate: new Date('2015-02-06T18:39:46Z'),
    document: statementDocument([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  },
  {
    name: 'PowerUserAccess',
    path: '/',
    policyId: 'ANPAJYRXTHIB4FOVS3ZXS',
    description: 'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    defaultVersionId: 'v12',
    createDate: new Date('2015-02-06T18:39:47Z'),
    updateDate: new Date('2026-02-12T17:59:00Z'),
    document: statementDocument([
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: [
          'account:GetAccountInformation',
          'account:GetGovCloudAccountInformation',
          'account:GetPrimaryEmail',
          'account:ListRegions',
          'iam:CreateServiceLinkedRole',
          'iam:DeleteServiceLinkedRole',
          'iam:ListRoles',
          'organizations:DescribeEffectivePolicy',
          'organizations:DescribeOrganization',
        ],
        Resource: '*',
      },
    ]),
  },
  {
    name: 'ReadOnlyAccess',
    path: '/',
    policyId: 'ANPAILL3HVNFSB6DCOWYQ',
    description: 'Provides read-only access to AWS services and resources.',
    defaultVersionId: 'v87',
    createDate: new Date('2015-02-06T18:39:48Z'),
    updateDate: new Date('2022-05-23T20:16:18Z'),
    document: statementDocument([
      {
        Effect: 'Allow',
        Action: [
          'cloudtrail:Describe*',
          'cloudtrail:Get*',
          'cloudtrail:List*',
          'cloudtrail:LookupEvents',
          'iam:Generate*',
          'iam:Get*',
          'iam:List*',
          'iam:Simulate*',
          'organizations:Describe*',
          'organizations:List*',
          'sts:GetAccessKeyInfo',
          'sts:GetCallerIdentity',
          'sts:GetSessionToken',
        ],
        Resource: '*',
      },
    ]),
  },
  {
    name: 'IAMFullAccess',
    path: '/',
    policyId: 'ANPAI7XKCFMBPM3QQRRVQ',
    description: 'Provides full access to IAM via the AWS Management Console.',
    defaultVersionId: 'v2',
    createDate: new Date('2015-02-06T18:40:38Z'),
    updateDate: new Date('2019-06-21T19:40:00Z'),
    document: statementDocument([
      {
        Effect: 'Allow',
        Action: [
          'iam:*',
          'organizations:DescribeAccount',
          'organizations:DescribeOrganization',
          'organizations:DescribeOrganizationalUnit',
          'organizations:DescribePolicy',
          'organizations:ListChildren',
          'organizations:ListParents',
          'organizations:ListPoliciesForTarget',
          'organizations:ListRoots',
          'organizations:ListPolicies',
          'organizations:ListTargetsForPolicy',
        ],
        Resource: '*',
      },
    ]),
  },
  {
    name: 'IAMReadOnlyAccess',
    path: '/',
    policyId: 'ANPAJKSO7NDY4T57MWDSQ',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    defaultVersionId: 'v4',
    createDate: new Date('2015-02-06T18:40:39Z'),
    updateDate: new Date('2018-01-25T19:11:27Z'),
    document: statementDocument([
      {
        Effect: 'Allow',
        Action: [
          'iam:GenerateCredentialReport',
          'iam:GenerateServiceLastAccessedDetails',
          'iam:Get*',
          'iam:List*',
          'iam:SimulateCustomPolicy',
          'iam:SimulatePrincipalPolicy',
        ],
        Resource: '*',
      },
    ]),
  },
];

const BY_PATH_NAME = new Map(CATALOG.map((p) => [p.path + p.name, p]));
const AWS_POLICY_ARN = /^arn:([^:]+):iam::aws:policy(\/.*)$/;

export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return CATALOG;
}

export function awsManagedPolicyArn(partition: string, policy: AwsManagedPolicy): string {
  return `arn:${partition}:iam::aws:policy${policy.path}${policy.name}`;
}

/** True for any ARN in the AWS managed namespace, known to this server or not. */
export function isAwsManagedArn(arn: string): boolean {
  return AWS_POLICY_ARN.test(arn);
}

export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const match = AWS_POLICY_ARN.exec(arn);
  return match ? BY_PATH_NAME.get(match[2]!) : undefined;
}

/** The default version of an AWS managed policy, labelled as the authorizer labels policies. */
export function awsManagedPolicyDocument(arn: string): PolicyDocumentRef | undefined {
  const policy = findAwsManagedPolicy(arn);
  if (!policy) return undefined;
  return { id: arn, name: policy.name, kind: 'managed', versionId: policy.defaultVersionId, document: policy.document };
}
