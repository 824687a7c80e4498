import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import { AWS_CLI, cleanEnv, requireExecutable, run, type RunResult } from './helpers.js';

// One scenario through the real AWS CLI v2 (query-protocol.md §3: errors on stderr, exit 254).

let server: TestServer;
let dir: string;
let credentialsFile: string;
let account: string;
let roleArn: string;

const TRUST = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});

async function addProfile(name: string, credentials: Credentials): Promise<void> {
  const token = credentials.sessionToken ? `aws_session_token = ${credentials.sessionToken}\n` : '';
  await appendFile(credentialsFile, `[${name}]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n${token}\n`);
}

function aws(profile: string, ...args: string[]): Promise<RunResult> {
  return run(AWS_CLI, [...args, '--endpoint-url', server.endpoint, '--region', 'us-east-1', '--output', 'json', '--profile', profile], {
    cwd: dir,
    env: cleanEnv(dir, { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: path.join(dir, 'config') }),
  });
}

/** A successful command's JSON output. */
async function awsJson(profile: string, ...args: string[]): Promise<Record<string, any>> {
  const result = await aws(profile, ...args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, any>);
}

beforeAll(async () => {
  requireExecutable(AWS_CLI, 'The AWS CLI v2');
  server = await startTestServer();
  account = server.accountId;
  dir = await mkdtemp(path.join(tmpdir(), 'open-sts-cli-'));
  credentialsFile = path.join(dir, 'credentials');
  await writeFile(credentialsFile, '', { mode: 0o600 });
  await writeFile(path.join(dir, 'config'), '');
  await addProfile('root', server.rootCredentials);
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('AWS CLI v2', { timeout: 120_000 }, () => {
  it('sts get-caller-identity as the account root', async () => {
    expect(await awsJson('root', 'sts', 'get-caller-identity')).toEqual({ UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` });
  });

  it('iam create-user and create-access-key', async () => {
    const { User } = await awsJson('root', 'iam', 'create-user', '--user-name', 'alice');
    expect(User).toMatchObject({ UserName: 'alice', Path: '/', Arn: `arn:aws:iam::${account}:user/alice` });
    expect(User.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const { AccessKey } = await awsJson('root', 'iam', 'create-access-key', '--user-name', 'alice');
    expect(AccessKey).toMatchObject({ UserName: 'alice', Status: 'Active' });
    expect(AccessKey.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    await addProfile('alice', { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
    expect((await awsJson('alice', 'sts', 'get-caller-identity')).Arn).toBe(`arn:aws:iam::${account}:user/alice`);
  });

  it('iam create-role with a trust policy file; the CLI shows the document as JSON', async () => {
    const trust = TRUST(`arn:aws:iam::${account}:user/alice`);
    await writeFile(path.join(dir, 'trust.json'), JSON.stringify(trust, null, 2));
    const { Role } = await awsJson('root', 'iam', 'create-role', '--role-name', 'cli-deployer', '--assume-role-policy-document', 'file://trust.json');
    roleArn = Role.Arn;
    expect(roleArn).toBe(`arn:aws:iam::${account}:role/cli-deployer`);
    expect(Role.AssumeRolePolicyDocument).toEqual(trust);
    await awsJson('root', 'iam', 'attach-role-policy', '--role-name', 'cli-deployer', '--policy-arn', 'arn:aws:iam::aws:policy/IAMReadOnlyAccess');
  });

  it('sts assume-role returns credentials that iam get-role accepts', async () => {
    const result = await awsJson('alice', 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-session');
    expect(result.AssumedRoleUser).toEqual({ AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:cli-session$/), Arn: `arn:aws:sts::${account}:assumed-role/cli-deployer/cli-session` });
    expect(result.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(new Date(result.Credentials.Expiration).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    await addProfile('session', {
      accessKeyId: result.Credentials.AccessKeyId,
      secretAccessKey: result.Credentials.SecretAccessKey,
      sessionToken: result.Credentials.SessionToken,
    });
    expect((await awsJson('session', 'sts', 'get-caller-identity')).Arn).toBe(`arn:aws:sts::${account}:assumed-role/cli-deployer/cli-session`);
    const { Role } = await awsJson('session', 'iam', 'get-role', '--role-name', 'cli-deployer');
    expect(Role).toMatchObject({ RoleName: 'cli-deployer', Arn: roleArn, MaxSessionDuration: 3600, AssumeRolePolicyDocument: TRUST(`arn:aws:iam::${account}:user/alice`) });
  });

  it('the session is read-only: iam create-user fails with exit 254 and AccessDenied', async () => {
    const result = await aws('session', 'iam', 'create-user', '--user-name', 'mallory');
    expect(result.code).toBe(254);
    expect(result.stderr).toContain('An error occurred (AccessDenied) when calling the CreateUser operation: ');
  });

  it('a denied assume-role exits 254 with AWS’s message on stderr', async () => {
    const { AccessKey } = await (async () => {
      await awsJson('root', 'iam', 'create-user', '--user-name', 'bob');
      return awsJson('root', 'iam', 'create-access-key', '--user-name', 'bob');
    })();
    await addProfile('bob', { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
    const result = await aws('bob', 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'denied');
    expect(result.code).toBe(254);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(
      new RegExp(
        `^An error occurred \\(AccessDenied\\) when calling the AssumeRole operation: User: arn:aws:iam::${account}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${roleArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
  });

  it('a validation error exits 254 too', async () => {
    const result = await aws('alice', 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'bad:name');
    expect(result.code).toBe(254);
    expect(result.stderr.trim()).toBe(
      "An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation error detected: Value 'bad:name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });
});
