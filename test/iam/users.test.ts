import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, awsError, document, expectError } from './helpers.js';

describe('IAM users and access keys (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('user lifecycle: create with path, get, list with a plain-string path prefix, delete', async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: 'lifecycle', Path: '/test-lifecycle-path/' }));
    expect(created.User).toMatchObject({
      Path: '/test-lifecycle-path/',
      UserName: 'lifecycle',
      Arn: `arn:aws:iam::${server.accountId}:user/test-lifecycle-path/lifecycle`,
    });
    expect(created.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User?.Tags).toBeUndefined();
    const got = await iam.send(new GetUserCommand({ UserName: 'LIFECYCLE' }));
    expect(got.User?.UserId).toBe(created.User?.UserId);
    const listed = await iam.send(new ListUsersCommand({ PathPrefix: '/test-life' }));
    expect(listed.Users?.map((u) => u.UserName)).toEqual(['lifecycle']);
    expect(listed.IsTruncated).toBe(false);
    expect(listed.Marker).toBeUndefined();
    await iam.send(new DeleteUserCommand({ UserName: 'lifecycle' }));
    await expectError(iam.send(new GetUserCommand({ UserName: 'lifecycle' })), 'NoSuchEntity', 'The user with name lifecycle cannot be found.', 404);
  });

  it('duplicate names differ only in case → EntityAlreadyExists', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Dup' }));
    await expectError(iam.send(new CreateUserCommand({ UserName: 'dup' })), 'EntityAlreadyExists', 'User with name dup already exists.', 409);
  });

  it('validation: name pattern, path rules, 64-character limit', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'u'.repeat(64) }));
    await expectError(
      iam.send(new CreateUserCommand({ UserName: 'u'.repeat(65) })),
      'ValidationError',
      "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
      400,
    );
    await expectError(
      iam.send(new CreateUserCommand({ UserName: 'bad name' })),
      'ValidationError',
      "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await expectError(
      iam.send(new CreateUserCommand({ UserName: 'p', Path: 'no-slash/' })),
      'ValidationError',
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
    await expectError(
      iam.send(new CreateUserCommand({ UserName: 'p', Path: '/' + 'a'.repeat(511) + '/' })),
      'ValidationError',
      "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
    );
  });

  it('rename keeps the unique ID and the access key identity', async () => {
    const user = await iam.send(new CreateUserCommand({ UserName: 'before' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'before' }));
    const creds = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    const identityBefore = await server.sts(creds).send(new GetCallerIdentityCommand({}));
    expect(identityBefore.Arn).toBe(`arn:aws:iam::${server.accountId}:user/before`);
    await iam.send(new UpdateUserCommand({ UserName: 'before', NewUserName: 'after', NewPath: '/renamed/' }));
    await expectError(iam.send(new GetUserCommand({ UserName: 'before' })), 'NoSuchEntity', 'The user with name before cannot be found.');
    const after = await iam.send(new GetUserCommand({ UserName: 'after' }));
    expect(after.User).toMatchObject({ UserId: user.User?.UserId, Path: '/renamed/', Arn: `arn:aws:iam::${server.accountId}:user/renamed/after` });
    const identityAfter = await server.sts(creds).send(new GetCallerIdentityCommand({}));
    expect(identityAfter).toMatchObject({ Arn: after.User?.Arn, UserId: user.User?.UserId });
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'after' }));
    expect(keys.AccessKeyMetadata?.[0]?.UserName).toBe('after');
    await expectError(iam.send(new UpdateUserCommand({ UserName: 'nonexistent-user' })), 'NoSuchEntity', 'The user with name nonexistent-user cannot be found.');
  });

  it('DeleteUser is refused while keys, inline or attached policies exist, and leaves the user intact', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'busy' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'busy' }));
    await expectError(iam.send(new DeleteUserCommand({ UserName: 'busy' })), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.', 409);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'busy', AccessKeyId: key.AccessKey!.AccessKeyId! }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'busy', PolicyName: 'inline', PolicyDocument: S3_LIST }));
    await expectError(iam.send(new DeleteUserCommand({ UserName: 'busy' })), 'DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'busy', PolicyName: 'inline' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await expectError(iam.send(new DeleteUserCommand({ UserName: 'busy' })), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
    expect((await iam.send(new GetUserCommand({ UserName: 'busy' }))).User?.UserName).toBe('busy');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteUserCommand({ UserName: 'busy' }));
  });

  it('permissions boundary: type Policy, errors for bad and missing ARNs', async () => {
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'user-boundary', PolicyDocument: S3_LIST }));
    const arn = policy.Policy!.Arn!;
    const created = await iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: arn }));
    expect(created.User?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn });
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User?.PermissionsBoundary).toBeUndefined();
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe('arn:aws:iam::aws:policy/PowerUserAccess');
    const missing = `arn:aws:iam::${server.accountId}:policy/nonexistent-policy`;
    await expectError(
      iam.send(new CreateUserCommand({ UserName: 'bounded2', PermissionsBoundary: missing })),
      'NoSuchEntity',
      `Scope ARN: ${missing} does not exist or is not attachable.`,
    );
    await expectError(iam.send(new GetUserCommand({ UserName: 'bounded2' })), 'NoSuchEntity', 'The user with name bounded2 cannot be found.');
    const notPolicy = `arn:aws:iam::${server.accountId}:not_a_policy/invalid`;
    await expectError(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: notPolicy })), 'InvalidInput', `ARN ${notPolicy} is not valid.`);
  });

  it('access keys: create, list, status, quota of 2, delete', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'keys' }));
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'keys' }))).AccessKeyMetadata).toEqual([]);
    const k1 = await iam.send(new CreateAccessKeyCommand({ UserName: 'keys' }));
    expect(k1.AccessKey).toMatchObject({ UserName: 'keys', Status: 'Active' });
    expect(k1.AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(k1.AccessKey?.SecretAccessKey).toHaveLength(40);
    const k2 = await iam.send(new CreateAccessKeyCommand({ UserName: 'keys' }));
    await expectError(iam.send(new CreateAccessKeyCommand({ UserName: 'keys' })), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'keys', AccessKeyId: k1.AccessKey!.AccessKeyId!, Status: 'Inactive' }));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'keys' }));
    expect(listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status])).toEqual([
      [k1.AccessKey!.AccessKeyId!, 'Inactive'],
      [k2.AccessKey!.AccessKeyId!, 'Active'],
    ]);
    expect(listed.AccessKeyMetadata?.[0]).not.toHaveProperty('SecretAccessKey');
    // An inactive key no longer authenticates.
    const inactive = server.sts({ accessKeyId: k1.AccessKey!.AccessKeyId!, secretAccessKey: k1.AccessKey!.SecretAccessKey! });
    expect((await awsError(inactive.send(new GetCallerIdentityCommand({})))).code).toBe('InvalidClientTokenId');
    await expectError(
      iam.send(new UpdateAccessKeyCommand({ UserName: 'keys', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Active' })),
      'NoSuchEntity',
      'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.',
      404,
    );
    await expectError(
      iam.send(new UpdateAccessKeyCommand({ UserName: 'keys', AccessKeyId: k1.AccessKey!.AccessKeyId!, Status: 'Expired' as 'Active' })),
      'ValidationError',
      "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set",
    );
    await expectError(iam.send(new CreateAccessKeyCommand({ UserName: 'nonexistent-user' })), 'NoSuchEntity', 'The user with name nonexistent-user cannot be found.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'keys', AccessKeyId: k1.AccessKey!.AccessKeyId! }));
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'keys' }))).AccessKeyMetadata).toHaveLength(1);
  });

  it('GetAccessKeyLastUsed: N/A before use, iam and the region after; AccessDenied for foreign keys', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'lastused' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'lastused', PolicyName: 'self', PolicyDocument: document([{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'lastused' }));
    const id = key.AccessKey!.AccessKeyId!;
    const unused = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    expect(unused.UserName).toBe('lastused');
    expect(unused.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    const own = server.iam({ accessKeyId: id, secretAccessKey: key.AccessKey!.SecretAccessKey! });
    const self = await own.send(new GetUserCommand({}));
    expect(self.User?.UserName).toBe('lastused');
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    expect(used.AccessKeyLastUsed).toMatchObject({ ServiceName: 'iam', Region: server.region });
    expect(used.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    await expectError(
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })),
      'AccessDenied',
      `User: arn:aws:iam::${server.accountId}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE`,
      403,
    );
  });

  it('without UserName: root gets its own shape and keys; a role session must name the user', async () => {
    const root = await iam.send(new GetUserCommand({}));
    expect(root.User).toMatchObject({ UserId: server.accountId, Arn: `arn:aws:iam::${server.accountId}:root` });
    const rootKeys = await iam.send(new ListAccessKeysCommand({}));
    expect(rootKeys.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toContain(server.rootCredentials.accessKeyId);

    const trust = document([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'sts:AssumeRole' }]);
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'iam-operator', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'iam-operator', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }));
    await iam.send(new CreateUserCommand({ UserName: 'assumer' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'assumer', PolicyName: 'assume', PolicyDocument: document([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.Role!.Arn! }]) }));
    const assumerKey = await iam.send(new CreateAccessKeyCommand({ UserName: 'assumer' }));
    const assumer = server.sts({ accessKeyId: assumerKey.AccessKey!.AccessKeyId!, secretAccessKey: assumerKey.AccessKey!.SecretAccessKey! });
    const session = await assumer.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'session' }));
    const asRole = server.iam({
      accessKeyId: session.Credentials!.AccessKeyId!,
      secretAccessKey: session.Credentials!.SecretAccessKey!,
      sessionToken: session.Credentials!.SessionToken!,
    });
    await expectError(asRole.send(new DeleteAccessKeyCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })), 'ValidationError', 'Must specify userName when calling with non-User credentials', 400);
    await expectError(asRole.send(new GetUserCommand({})), 'ValidationError', 'Must specify userName when calling with non-User credentials');
    expect((await asRole.send(new GetUserCommand({ UserName: 'keys' }))).User?.UserName).toBe('keys');
  });

  it('an IAM user manages its own keys without UserName, and is denied what its policies do not allow', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'selfservice' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'selfservice',
        PolicyName: 'own-keys',
        PolicyDocument: document([{ Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'], Resource: `arn:aws:iam::${server.accountId}:user/selfservice` }]),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'selfservice' }));
    const self = server.iam({ accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! });
    const second = await self.send(new CreateAccessKeyCommand({}));
    expect(second.AccessKey?.UserName).toBe('selfservice');
    expect((await self.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
    await self.send(new DeleteAccessKeyCommand({ AccessKeyId: second.AccessKey!.AccessKeyId! }));
    const denied = await awsError(self.send(new CreateAccessKeyCommand({ UserName: 'keys' })));
    expect(denied).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(denied.message).toContain('iam:CreateAccessKey');
    expect(denied.message).toContain(`arn:aws:iam::${server.accountId}:user/keys`);
    await expectError(self.send(new ListUsersCommand({})), 'AccessDenied', /iam:ListUsers/);
  });

  it('pagination: MaxItems, Marker only when truncated, unknown marker', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await iam.send(new CreateUserCommand({ UserName: n, Path: '/paging/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/paging/', MaxItems: 2 }));
    expect(first.Users?.map((u) => u.UserName)).toEqual(['page-a', 'page-b']);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/paging/', MaxItems: 2, Marker: first.Marker }));
    expect(second.Users?.map((u) => u.UserName)).toEqual(['page-c']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    await expectError(iam.send(new ListUsersCommand({ Marker: 'bogus' })), 'ValidationError', 'Invalid Marker.', 400);
    await expectError(
      iam.send(new ListUsersCommand({ MaxItems: 1001 })),
      'ValidationError',
      "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
  });
});
