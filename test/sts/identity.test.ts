import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import { allow, createRole, createUser, expectFailure, sessionOf, trust, type CreatedUser } from './helpers.js';

// GetCallerIdentity per principal (ids-and-arns.md §5) and GetAccessKeyInfo (sts-api.md §8.2).

let server: TestServer;
let account: string;
let ivan: CreatedUser; // path /eng/, may assume roles, federate and look up keys
let role: { arn: string; roleId: string };

const whoAmI = async (credentials: Credentials) => {
  const { Account, Arn, UserId } = await server.sts(credentials).send(new GetCallerIdentityCommand({}));
  return { Account, Arn, UserId };
};
const keyInfo = (accessKeyId: string, credentials: Credentials = ivan.credentials) => server.sts(credentials).send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId }));

beforeAll(async () => {
  server = await startTestServer();
  account = server.accountId;
  ivan = await createUser(server, 'ivan', { path: '/eng/', inline: allow(['sts:AssumeRole', 'sts:GetFederationToken', 'sts:GetAccessKeyInfo']) });
  role = await createRole(server, 'reader', trust(`arn:aws:iam::${account}:root`), { path: '/svc/' });
});
afterAll(async () => {
  await server?.close();
});

describe('GetCallerIdentity', () => {
  it('the root user: UserId is the account ID', async () => {
    expect(await whoAmI(server.rootCredentials)).toEqual({ Account: account, Arn: `arn:aws:iam::${account}:root`, UserId: account });
  });

  it('an IAM user: the user ARN with its path, and the AIDA id CreateUser returned', async () => {
    expect(ivan.arn).toBe(`arn:aws:iam::${account}:user/eng/ivan`);
    expect(await whoAmI(ivan.credentials)).toEqual({ Account: account, Arn: ivan.arn, UserId: ivan.userId });
    expect(ivan.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it('a role session: the assumed-role ARN without the role path, and RoleId:session', async () => {
    expect(role.arn).toBe(`arn:aws:iam::${account}:role/svc/reader`);
    const result = await server.sts(ivan.credentials).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'ivan-reads' }));
    expect(result.AssumedRoleUser).toEqual({ Arn: `arn:aws:sts::${account}:assumed-role/reader/ivan-reads`, AssumedRoleId: `${role.roleId}:ivan-reads` });
    expect(await whoAmI(sessionOf(result))).toEqual({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/reader/ivan-reads`, UserId: `${role.roleId}:ivan-reads` });
  });

  it('a federated user: account:name', async () => {
    const result = await server.sts(ivan.credentials).send(new GetFederationTokenCommand({ Name: 'ivan-fed' }));
    expect(await whoAmI(sessionOf(result))).toEqual({ Account: account, Arn: `arn:aws:sts::${account}:federated-user/ivan-fed`, UserId: `${account}:ivan-fed` });
  });

  it('needs no permission: a user without any policy may call it', async () => {
    const nobody = await createUser(server, 'nobody');
    expect((await whoAmI(nobody.credentials)).Arn).toBe(nobody.arn);
  });
});

describe('GetAccessKeyInfo', () => {
  it('names the account of AKIA keys (a user’s, the root’s) and of ASIA keys', async () => {
    expect((await keyInfo(ivan.credentials.accessKeyId)).Account).toBe(account);
    expect((await keyInfo(server.rootCredentials.accessKeyId)).Account).toBe(account);
    const session = sessionOf(await server.sts(ivan.credentials).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'key-info' })));
    expect((await keyInfo(session.accessKeyId)).Account).toBe(account);
    // A session may ask too, about its own key.
    await expect(server.sts(server.rootCredentials).send(new GetAccessKeyInfoCommand({ AccessKeyId: session.accessKeyId }))).resolves.toMatchObject({ Account: account });
  });

  it('needs sts:GetAccessKeyInfo', async () => {
    const plain = await createUser(server, 'no-key-info');
    await expectFailure(
      keyInfo(ivan.credentials.accessKeyId, plain.credentials),
      'AccessDenied',
      new RegExp(`^User: ${plain.arn} is not authorized to perform: sts:GetAccessKeyInfo`),
      403,
    );
  });

  it('validates the key ID shape', async () => {
    await expectFailure(
      keyInfo('AKIASHORT'),
      'ValidationError',
      "1 validation error detected: Value 'AKIASHORT' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16",
      400,
    );
  });
});
