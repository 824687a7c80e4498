/**
 * The account the workloads run against, set up through the real API with the AWS SDK (as a user
 * would), and the direct store seeding used to grow the account to 100,000 roles.
 *
 *  - user /bench/bench-caller (tag team=platform) with an access key and an inline policy that lets
 *    it assume, tag and set the source identity of roles under /bench/;
 *  - role /bench/app-deployer (tags env, team): a trust policy with three statements and seven
 *    conditions (ExternalId, principal tag, session-name and source-identity patterns, source IP,
 *    request tags, tag keys, and a Deny), an inline policy, a customer managed policy and
 *    IAMReadOnlyAccess attached;
 *  - role /bench/chain-target, trusting app-deployer sessions (role chaining);
 *  - user /bench/bench-admin with AdministratorAccess, for the IAM write workload;
 *  - a role session of app-deployer (session policy, session tags, source identity).
 */
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { newId } from '../../src/ids.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { SigningCredentials } from './sigv4.js';

export const REGION = 'us-east-1';
export const EXTERNAL_ID = 'bench-external-id-42';
export const SOURCE_IDENTITY = 'ci-bench';
export const SEED_PATH = '/bench/seed/';

export interface BenchAccount {
  readonly accountId: string;
  readonly endpoint: string;
  readonly callerArn: string;
  readonly callerId: string;
  readonly caller: SigningCredentials;
  readonly admin: SigningCredentials;
  readonly roleArn: string;
  readonly chainRoleArn: string;
  /** A session of app-deployer, as AssumeRole with a session policy and tags returns it. */
  readonly session: SigningCredentials;
  /** Roles in the account (app-deployer, chain-target, then the seeded ones). */
  roles: number;
  /** Names of the seeded roles, in creation order. */
  readonly seeded: string[];
}

const statements = (...s: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: s });

/** The trust policy of app-deployer and, with their own ExternalId, of every seeded role. */
export function trustPolicy(accountId: string, callerArn: string, externalId: string): string {
  return statements(
    {
      Sid: 'AssumeFromCi',
      Effect: 'Allow',
      Principal: { AWS: callerArn },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Condition: {
        StringEquals: { 'sts:ExternalId': externalId, 'aws:PrincipalTag/team': 'platform' },
        StringLike: { 'sts:RoleSessionName': 'bench-*', 'sts:SourceIdentity': 'ci-*' },
        IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '10.0.0.0/8'] },
      },
    },
    {
      Sid: 'TagWithTeam',
      Effect: 'Allow',
      Principal: { AWS: callerArn },
      Action: 'sts:TagSession',
      Condition: { StringEquals: { 'aws:RequestTag/team': 'platform' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center'] } },
    },
    {
      Sid: 'NoBlockedPrincipals',
      Effect: 'Deny',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: 'sts:*',
      Condition: { StringEquals: { 'aws:PrincipalTag/blocked': 'true' } },
    },
  );
}

/** The session policy passed with every AssumeRole of the workloads (kept under 2,048 characters). */
export function sessionPolicy(accountId: string): string {
  return statements(
    { Sid: 'ReadAndChain', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'sts:AssumeRole', 'sts:TagSession', 'sts:GetCallerIdentity'], Resource: '*' },
    { Sid: 'NotAdmins', Effect: 'Deny', Action: 'iam:*', Resource: `arn:aws:iam::${accountId}:role/admin/*` },
  );
}

