import { beforeAll, describe, expect, it } from 'vitest';
import { lintPolicy, loadIamDataCatalog, type Finding, type PolicyKind, type ServiceCatalog } from '../../src/policy/index.js';

const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.findingType} ${f.issueCode} ${f.path}`);

let catalog: ServiceCatalog;
beforeAll(async () => {
  catalog = await loadIamDataCatalog(['s3', 'iam', 'ec2', 'sts', 'dynamodb']);
});
const lint = (document: string, kind: PolicyKind = 'identity', accountId?: string) =>
  lintPolicy(document, kind, { catalog, ...(accountId ? { accountId } : {}) });

describe('lintPolicy (Access Analyzer-style findings)', () => {
  it('a clean policy has no findings', () => {
    expect(lint(doc({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' }))).toEqual([]);
  });

  it('ERROR: grammar errors carry the AWS message, path and a fix', () => {
    const findings = lint(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'bucket' }));
    expect(findings).toEqual([
      {
        findingType: 'ERROR',
        issueCode: 'MALFORMED_POLICY_DOCUMENT',
        message: 'Resource bucket must be in ARN format or "*".',
        path: '$.Statement.Resource',
        fix: 'Write the resource as an ARN (arn:partition:service:region:account:resource) or "*".',
      },
    ]);
  });

  it('ERROR: unknown service, unknown action, wildcard matching nothing, unknown service key', () => {
    const findings = lint(
      doc({
        Effect: 'Allow',
        Action: ['s4:GetObject', 's3:GetObjekt', 's3:Fly*', 's3:Get*'],
        Resource: '*',
        Condition: { StringEquals: { 's3:nonsense': 'x' } },
      }),
    );
    expect(codes(findings)).toEqual([
      'ERROR INVALID_SERVICE $.Statement.Action[0]',
      'ERROR INVALID_ACTION $.Statement.Action[1]',
      'ERROR INVALID_ACTION $.Statement.Action[2]',
      'ERROR INVALID_SERVICE_CONDITION_KEY $.Statement.Condition.StringEquals["s3:nonsense"]',
    ]);
  });

  it('WARNING: condition keys no action of the statement supports', () => {
    const findings = lint(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringLike: { 's3:prefix': 'home/*' } } }));
    expect(codes(findings)).toEqual(['WARNING UNSUPPORTED_CONDITION_KEY_FOR_ACTIONS $.Statement.Condition.StringLike["s3:prefix"]']);
    expect(lint(doc({ Effect: 'Allow', Action: 's3:List*', Resource: '*', Condition: { StringLike: { 's3:prefix': 'home/*' } } }))).toEqual([]);
    expect(lint(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:ExistingObjectTag/team': 'x' } } }))).toEqual([]);
  });

  it('ForAllValues with a single-valued key (SECURITY_WARNING for Allow); plain operators on multivalued keys', () => {
    const findings = lint(
      doc([
        { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:RequestedRegion': 'eu-west-1' } } },
        { Effect: 'Deny', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': 'x' } } },
      ]),
    );
    expect(codes(findings)).toEqual([
      'SECURITY_WARNING FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY $.Statement[0].Condition["ForAllValues:StringEquals"]["aws:RequestedRegion"]',
      'WARNING SINGLE_VALUE_OPERATOR_WITH_MULTIVALUED_KEY $.Statement[1].Condition.StringEquals["aws:TagKeys"]',
    ]);
  });

  it('SECURITY_WARNING: Allow with NotPrincipal (even where the parser rejects it)', () => {
    const findings = lint(doc({ Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: '*' }), 'resource');
    expect(codes(findings)).toEqual(['ERROR MALFORMED_POLICY_DOCUMENT $.Statement.NotPrincipal', 'SECURITY_WARNING ALLOW_WITH_NOT_PRINCIPAL $.Statement.NotPrincipal']);
  });

  it('SECURITY_WARNING: open or cross-account trust without ExternalId / PrincipalOrgID / source conditions', () => {
    const trust = (principal: unknown, condition?: unknown) =>
      doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) });
    expect(codes(lint(trust('*'), 'trust'))).toEqual(['SECURITY_WARNING TRUST_POLICY_ALLOWS_ANY_PRINCIPAL $.Statement.Principal']);
    expect(lint(trust('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }), 'trust')).toEqual([]);
    expect(codes(lint(trust({ AWS: ['111122223333', 'arn:aws:iam::444455556666:root'] }), 'trust', '111122223333'))).toEqual([
      'SECURITY_WARNING CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION $.Statement.Principal.AWS[1]',
    ]);
    expect(lint(trust({ AWS: '444455556666' }, { StringEquals: { 'sts:ExternalId': 'x' } }), 'trust', '111122223333')).toEqual([]);
    const oidc = { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' };
    expect(codes(lint(doc({ Effect: 'Allow', Principal: oidc, Action: 'sts:AssumeRoleWithWebIdentity' }), 'trust'))).toEqual([
      'SECURITY_WARNING WEB_IDENTITY_TRUST_WITHOUT_AUDIENCE $.Statement.Principal.Federated',
    ]);
  });

  it('SECURITY_WARNING: Allow with NotAction / NotResource over a broad wildcard; PassRole on *', () => {
    expect(codes(lint(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })))).toEqual(['SECURITY_WARNING ALLOW_WITH_NOT_ACTION $.Statement.NotAction']);
    expect(codes(lint(doc({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' })))).toEqual([
      'SECURITY_WARNING ALLOW_WITH_NOT_RESOURCE $.Statement.NotResource',
    ]);
    expect(lint(doc({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }))).toEqual([]);
    expect(codes(lint(doc({ Effect: 'Allow', Action: 'iam:Pass*', Resource: '*' })))).toEqual(['SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE $.Statement.Resource']);
  });

  it('SUGGESTION: statements made redundant by others', () => {
    const findings = lint(
      doc([
        { Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
        { Sid: 'Get', Effect: 'Allow', Action: ['s3:GetObject', 's3:Put*'], Resource: 'arn:aws:s3:::b/k' },
        { Sid: 'Cond', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        { Sid: 'Other', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c/k' },
        { Sid: 'Dup', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c/k' },
      ]),
    );
    expect(codes(findings)).toEqual(['SUGGESTION REDUNDANT_STATEMENT $.Statement[1]', 'SUGGESTION REDUNDANT_STATEMENT $.Statement[2]', 'SUGGESTION REDUNDANT_STATEMENT $.Statement[4]']);
    expect(findings[0]!.message).toBe('statement 1 (Get) grants nothing that statement 0 (All) does not already allow.');
  });

  it('WARNING: unknown operators with empty blocks, missing Version', () => {
    expect(codes(lint(JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { Foo: {} } } })))).toEqual([
      'WARNING MISSING_VERSION $',
      'WARNING UNKNOWN_CONDITION_OPERATOR $.Statement.Condition.Foo',
    ]);
  });

  it('works without a catalog (service checks skipped)', () => {
    expect(lintPolicy(doc({ Effect: 'Allow', Action: 's4:Nope', Resource: '*' }), 'identity')).toEqual([]);
  });
});
