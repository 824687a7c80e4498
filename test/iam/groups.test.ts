import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListRolesCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, awsError, document, expectError } from './helpers.js';

describe('IAM groups and membership (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('create, get with members, list, rename, delete', async () => {
    const created = await iam.send(new CreateGroupCommand({ GroupName: 'admins', Path: '/ops/' }));
    expect(created.Group).toMatchObject({ GroupName: 'admins', Path: '/ops/', Arn: `arn:aws:iam::${server.accountId}:group/ops/admins` });
    expect(created.Group?.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
    await expectError(iam.send(new CreateGroupCommand({ GroupName: 'Admins' })), 'EntityAlreadyExists', 'Group with name Admins already exists.', 409);
    const empty = await iam.send(new GetGroupCommand({ GroupName: 'admins' }));
    expect(empty).toMatchObject({ Users: [], IsTruncated: false });
    await iam.send(new CreateUserCommand({ UserName: 'member' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'member' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'member' }));
    const withMember = await iam.send(new GetGroupCommand({ GroupName: 'admins' }));
    expect(withMember.Users?.map((u) => u.UserName)).toEqual(['member']);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'member' }))).Groups?.map((g) => g.GroupName)).toEqual(['admins']);
    expect((await iam.send(new ListGroupsCommand({ PathPrefix: '/ops' }))).Groups?.map((g) => g.GroupName)).toEqual(['admins']);

    await iam.send(new UpdateGroupCommand({ GroupName: 'admins', NewGroupName: 'operators', NewPath: '/new-path/' }));
    await expectError(iam.send(new GetGroupCommand({ GroupName: 'admins' })), 'NoSuchEntity', 'The group with name admins cannot be found.', 404);
    const renamed = await iam.send(new GetGroupCommand({ GroupName: 'operators' }));
    expect(renamed.Group).toMatchObject({ GroupId: created.Group?.GroupId, Path: '/new-path/' });
    expect(renamed.Users).toHaveLength(1);
    await iam.send(new CreateGroupCommand({ GroupName: 'other' }));
    await expectError(iam.send(new UpdateGroupCommand({ GroupName: 'other', NewGroupName: 'operators' })), 'EntityAlreadyExists', 'Group with name operators already exists.');
    await expectError(iam.send(new UpdateGroupCommand({ GroupName: 'nonexisting' })), 'NoSuchEntity', 'The group with name nonexisting cannot be found.');

    await expectError(iam.send(new DeleteGroupCommand({ GroupName: 'operators' })), 'DeleteConflict', 'Cannot delete entity, must remove users from group first.', 409);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'operators', UserName: 'member' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'operators', PolicyName: 'p', PolicyDocument: S3_LIST }));
    await expectError(iam.send(new DeleteGroupCommand({ GroupName: 'operators' })), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'operators', PolicyName: 'p' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'operators', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await expectError(iam.send(new DeleteGroupCommand({ GroupName: 'operators' })), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'operators', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'operators' }));
    await expectError(iam.send(new DeleteGroupCommand({ GroupName: 'unknown-group' })), 'NoSuchEntity', 'The group with name unknown-group cannot be found.');
  });

  it('membership errors: the missing user is reported first', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'known' }));
    await iam.send(new CreateUserCommand({ UserName: 'known-user' }));
    await expectError(iam.send(new AddUserToGroupCommand({ GroupName: 'known', UserName: 'non-existent-user' })), 'NoSuchEntity', 'The user with name non-existent-user cannot be found.');
    await expectError(iam.send(new AddUserToGroupCommand({ GroupName: 'non-existent-group', UserName: 'known-user' })), 'NoSuchEntity', 'The group with name non-existent-group cannot be found.');
    await expectError(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'nonexistent-group', UserName: 'any-user' })), 'NoSuchEntity', 'The user with name any-user cannot be found.');
    await iam.send(new AddUserToGroupCommand({ GroupName: 'known', UserName: 'known-user' }));
    await expectError(iam.send(new DeleteUserCommand({ UserName: 'known-user' })), 'DeleteConflict', 'Cannot delete entity, must remove users from group first.');
  });

  it('a renamed user keeps its memberships', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'team' }));
    await iam.send(new CreateUserCommand({ UserName: 'old-name' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: 'old-name' }));
    await iam.send(new UpdateUserCommand({ UserName: 'old-name', NewUserName: 'new-name' }));
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'new-name' }))).Groups?.map((g) => g.GroupName)).toEqual(['team']);
    await expectError(iam.send(new ListGroupsForUserCommand({ UserName: 'old-name' })), 'NoSuchEntity', 'The user with name old-name cannot be found.');
    expect((await iam.send(new GetGroupCommand({ GroupName: 'team' }))).Users?.map((u) => u.UserName)).toEqual(['new-name']);
  });

  it("a group's policies apply to its members, and removal takes effect at once", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'list-roles', PolicyDocument: document([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]) }));
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    const reader = server.iam({ accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! });
    expect((await awsError(reader.send(new ListRolesCommand({})))).code).toBe('AccessDenied');
    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'reader' }));
    expect((await reader.send(new ListRolesCommand({}))).Roles).toEqual([]);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'reader' }));
    expect((await awsError(reader.send(new ListRolesCommand({})))).code).toBe('AccessDenied');
  });

  it('groups per user: 10', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'joiner' }));
    for (let i = 0; i < 10; i++) {
      await iam.send(new CreateGroupCommand({ GroupName: `many-${i}` }));
      await iam.send(new AddUserToGroupCommand({ GroupName: `many-${i}`, UserName: 'joiner' }));
    }
    await iam.send(new CreateGroupCommand({ GroupName: 'many-10' }));
    await expectError(iam.send(new AddUserToGroupCommand({ GroupName: 'many-10', UserName: 'joiner' })), 'LimitExceeded', 'Cannot exceed quota for GroupsPerUser: 10', 409);
  });
});
