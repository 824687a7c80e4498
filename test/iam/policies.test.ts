import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, TRUST_EC2, document, expectError } from './helpers.js';

/** A valid identity policy of exactly `size` non-whitespace characters. */
function sized(size: number): string {
  const base = document([{ Sid: 'S', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
  const padded = base.replace('"Sid":"S"', `"Sid":"${'S'.repeat(size - base.length + 1)}"`);
  if (padded.length !== size) throw new Error('bad padding');
  return padded;
}

describe('IAM inline and managed policies (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;
  let account: string;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
    account = server.accountId;
    await iam.send(new CreateUserCommand({ UserName: 'u' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'g' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('inline policies for users, groups and roles: put, get (URL-encoded), list, delete', async () => {
    await iam.send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'p1', PolicyDocument: S3_LIST }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'g', PolicyName: 'p1', PolicyDocument: S3_LIST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p1', PolicyDocument: S3_LIST }));
    const user = await iam.send(new GetUserPolicyCommand({ UserName: 'U', PolicyName: 'p1' }));
    expect(user).toMatchObject({ UserName: 'u', PolicyName: 'p1' });
    expect(decodeURIComponent(user.PolicyDocument!)).toBe(S3_LIST);
    expect((await iam.send(new GetGroupPolicyCommand({ GroupName: 'g', PolicyName: 'p1' }))).GroupName).toBe('g');
    expect((await iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p1' }))).RoleName).toBe('r');
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'u' }))).PolicyNames).toEqual(['p1']);
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'g' }))).PolicyNames).toEqual(['p1']);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }))).PolicyNames).toEqual(['p1']);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p1' }));
    await expectError(iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p1' })), 'NoSuchEntity', 'The role policy with name p1 cannot be found.', 404);
    await expectError(iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'non-existent-policy' })), 'NoSuchEntity', 'The role policy with name non-existent-policy cannot be found.');
    await expectError(iam.send(new GetGroupPolicyCommand({ GroupName: 'g', PolicyName: 'nope' })), 'NoSuchEntity', 'The group policy with name nope cannot be found.');
    await expectError(iam.send(new PutRolePolicyCommand({ RoleName: 'nonexistent-role', PolicyName: 'x', PolicyDocument: S3_LIST })), 'NoSuchEntity', 'The role with name nonexistent-role cannot be found.');
  });

  it('inline documents are validated by the policy engine', async () => {
    await expectError(
      iam.send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'bad', PolicyDocument: document([{ Effect: 'Allow', Action: 's3:GetObject' }]) })),
      'MalformedPolicyDocument',
      'Policy statement must contain resources.',
      400,
    );
    await expectError(
      iam.send(new PutUserPolicyCommand({ UserName: 'u', PolicyName: 'bad', PolicyDocument: document([{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }]) })),
      'MalformedPolicyDocument',
      /principal/i,
    );
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'u' }))).PolicyNames).toEqual(['p1']);
  });

  it('aggregate inline size: users 2048, groups 5120, roles 10240 non-whitespace characters', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'sized' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'a', PolicyDocument: sized(2048) }));
    await expectError(
      iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'b', PolicyDocument: sized(150) })),
      'LimitExceeded',
      'Maximum policy size of 2048 bytes exceeded for user sized',
      409,
    );
    // Replacing a policy counts only the new text.
    await iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'a', PolicyDocument: sized(1898) }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'b', PolicyDocument: sized(150) }));
    await iam.send(new CreateGroupCommand({ GroupName: 'sized' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'sized', PolicyName: 'a', PolicyDocument: sized(5120) }));
    await expectError(iam.send(new PutGroupPolicyCommand({ GroupName: 'sized', PolicyName: 'b', PolicyDocument: sized(150) })), 'LimitExceeded', 'Maximum policy size of 5120 bytes exceeded for group sized');
    await iam.send(new CreateRoleCommand({ RoleName: 'sized', AssumeRolePolicyDocument: TRUST_EC2 }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'sized', PolicyName: 'a', PolicyDocument: sized(10240) }));
    await expectError(iam.send(new PutRolePolicyCommand({ RoleName: 'sized', PolicyName: 'b', PolicyDocument: sized(150) })), 'LimitExceeded', 'Maximum policy size of 10240 bytes exceeded for role sized');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'sized' }))).PolicyNames).toEqual(['a']);
  });

  it('managed policy lifecycle: create (no Description/Tags), get (Tags always), list, delete', async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'lifecycle', Path: '/test/path/', PolicyDocument: S3_LIST, Description: 'hidden' }));
    expect(created.Policy).toMatchObject({
      PolicyName: 'lifecycle',
      Arn: `arn:aws:iam::${account}:policy/test/path/lifecycle`,
      Path: '/test/path/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
    });
    expect(created.Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(created.Policy?.Description).toBeUndefined();
    expect(created.Policy?.Tags).toBeUndefined();
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn! }));
    expect(got.Policy).toMatchObject({ Description: 'hidden', Tags: [] });
    const listed = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/test/' }));
    expect(listed.Policies?.map((p) => p.PolicyName)).toEqual(['lifecycle']);
    await expectError(iam.send(new CreatePolicyCommand({ PolicyName: 'LIFECYCLE', PolicyDocument: S3_LIST })), 'EntityAlreadyExists', 'A policy called LIFECYCLE already exists. Duplicate names are not allowed.', 409);
    await iam.send(new DeletePolicyCommand({ PolicyArn: created.Policy!.Arn! }));
    await expectError(iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn! })), 'NoSuchEntity', `Policy ${created.Policy!.Arn!} was not found.`, 404);
    const missing = `arn:aws:iam::${account}:policy/non-existent-policy`;
    await expectError(iam.send(new DeletePolicyCommand({ PolicyArn: missing })), 'NoSuchEntity', `Policy ${missing} was not found.`);
  });

  it('managed policy documents: engine validation, version 2012-10-17, 6144-character quota', async () => {
    await expectError(
      iam.send(new CreatePolicyCommand({ PolicyName: 'old', PolicyDocument: JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) })),
      'MalformedPolicyDocument',
      'Policy document must be version 2012-10-17 or greater.',
    );
    await iam.send(new CreatePolicyCommand({ PolicyName: 'max', PolicyDocument: sized(6144) }));
    await expectError(iam.send(new CreatePolicyCommand({ PolicyName: 'over', PolicyDocument: sized(6145) })), 'LimitExceeded', 'Cannot exceed quota for PolicySize: 6144', 409);
    await expectError(
      iam.send(new CreatePolicyCommand({ PolicyName: 'latin1', PolicyDocument: S3_LIST.replace('s3:ListBucket', 's3:Lįst') })),
      'ValidationError',
      "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    );
  });

  it('versions: SetAsDefault, no Document except GetPolicyVersion, newest first, at most 5, ids never reused', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'versioned', PolicyDocument: S3_LIST }))).Policy!.Arn!;
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document([{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]), SetAsDefault: true }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    expect(v2.PolicyVersion?.Document).toBeUndefined();
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect(decodeURIComponent(got.PolicyVersion!.Document!)).toContain('ec2:*');
    for (let i = 3; i <= 5; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_LIST }));
    await expectError(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_LIST })),
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
      409,
    );
    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ]);
    expect(listed.Versions?.[0]?.Document).toBeUndefined();
    await expectError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })), 'DeleteConflict', 'Cannot delete the default version of a policy.', 409);
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    expect((await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_LIST }))).PolicyVersion?.VersionId).toBe('v6');
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v6' }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe('v6');
    await expectError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })), 'NoSuchEntity', `Policy ${arn} version v9 does not exist or is not attachable.`, 404);
    await expectError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v4x' })), 'ValidationError', /Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v\[1-9\]\[0-9\]\*\(\\\.\[A-Za-z0-9-\]\*\)\?$/);
    await expectError(
      iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    const missing = `arn:aws:iam::${account}:policy/TestNonExistingPolicy`;
    await expectError(iam.send(new GetPolicyVersionCommand({ PolicyArn: missing, VersionId: 'v1' })), 'NoSuchEntity', `Policy ${missing} version v1 does not exist or is not attachable.`);
  });

  it('attach and detach for users, groups and roles; AttachmentCount; ListEntitiesForPolicy', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'shared', PolicyDocument: S3_LIST }))).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(3);
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'u' }))).AttachedPolicies).toEqual([{ PolicyName: 'shared', PolicyArn: arn }]);
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'g' }))).AttachedPolicies).toEqual([{ PolicyName: 'shared', PolicyArn: arn }]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'r' }))).AttachedPolicies).toEqual([{ PolicyName: 'shared', PolicyArn: arn }]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(entities.PolicyUsers?.map((e) => e.UserName)).toEqual(['u']);
    expect(entities.PolicyGroups?.map((e) => e.GroupName)).toEqual(['g']);
    expect(entities.PolicyRoles?.map((e) => e.RoleName)).toEqual(['r']);
    expect((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: 'Role' }))).PolicyUsers).toEqual([]);
    await expectError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'u', PolicyArn: arn }));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: arn }));
    await expectError(iam.send(new DetachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn })), 'NoSuchEntity', `Policy ${arn} was not found.`, 404);
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    const nonexistent = `arn:aws:iam::${account}:policy/NonExistentPolicy`;
    await expectError(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: nonexistent })), 'NoSuchEntity', `Policy ${nonexistent} does not exist or is not attachable.`);
  });

  it('attach errors: non-ARN values, missing policies, 10 policies per entity', async () => {
    await expectError(iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'longpolicynamebutnoarn' })), 'ValidationError', 'ARN longpolicynamebutnoarn is not valid.', 400);
    const missing = `arn:aws:iam::${account}:policy/nonexistent-policy`;
    await expectError(iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: missing })), 'NoSuchEntity', `Policy ${missing} does not exist or is not attachable.`, 404);
    await expectError(
      iam.send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/Nonexistent' })),
      'NoSuchEntity',
      'Policy arn:aws:iam::aws:policy/Nonexistent does not exist or is not attachable.',
    );
    await expectError(
      iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/Nonexistent' })),
      'NoSuchEntity',
      'Policy arn:aws:iam::aws:policy/Nonexistent was not found.',
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'full', AssumeRolePolicyDocument: TRUST_EC2 }));
    for (let i = 0; i < 10; i++) {
      const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: `quota-${i}`, PolicyDocument: S3_LIST }))).Policy!.Arn!;
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'full', PolicyArn: arn }));
    }
    await expectError(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'full', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
      'LimitExceeded',
      'Cannot exceed quota for PoliciesPerRole: 10',
      409,
    );
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'full' }))).AttachedPolicies).toHaveLength(10);
  });

  it('AWS managed policies: visible, attachable, counted, read-only', async () => {
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const before = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(before.Policy).toMatchObject({ PolicyName: 'ReadOnlyAccess', Path: '/', IsAttachable: true, Description: 'Provides read-only access to AWS services and resources.' });
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: before.Policy!.DefaultVersionId! }));
    expect(decodeURIComponent(version.PolicyVersion!.Document!)).toContain('iam:Get*');
    await expectError(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2-does-not-exist' })),
      'ValidationError',
      "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
    );
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(2);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies?.map((p) => p.PolicyName)).toEqual(expect.arrayContaining(['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess', 'IAMFullAccess', 'IAMReadOnlyAccess']));
    expect(aws.Policies?.every((p) => p.Arn?.startsWith('arn:aws:iam::aws:policy/'))).toBe(true);
    const attached = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    expect(attached.Policies?.map((p) => p.PolicyName)).toEqual(['ReadOnlyAccess']);
    const paged = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 2 }));
    expect(paged.IsTruncated).toBe(true);
    expect(paged.Marker).toBeTruthy();
    await expectError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'AccessDenied', 'Cannot delete policies outside your own account.', 403);
    await expectError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })), 'AccessDenied', 'Cannot delete policy versions for policies outside your own account.', 403);
    await expectError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })), 'AccessDenied', 'Cannot update policies outside your own account.', 403);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'u', PolicyArn: arn }));
  });
});
