import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';

let server: TestServer;
let clock: ManualClock;
let account: string;
let alice: Credentials; // an IAM user with no policies of her own
let bob: Credentials; // an IAM user allowed sts:AssumeRole on every role

const allowAll = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = (principal: string, actions: string[] = ['sts:AssumeRole'], condition?: object) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: actions, ...(condition ? { Condition: condition } : {}) }],
  });

async function createUserWithKey(name: string): Promise<Credentials> {
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

async function createRole(name: string, trustPolicy: string, extra: { maxSessionDuration?: number } = {}): Promise<string> {
  const { Role } = await server.iam().send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, ...(extra.maxSessionDuration ? { MaxSessionDuration: extra.maxSessionDuration } : {}) }),
  );
  return Role!.Arn!;
}

function assume(credentials: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) {
  return server.sts(credentials).send(new AssumeRoleCommand({ RoleSessionName: 'session', ...input }));
}

/** AWS's AccessDenied text, followed by the encoded explanation open-sts adds by default. */
function deniedWith(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} Encoded authorization failure message: [A-Za-z0-9_-]+$`);
}

function sessionCredentials(result: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } }): Credentials {
  return { accessKeyId: result.Credentials!.AccessKeyId!, secretAccessKey: result.Credentials!.SecretAccessKey!, sessionToken: result.Credentials!.SessionToken! };
}

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ clock });
  account = server.accountId;
  alice = await createUserWithKey('alice');
  bob = await createUserWithKey('bob');
  await server.iam().send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'assume', PolicyDocument: allowAll('sts:AssumeRole') }));
});
afterAll(async () => {
  await server?.close();
});

describe('AssumeRole: trust evaluation', () => {
  it('a trust policy naming the account needs the caller identity policy too', async () => {
    const arn = await createRole('account-trust', trust(`arn:aws:iam::${account}:root`));
    await expect(assume(alice, { RoleArn: arn })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(deniedWith(`User: arn:aws:iam::${account}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${arn}`)),
      $metadata: { httpStatusCode: 403 },
    });
    const result = await assume(bob, { RoleArn: arn, RoleSessionName: 'bob-session' });
    expect(result.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/account-trust/bob-session`);
    expect(result.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:bob-session$/);
    expect(result.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(result.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(result.PackedPolicySize).toBeUndefined();
    expect(result.SourceIdentity).toBeUndefined();
  });

  it('a trust policy naming the user directly suffices in the same account', async () => {
    const arn = await createRole('direct-trust', trust(`arn:aws:iam::${account}:user/alice`));
    const result = await assume(alice, { RoleArn: arn });
    const identity = await server.sts(sessionCredentials(result)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/direct-trust/session`);
    expect(identity.UserId).toBe(result.AssumedRoleUser?.AssumedRoleId);
    expect(identity.Account).toBe(account);
  });

  it('answers a role that does not exist exactly like one the caller may not assume', async () => {
    const missing = `arn:aws:iam::${account}:role/no-such-role`;
    await expect(assume(bob, { RoleArn: missing })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(deniedWith(`User: arn:aws:iam::${account}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${missing}`)),
    });
  });

  it('refuses the account root', async () => {
    const arn = await createRole('root-trust', trust(`arn:aws:iam::${account}:root`));
    await expect(assume(server.rootCredentials, { RoleArn: arn })).rejects.toMatchObject({ name: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' });
  });

  it('enforces an ExternalId condition', async () => {
    const arn = await createRole('external-id', trust(`arn:aws:iam::${account}:root`, ['sts:AssumeRole'], { StringEquals: { 'sts:ExternalId': 'build-42' } }));
    await expect(assume(bob, { RoleArn: arn })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(bob, { RoleArn: arn, ExternalId: 'build-41' })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(bob, { RoleArn: arn, ExternalId: 'build-42' })).resolves.toBeDefined();
  });
});

describe('AssumeRole: parameters and limits', () => {
  it('words member violations as STS does', async () => {
    const arn = `arn:aws:iam::${account}:role/account-trust`;
    await expect(assume(bob, { RoleArn: arn, RoleSessionName: 's'.repeat(65) })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${'s'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(assume(bob, { RoleArn: arn, RoleSessionName: 'Session1:2' })).rejects.toMatchObject({
      message: "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await expect(assume(bob, { RoleArn: 'arn:a:::something/test-role' })).rejects.toMatchObject({ name: 'ValidationError', message: 'arn:a:::something/test-role is invalid' });
    await expect(assume(bob, { RoleArn: arn, RoleSessionName: 's'.repeat(64) })).resolves.toBeDefined();
    await expect(assume(bob, { RoleArn: arn, ExternalId: 'e'.repeat(1225) })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('caps the duration at the role maximum, and chained sessions at one hour', async () => {
    const arn = await createRole('long-sessions', trust(`arn:aws:iam::${account}:root`), { maxSessionDuration: 7200 });
    await server.iam().send(new PutRolePolicyCommand({ RoleName: 'long-sessions', PolicyName: 'assume', PolicyDocument: allowAll('sts:AssumeRole') }));
    await expect(assume(bob, { RoleArn: arn, DurationSeconds: 7201 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    const first = await assume(bob, { RoleArn: arn, DurationSeconds: 7200 });
    expect(first.Credentials!.Expiration!.getTime() - clock.now().getTime()).toBeGreaterThan(7190_000);
    const session = sessionCredentials(first);
    await expect(assume(session, { RoleArn: arn, DurationSeconds: 3601 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const chained = await assume(session, { RoleArn: arn });
    expect(chained.Credentials!.Expiration!.getTime() - clock.now().getTime()).toBeLessThanOrEqual(3600_000);
  });
});

describe('AssumeRole: what the session may do', () => {
  it('a session policy narrows the role', async () => {
    const arn = await createRole('reader', trust(`arn:aws:iam::${account}:root`));
    await server.iam().send(new AttachRolePolicyCommand({ RoleName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const full = sessionCredentials(await assume(bob, { RoleArn: arn }));
    await expect(server.iam(full).send(new ListRolesCommand({}))).resolves.toBeDefined();
    const narrowed = await assume(bob, { RoleArn: arn, Policy: allowAll('iam:GetRole') });
    expect(narrowed.PackedPolicySize).toBeGreaterThan(0);
    const session = sessionCredentials(narrowed);
    await expect(server.iam(session).send(new GetRoleCommand({ RoleName: 'reader' }))).resolves.toBeDefined();
    await expect(server.iam(session).send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('session tags need sts:TagSession and drive ABAC', async () => {
    const arn = await createRole('tagged', trust(`arn:aws:iam::${account}:root`, ['sts:AssumeRole', 'sts:TagSession']));
    const untaggable = await createRole('untaggable', trust(`arn:aws:iam::${account}:root`));
    await server.iam().send(
      new PutRolePolicyCommand({
        RoleName: 'tagged',
        PolicyName: 'abac',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }],
        }),
      }),
    );
    await server.iam().send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'tag', PolicyDocument: allowAll('sts:TagSession') }));
    await expect(assume(bob, { RoleArn: untaggable, Tags: [{ Key: 'team', Value: 'platform' }] })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(deniedWith(`User: arn:aws:iam::${account}:user/bob is not authorized to perform: sts:TagSession on resource: ${untaggable}`)),
    });
    const platform = sessionCredentials(await assume(bob, { RoleArn: arn, Tags: [{ Key: 'team', Value: 'platform' }] }));
    await expect(server.iam(platform).send(new GetRoleCommand({ RoleName: 'tagged' }))).resolves.toBeDefined();
    const other = sessionCredentials(await assume(bob, { RoleArn: arn, Tags: [{ Key: 'team', Value: 'data' }] }));
    await expect(server.iam(other).send(new GetRoleCommand({ RoleName: 'tagged' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(bob, { RoleArn: arn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'TEAM', Value: 'b' }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    await expect(assume(bob, { RoleArn: arn, Tags: [{ Key: 'team', Value: 'a' }], TransitiveTagKeys: ['project'] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'The specified transitive tag key must be included in the requested tags.',
    });
  });

  it('transitive tags and the source identity follow the chain and cannot be overridden', async () => {
    const arn = await createRole(
      'chain',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] },
        ],
      }),
    );
    await server.iam().send(new PutRolePolicyCommand({ RoleName: 'chain', PolicyName: 'sts', PolicyDocument: allowAll('sts:*') }));
    await server.iam().send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'source', PolicyDocument: allowAll('sts:SetSourceIdentity') }));
    const first = await assume(bob, {
      RoleArn: arn,
      Tags: [{ Key: 'Project', Value: 'Unicorn' }],
      TransitiveTagKeys: ['Project'],
      SourceIdentity: 'bob@example.com',
    });
    expect(first.SourceIdentity).toBe('bob@example.com');
    const session = sessionCredentials(first);
    const second = await assume(session, { RoleArn: arn, RoleSessionName: 'hop' });
    expect(second.SourceIdentity).toBe('bob@example.com');
    await expect(assume(session, { RoleArn: arn, Tags: [{ Key: 'project', Value: 'Other' }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    });
    await expect(assume(session, { RoleArn: arn, SourceIdentity: 'mallory' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('temporary credentials expire', async () => {
    const arn = `arn:aws:iam::${account}:role/account-trust`;
    const result = await assume(bob, { RoleArn: arn, DurationSeconds: 900 });
    const session = sessionCredentials(result);
    await expect(server.sts(session).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    clock.advance(901_000);
    try {
      const client = server.sts(session, { systemClockOffset: 901_000 });
      await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      clock.advance(-901_000);
    }
  });

  it('a token altered by one character is rejected', async () => {
    const result = await assume(bob, { RoleArn: `arn:aws:iam::${account}:role/account-trust` });
    const session = sessionCredentials(result);
    const token = session.sessionToken!;
    const i = Math.floor(token.length / 2);
    const altered = { ...session, sessionToken: token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1) };
    await expect(server.sts(altered).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('revokes older sessions the AWS way, leaving new ones working', async () => {
    const arn = await createRole('revocable', trust(`arn:aws:iam::${account}:root`));
    await server.iam().send(new AttachRolePolicyCommand({ RoleName: 'revocable', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const old = sessionCredentials(await assume(bob, { RoleArn: arn }));
    await expect(server.iam(old).send(new GetRoleCommand({ RoleName: 'revocable' }))).resolves.toBeDefined();
    clock.advance(5_000);
    const cutoff = clock.now().toISOString();
    await server.iam().send(
      new PutRolePolicyCommand({
        RoleName: 'revocable',
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }],
        }),
      }),
    );
    clock.advance(1_000);
    await expect(server.iam(old).send(new GetRoleCommand({ RoleName: 'revocable' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const fresh = sessionCredentials(await assume(bob, { RoleArn: arn }));
    await expect(server.iam(fresh).send(new GetRoleCommand({ RoleName: 'revocable' }))).resolves.toBeDefined();
  });

  it('role tags are visible to the trust policy as aws:ResourceTag', async () => {
    const arn = await createRole('env-prod', trust(`arn:aws:iam::${account}:root`, ['sts:AssumeRole'], { StringEquals: { 'aws:ResourceTag/env': 'prod' } }));
    await expect(assume(bob, { RoleArn: arn })).rejects.toMatchObject({ name: 'AccessDenied' });
    await server.iam().send(new TagRoleCommand({ RoleName: 'env-prod', Tags: [{ Key: 'env', Value: 'prod' }] }));
    await expect(assume(bob, { RoleArn: arn })).resolves.toBeDefined();
  });

  it('a user with AdministratorAccess but no trust is still refused (trust policies always need an allow)', async () => {
    const admin = await createUserWithKey('admin');
    await server.iam().send(new AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const arn = await createRole('only-alice', trust(`arn:aws:iam::${account}:user/alice`));
    await expect(assume(admin, { RoleArn: arn })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
