import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createRole, createUser, escapeRegExp, policy, type CreatedUser } from '../sts/helpers.js';
import { PYTHON, cleanEnv, requireExecutable, run } from './helpers.js';

// One scenario through boto3: botocore's parsers must accept every response as they accept AWS's.

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'boto3-scenario.py');

let server: TestServer;
let dir: string;
let account: string;
let pia: CreatedUser; // trusted by the role
let quinn: CreatedUser; // not trusted
let role: { arn: string; roleId: string };
let trustDocument: Record<string, unknown>;
let out: Record<string, any>;

beforeAll(async () => {
  requireExecutable(PYTHON, 'Python 3 with boto3');
  const probe = await run(PYTHON, ['-c', 'import boto3'], { env: cleanEnv(tmpdir(), {}) });
  if (probe.code !== 0) throw new Error(`boto3 must be importable by ${PYTHON} for this test (CI installs python3-boto3):\n${probe.stderr}`);
  server = await startTestServer();
  account = server.accountId;
  dir = await mkdtemp(path.join(tmpdir(), 'open-sts-boto3-'));
  await writeFile(path.join(dir, 'credentials'), '');
  await writeFile(path.join(dir, 'config'), '');
  pia = await createUser(server, 'pia');
  quinn = await createUser(server, 'quinn');
  trustDocument = JSON.parse(
    policy([{ Effect: 'Allow', Principal: { AWS: pia.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'aws:RequestTag/team': 'python' } } }]),
  ) as Record<string, unknown>;
  role = await createRole(server, 'boto3-role', JSON.stringify(trustDocument));
  await server.iam().send(new AttachRolePolicyCommand({ RoleName: 'boto3-role', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));

  const result = await run(PYTHON, [SCRIPT], {
    cwd: dir,
    env: cleanEnv(dir, { AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_CONFIG_FILE: path.join(dir, 'config') }),
    input: JSON.stringify({ endpoint: server.endpoint, roleArn: role.arn, roleName: 'boto3-role', user: pia.credentials, other: quinn.credentials }),
  });
  if (result.code !== 0) throw new Error(`the boto3 scenario failed (exit ${result.code}):\n${result.stderr}`);
  out = JSON.parse(result.stdout) as Record<string, any>;
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('boto3', () => {
  it('GetCallerIdentity with the user’s key', () => {
    expect(out.callerUser).toEqual({ UserId: pia.userId, Account: account, Arn: pia.arn });
  });

  it('AssumeRole: members and types as botocore parses them', () => {
    expect(out.assumed.keys).toEqual(['AssumedRoleUser', 'Credentials', 'PackedPolicySize']);
    expect(out.assumed.AssumedRoleUser).toEqual({ AssumedRoleId: `${role.roleId}:boto3-session`, Arn: `arn:aws:sts::${account}:assumed-role/boto3-role/boto3-session` });
    expect(out.assumed.PackedPolicySize).toEqual(expect.any(Number));
    expect(out.assumed.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    // A timezone-aware datetime in UTC, and botocore found the request id in the body.
    expect(out.assumed.expirationType).toBe('datetime');
    expect(out.assumed.expirationUtcOffset).toBe(0);
    expect(out.assumed.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('GetCallerIdentity with the session', () => {
    expect(out.callerSession).toEqual({ UserId: `${role.roleId}:boto3-session`, Account: account, Arn: `arn:aws:sts::${account}:assumed-role/boto3-role/boto3-session` });
  });

  it('IAM GetRole with the session: botocore decodes AssumeRolePolicyDocument to a dict', () => {
    expect(out.role).toMatchObject({ RoleName: 'boto3-role', Arn: role.arn, documentType: 'dict', createDateType: 'datetime', MaxSessionDuration: 3600 });
    expect(out.role.document).toEqual(trustDocument);
    expect(out.role.RoleLastUsed).toMatchObject({ LastUsedDate: expect.any(String) });
  });

  it('errors: the modeled NoSuchEntityException, AccessDenied, ValidationError as ClientError', () => {
    expect(out.missing).toMatchObject({ class: 'NoSuchEntityException', code: 'NoSuchEntity', message: 'The role with name no-such-role cannot be found.', type: 'Sender', status: 404 });
    expect(out.denied).toMatchObject({ class: 'ClientError', code: 'AccessDenied', type: 'Sender', status: 403 });
    expect(out.denied.message).toMatch(new RegExp(`^User: ${escapeRegExp(quinn.arn)} is not authorized to perform: sts:AssumeRole on resource: ${escapeRegExp(role.arn)}`));
    expect(out.denied.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.invalid).toMatchObject({
      class: 'ClientError',
      code: 'ValidationError',
      status: 400,
      message: `1 validation error detected: Value '${'x'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
  });
});