/** A customer managed policy of realistic size for the role (and the IAM write workload's document). */
export function appPolicy(accountId: string): string {
  return statements(
    { Sid: 'ReadArtifacts', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::artifacts-*', 'arn:aws:s3:::artifacts-*/*'] },
    {
      Sid: 'DeployTables',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'dynamodb:Query'],
      Resource: `arn:aws:dynamodb:*:${accountId}:table/app-*`,
      Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
    { Sid: 'Queues', Effect: 'Allow', Action: 'sqs:*', Resource: `arn:aws:sqs:*:${accountId}:app-*`, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    { Sid: 'NoKeyDeletion', Effect: 'Deny', Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'], Resource: '*' },
  );
}

async function accessKey(iam: IAMClient, userName: string): Promise<SigningCredentials> {
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

export async function setUpAccount(endpoint: string, accountId: string, root: SigningCredentials): Promise<BenchAccount> {
  const client = { endpoint, region: REGION, credentials: root, maxAttempts: 1 };
  const iam = new IAMClient(client);
  const tags = [
    { Key: 'team', Value: 'platform' },
    { Key: 'env', Value: 'prod' },
  ];

  const callerUser = (await iam.send(new CreateUserCommand({ UserName: 'bench-caller', Path: '/bench/', Tags: [{ Key: 'team', Value: 'platform' }] }))).User!;
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'bench-caller',
      PolicyName: 'assume-bench-roles',
      PolicyDocument: statements({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: `arn:aws:iam::${accountId}:role/bench/*` }),
    }),
  );
  const caller = await accessKey(iam, 'bench-caller');

  const role = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'app-deployer',
        Path: '/bench/',
        AssumeRolePolicyDocument: trustPolicy(accountId, callerUser.Arn!, EXTERNAL_ID),
        MaxSessionDuration: 7200,
        Tags: tags,
      }),
    )
  ).Role!;
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'app-deployer',
      PolicyName: 'chain-and-read',
      PolicyDocument: statements(
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: `arn:aws:iam::${accountId}:role/bench/*` },
        { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles', 'iam:ListRoleTags'], Resource: `arn:aws:iam::${accountId}:role/*` },
        { Effect: 'Deny', Action: 'iam:*', Resource: `arn:aws:iam::${accountId}:role/admin/*` },
      ),
    }),
  );
  const managed = (await iam.send(new CreatePolicyCommand({ PolicyName: 'bench-app-permissions', PolicyDocument: appPolicy(accountId) }))).Policy!;
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-deployer', PolicyArn: managed.Arn! }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-deployer', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));

  const chain = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'chain-target',
        Path: '/bench/',
        AssumeRolePolicyDocument: statements({
          Effect: 'Allow',
          Principal: { AWS: role.Arn! },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'sts:RoleSessionName': 'chain-*' }, StringEquals: { 'aws:PrincipalTag/team': 'platform' } },
        }),
        Tags: tags,
      }),
    )
  ).Role!;
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'chain-target', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));

  await iam.send(new CreateUserCommand({ UserName: 'bench-admin', Path: '/bench/' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'bench-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
  const admin = await accessKey(iam, 'bench-admin');

  const sts = new STSClient({ ...client, credentials: caller });
  const assumed = await sts.send(new AssumeRoleCommand(assumeRoleInput(role.Arn!, 'bench-session', EXTERNAL_ID, accountId, 7200)));
  const c = assumed.Credentials!;
  return {
    accountId,
    endpoint,
    callerArn: callerUser.Arn!,
    callerId: callerUser.UserId!,
    caller,
    admin,
    roleArn: role.Arn!,
    chainRoleArn: chain.Arn!,
    session: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    roles: 2,
    seeded: [],
  };
}

/** The parameters of every AssumeRole the workloads send (as the SDK's input shape). */
export function assumeRoleInput(roleArn: string, sessionName: string, externalId: string, accountId: string, durationSeconds = 3600) {
  return {
    RoleArn: roleArn,
    RoleSessionName: sessionName,
    ExternalId: externalId,
    DurationSeconds: durationSeconds,
    SourceIdentity: SOURCE_IDENTITY,
    Policy: sessionPolicy(accountId),
    Tags: [
      { Key: 'team', Value: 'platform' },
      { Key: 'cost-center', Value: 'cc-1234' },
    ],
    TransitiveTagKeys: ['team'],
  };
}

/** The same AssumeRole as Query parameters. */
export function assumeRoleParams(roleArn: string, sessionName: string, externalId: string, accountId: string): Record<string, string | number> {
  return {
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: roleArn,
    RoleSessionName: sessionName,
    ExternalId: externalId,
    DurationSeconds: 3600,
    SourceIdentity: SOURCE_IDENTITY,
    Policy: sessionPolicy(accountId),
    'Tags.member.1.Key': 'team',
    'Tags.member.1.Value': 'platform',
    'Tags.member.2.Key': 'cost-center',
    'Tags.member.2.Value': 'cc-1234',
    'TransitiveTagKeys.member.1': 'team',
  };
}

export function seedName(i: number): string {
  return `seed-${String(i).padStart(6, '0')}`;
}

export function seedExternalId(i: number): string {
  return `seed-external-${i}`;
}

/**
 * Grows the account to `total` roles by writing to the SQLite file directly (the server keeps
 * running: WAL lets it read while this process writes). Each role gets the same shape of trust
 * policy as app-deployer with its own ExternalId, so every trust document is distinct, and two tags.
 */
export async function seedRoles(dbFile: string, account: BenchAccount, total: number): Promise<number> {
  const started = Date.now();
  const store = openSqliteStore(dbFile);
  try {
    await store.migrate();
    const createdAt = new Date();
    while (account.roles < total) {
      const i = account.seeded.length;
      const name = seedName(i);
      await store.createRole({
        accountId: account.accountId,
        id: newId('AROA'),
        name,
        path: SEED_PATH,
        createdAt,
        assumeRolePolicyDocument: trustPolicy(account.accountId, account.callerArn, seedExternalId(i)),
        trustPrincipalIds: { [account.callerArn]: account.callerId },
        maxSessionDuration: 3600,
        tags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'service', Value: `svc-${i % 97}` },
        ],
      });
      account.seeded.push(name);
      account.roles++;
    }
  } finally {
    await store.close();
  }
  return (Date.now() - started) / 1000;
}
