import { CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRotateCommand } from '../../src/cli/rotate-command.js';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: Credentials;
let roleArn: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.iam().send(new CreateUserCommand({ UserName: 'erin' }));
  await server.iam().send(
    new PutUserPolicyCommand({
      UserName: 'erin',
      PolicyName: 'assume',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }),
    }),
  );
  const { AccessKey } = await server.iam().send(new CreateAccessKeyCommand({ UserName: 'erin' }));
  user = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'sts:AssumeRole' }] });
  roleArn = (await server.iam().send(new CreateRoleCommand({ RoleName: 'rotating', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
});
afterAll(async () => {
  await server?.close();
});

async function session(): Promise<Credentials> {
  const { Credentials: c } = await server.sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'rot' }));
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

describe('rotating the session-token key ring', () => {
  it('keeps live sessions valid and seals new ones with the new key', async () => {
    const before = await session();
    const firstKey = server.app.keyRing.current.id;
    await server.app.rotateKeyRing();
    expect(server.app.keyRing.current.id).not.toBe(firstKey);
    expect(server.app.keyRing.size).toBe(2);
    await expect(server.sts(before).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: expect.stringContaining('assumed-role/rotating/rot') });
    const after = await session();
    await expect(server.sts(after).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    expect(after.sessionToken).not.toBe(before.sessionToken);
  });

  it('is what `open-sts rotate-session-keys` does to the store; a running node picks the new key up', async () => {
    const lines: string[] = [];
    const env = { OPEN_STS_DATA_DIR: server.dataDir, OPEN_STS_MASTER_KEY: server.config.masterKey };
    expect(await runRotateCommand([], env, (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toMatch(/Rotated the session-token key ring: 3 key\(s\)/);
    const old = await session();
    // A session sealed under the node's stale ring still opens; a token under the new key makes
    // the node reload the ring when it first meets that key.
    await expect(server.sts(old).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.app.reloadKeyRing();
    expect(server.app.keyRing.size).toBe(3);
    const fresh = await session();
    await expect(server.sts(fresh).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });
});
