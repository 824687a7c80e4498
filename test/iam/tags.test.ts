import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagPolicyCommand,
  UntagRoleCommand,
  UntagUserCommand,
  type IAMClient,
  type Tag,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, TRUST_EC2, awsError, document, expectError } from './helpers.js';

const tags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
const KEY_PATTERN = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';

describe('IAM tags (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
    await iam.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: TRUST_EC2 }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('roles: keys case-insensitive, last case wins, empty values, untag of an absent key succeeds', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'somekey', Value: 'somevalue' }, { Key: 'someotherkey', Value: 'someothervalue' }] }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role?.Tags).toHaveLength(2);
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'somekey', Value: 'updatedvalue' }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags).toEqual([
      { Key: 'somekey', Value: 'updatedvalue' },
      { Key: 'someotherkey', Value: 'someothervalue' },
    ]);
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'Somekey', Value: '' }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags?.[0]).toEqual({ Key: 'Somekey', Value: '' });
    await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['SOMEKEY', 'absent'] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags).toEqual([{ Key: 'someotherkey', Value: 'someothervalue' }]);
  });

  it('tag validation: recorded texts, checked before the role lookup', async () => {
    await expectError(
      iam.send(new TagRoleCommand({ RoleName: 'test-nonexistent-role', Tags: tags(51) })),
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      400,
    );
    await expectError(iam.send(new TagRoleCommand({ RoleName: 'test-nonexistent-role', Tags: tags(1) })), 'NoSuchEntity', 'The role with name test-nonexistent-role cannot be found.', 404);
    await expectError(
      iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'dup', Value: '1' }, { Key: 'DUP', Value: '2' }] })),
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      400,
    );
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'dup-tags', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })),
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
    await expectError(iam.send(new GetRoleCommand({ RoleName: 'dup-tags' })), 'NoSuchEntity', /dup-tags/);
    await expectError(
      iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
      'ValidationError',
      "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
    await expectError(
      iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] })),
      'ValidationError',
      "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
    await expectError(
      iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'invalid!key', Value: 'v' }] })),
      'ValidationError',
      `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ${KEY_PATTERN}`,
    );
    await expectError(
      iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: tags(51).map((t) => t.Key!) })),
      'ValidationError',
      "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    await expectError(
      iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['k'.repeat(129)] })),
      'ValidationError',
      `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${KEY_PATTERN}, Member must not be null]`,
    );
  });

  it('50 tags fit; the 51st by TagRole is refused and changes nothing', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'full-tags', AssumeRolePolicyDocument: TRUST_EC2, Tags: tags(50) }));
    await expectError(iam.send(new TagRoleCommand({ RoleName: 'full-tags', Tags: [{ Key: 'one-more', Value: 'x' }] })), 'LimitExceeded', 'The number of tags has reached the maximum limit.', 409);
    await iam.send(new TagRoleCommand({ RoleName: 'full-tags', Tags: [{ Key: 'K0', Value: 'replaced' }] }));
    const listed = await iam.send(new ListRoleTagsCommand({ RoleName: 'full-tags', MaxItems: 100 }));
    expect(listed.Tags).toHaveLength(50);
    expect(listed.Tags?.[0]).toEqual({ Key: 'K0', Value: 'replaced' });
    const page = await iam.send(new ListRoleTagsCommand({ RoleName: 'full-tags', MaxItems: 20 }));
    expect(page.IsTruncated).toBe(true);
    const rest = await iam.send(new ListRoleTagsCommand({ RoleName: 'full-tags', MaxItems: 100, Marker: page.Marker }));
    expect(rest.Tags).toHaveLength(30);
  });

  it('users: tags in GetUser only when present', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tag-user', Tags: [{ Key: 'somekey', Value: 'somevalue' }, { Key: 'someotherkey', Value: 'someothervalue' }] }));
    expect((await iam.send(new GetUserCommand({ UserName: 'tag-user' }))).User?.Tags).toHaveLength(2);
    await iam.send(new UntagUserCommand({ UserName: 'tag-user', TagKeys: ['somekey', 'someotherkey'] }));
    expect((await iam.send(new GetUserCommand({ UserName: 'tag-user' }))).User?.Tags).toBeUndefined();
    await iam.send(new TagUserCommand({ UserName: 'tag-user', Tags: [{ Key: 'team', Value: 'a' }] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'tag-user' }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    await expectError(iam.send(new TagUserCommand({ UserName: 'nonexistent-user', Tags: tags(1) })), 'NoSuchEntity', 'The user with name nonexistent-user cannot be found.');
    await expectError(iam.send(new ListUserTagsCommand({ UserName: 'nonexistent-user' })), 'NoSuchEntity', 'The user with name nonexistent-user cannot be found.');
  });

  it('policies: keys case-sensitive, listed by key length then key', async () => {
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'tag-order', PolicyDocument: S3_LIST, Tags: [{ Key: 'abc', Value: 'first' }, { Key: 'b', Value: 'second' }, { Key: 'z', Value: 'third' }, { Key: 'a', Value: 'fourth' }] }),
    );
    expect(created.Policy?.Tags?.map((t) => t.Key)).toEqual(['abc', 'b', 'z', 'a']);
    const arn = created.Policy!.Arn!;
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags?.map((t) => t.Key)).toEqual(['a', 'b', 'z', 'abc']);
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'A', Value: 'uppercase' }] }));
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags?.slice(0, 2)).toEqual([
      { Key: 'A', Value: 'uppercase' },
      { Key: 'a', Value: 'fourth' },
    ]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['A'] }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Tags).toHaveLength(4);
    await expectError(iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: '0', Value: '1' }, { Key: '0', Value: '2' }] })), 'InvalidInput', 'Duplicate tag keys found.');
    const missing = `arn:aws:iam::${server.accountId}:policy/NotAPolicy`;
    await expectError(iam.send(new TagPolicyCommand({ PolicyArn: missing, Tags: tags(1) })), 'NoSuchEntity', `Policy ${missing} was not found.`, 404);
    await expectError(iam.send(new UntagPolicyCommand({ PolicyArn: missing, TagKeys: ['a'] })), 'NoSuchEntity', `Policy ${missing} was not found.`);
  });

  it('tag actions are authorized with aws:RequestTag, aws:TagKeys and the resource tags', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'team-a-role', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'a' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'team-b-role', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'b' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'tagger' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'tagger',
        PolicyName: 'abac',
        PolicyDocument: document([
          {
            Effect: 'Allow',
            Action: 'iam:TagRole',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/team': 'a', 'aws:RequestTag/env': 'dev' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } },
          },
        ]),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'tagger' }));
    const tagger = server.iam({ accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! });
    await tagger.send(new TagRoleCommand({ RoleName: 'team-a-role', Tags: [{ Key: 'env', Value: 'dev' }] }));
    expect((await awsError(tagger.send(new TagRoleCommand({ RoleName: 'team-b-role', Tags: [{ Key: 'env', Value: 'dev' }] })))).code).toBe('AccessDenied');
    expect((await awsError(tagger.send(new TagRoleCommand({ RoleName: 'team-a-role', Tags: [{ Key: 'env', Value: 'prod' }] })))).code).toBe('AccessDenied');
    expect((await awsError(tagger.send(new TagRoleCommand({ RoleName: 'team-a-role', Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'x', Value: 'dev' }] })))).code).toBe(
      'AccessDenied',
    );
  });
});
