import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, TRUST_EC2, document, expectError } from './helpers.js';

const PUT_OBJECT = document([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bucket' }]);

describe('GetAccountAuthorizationDetails and policy simulation (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;
  let policyArn: string;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
    policyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'put-object', PolicyDocument: PUT_OBJECT }))).Policy!.Arn!;
    await iam.send(new CreateUserCommand({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'platform' }] }));
    await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'alice' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', Path: '/my-path/', AssumeRolePolicyDocument: TRUST_EC2 }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'user-inline', PolicyDocument: S3_LIST }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'group-inline', PolicyDocument: S3_LIST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'role-inline', PolicyDocument: S3_LIST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: policyArn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: policyArn }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('no filter: users, groups, roles, local policies, and only the AWS managed policies in use', async () => {
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(details.IsTruncated).toBe(false);
    const alice = details.UserDetailList?.[0];
    expect(alice).toMatchObject({ UserName: 'alice', GroupList: ['devs'], Tags: [{ Key: 'team', Value: 'platform' }] });
    expect(alice?.UserPolicyList?.map((p) => [p.PolicyName, decodeURIComponent(p.PolicyDocument!)])).toEqual([['user-inline', S3_LIST]]);
    expect(alice?.AttachedManagedPolicies).toEqual([{ PolicyName: 'IAMReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }]);
    const devs = details.GroupDetailList?.[0];
    expect(devs).toMatchObject({ GroupName: 'devs', AttachedManagedPolicies: [{ PolicyName: 'put-object', PolicyArn: policyArn }] });
    expect(devs?.GroupPolicyList?.map((p) => p.PolicyName)).toEqual(['group-inline']);
    const worker = details.RoleDetailList?.[0];
    expect(worker).toMatchObject({ RoleName: 'worker', Path: '/my-path/', InstanceProfileList: [], Tags: [], RoleLastUsed: {} });
    expect(decodeURIComponent(worker!.AssumeRolePolicyDocument!)).toBe(TRUST_EC2);
    expect(worker?.RolePolicyList?.map((p) => p.PolicyName)).toEqual(['role-inline']);
    const policies = details.Policies?.map((p) => [p.PolicyName, p.AttachmentCount]);
    expect(policies).toEqual([
      ['IAMReadOnlyAccess', 1],
      ['put-object', 2],
    ]);
    const local = details.Policies?.find((p) => p.PolicyName === 'put-object');
    expect(local?.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion, decodeURIComponent(v.Document!)])).toEqual([['v1', true, PUT_OBJECT]]);
  });

  it('filters and pagination across the lists', async () => {
    const roles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    expect([roles.UserDetailList, roles.GroupDetailList, roles.Policies]).toEqual([[], [], []]);
    expect(roles.RoleDetailList).toHaveLength(1);
    const local = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }));
    expect(local.Policies?.map((p) => p.PolicyName)).toEqual(['put-object']);
    const aws = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }));
    expect(aws.Policies?.map((p) => p.PolicyName)).toEqual(['IAMReadOnlyAccess']);
    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 2 }));
    expect(first.IsTruncated).toBe(true);
    expect([first.UserDetailList?.length, first.GroupDetailList?.length, first.RoleDetailList?.length]).toEqual([1, 1, 0]);
    const rest = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 10, Marker: first.Marker }));
    expect(rest.IsTruncated).toBe(false);
    expect([rest.UserDetailList?.length, rest.RoleDetailList?.length, rest.Policies?.length]).toEqual([0, 1, 2]);
  });

  it('SimulatePrincipalPolicy for a role: allowed with the matched statement and positions, implicitDeny otherwise', async () => {
    const result = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${server.accountId}:role/my-path/worker`,
        ActionNames: ['s3:PutObject', 's3:GetObjectVersion'],
        ResourceArns: ['arn:aws:s3:::bucket'],
      }),
    );
    expect(result.IsTruncated).toBe(false);
    const [put, get] = result.EvaluationResults!;
    expect(put).toMatchObject({
      EvalActionName: 's3:PutObject',
      EvalResourceName: 'arn:aws:s3:::bucket',
      EvalDecision: 'allowed',
      MissingContextValues: [],
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
    });
    expect(put?.MatchedStatements).toHaveLength(1);
    expect(put?.MatchedStatements?.[0]).toMatchObject({ SourcePolicyId: 'put-object', SourcePolicyType: 'IAM Policy' });
    expect(put?.MatchedStatements?.[0]?.StartPosition?.Line).toBe(1);
    expect(put?.MatchedStatements?.[0]?.EndPosition?.Column).toBeGreaterThan(put!.MatchedStatements![0]!.StartPosition!.Column!);
    expect(put?.ResourceSpecificResults).toEqual([
      { EvalResourceName: 'arn:aws:s3:::bucket', EvalResourceDecision: 'allowed', MatchedStatements: put?.MatchedStatements, MissingContextValues: [] },
    ]);
    expect(get).toMatchObject({ EvalActionName: 's3:GetObjectVersion', EvalDecision: 'implicitDeny', MatchedStatements: [] });
  });

  it("SimulatePrincipalPolicy for a user includes its groups' policies; inputs can add a Deny", async () => {
    const userArn = `arn:aws:iam::${server.accountId}:user/alice`;
    const viaGroup = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ['s3:PutObject'], ResourceArns: ['arn:aws:s3:::bucket'] }));
    expect(viaGroup.EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
    const denied = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: userArn,
        ActionNames: ['s3:PutObject'],
        ResourceArns: ['arn:aws:s3:::bucket'],
        PolicyInputList: [document([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }])],
      }),
    );
    expect(denied.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'explicitDeny' });
    expect(denied.EvaluationResults?.[0]?.MatchedStatements?.[0]?.SourcePolicyId).toBe('PolicyInputList.1');
    const group = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${server.accountId}:group/devs`, ActionNames: ['s3:ListBucket'] }),
    );
    expect(group.EvaluationResults?.[0]).toMatchObject({ EvalResourceName: '*', EvalDecision: 'allowed' });
    await expectError(
      iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${server.accountId}:user/nobody`, ActionNames: ['s3:ListBucket'] })),
      'NoSuchEntity',
      'The user with name nobody cannot be found.',
    );
  });

  it('SimulateCustomPolicy: context entries decide conditions; missing keys are reported', async () => {
    const policy = document([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }]);
    const missing = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['s3:GetObject'] }));
    expect(missing.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: ['aws:PrincipalTag/team'] });
    const given = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [policy],
        ActionNames: ['s3:GetObject', 's3:PutObject'],
        ResourceArns: ['arn:aws:s3:::a/b'],
        ContextEntries: [{ ContextKeyName: 'aws:PrincipalTag/team', ContextKeyValues: ['platform'], ContextKeyType: 'string' }],
      }),
    );
    expect(given.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['s3:GetObject', 'allowed'],
      ['s3:PutObject', 'implicitDeny'],
    ]);
    await expectError(
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}'], ActionNames: ['s3:GetObject'] })),
      'MalformedPolicyDocument',
      'Policy statement must contain resources.',
    );
  });
});
