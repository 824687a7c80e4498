import { CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';

let server: TestServer;
let plain: TestServer;
let carol: Credentials;

async function userWithKey(target: TestServer, name: string): Promise<Credentials> {
  await target.iam().send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await target.iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const trustAccount = (account: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });

beforeAll(async () => {
  server = await startTestServer();
  plain = await startTestServer({ config: { encodeDenials: false } });
  carol = await userWithKey(server, 'carol');
});
afterAll(async () => {
  await server?.close();
  await plain?.close();
});

function encodedPart(message: string): string {
  const match = / Encoded authorization failure message: ([A-Za-z0-9_-]+)$/.exec(message);
  expect(match).not.toBeNull();
  return match![1]!;
}

describe('decodable denials', () => {
  it('explains a denied AssumeRole: no identity policy allows it', async () => {
    const { Role } = await server.iam().send(new CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: trustAccount(server.accountId) }));
    const error = await server.sts(carol).send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 's' + 'x' })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AccessDenied' });
    const encoded = encodedPart((error as Error).message);
    const { DecodedMessage } = await server.sts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    const decoded = JSON.parse(DecodedMessage!);
    expect(decoded).toMatchObject({
      allowed: false,
      explicitDeny: false,
      context: { principal: { arn: `arn:aws:iam::${server.accountId}:user/carol` }, action: 'sts:AssumeRole', resource: Role!.Arn! },
      explanation: { missingLayer: 'identity' },
    });
    expect(decoded.context.conditions.items).toContainEqual({ item: { key: 'sts:RoleSessionName', values: { items: [{ value: 'sx' }] } } });
  });

  it('needs sts:DecodeAuthorizationMessage, and refuses what it did not seal', async () => {
    const error = await server.sts(carol).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'abc' })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AccessDenied' });
    const decodeMessage = (error as Error).message;
    expect(decodeMessage).toMatch(/^User: arn:aws:iam::\d{12}:user\/carol is not authorized to perform: sts:DecodeAuthorizationMessage on resource: \* because no identity-based policy allows the sts:DecodeAuthorizationMessage action/);
    await server.iam().send(
      new PutUserPolicyCommand({
        UserName: 'carol',
        PolicyName: 'decode',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:DecodeAuthorizationMessage', Resource: '*' }] }),
      }),
    );
    const { DecodedMessage } = await server.sts(carol).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encodedPart(decodeMessage) }));
    expect(JSON.parse(DecodedMessage!)).toMatchObject({ allowed: false, context: { action: 'sts:DecodeAuthorizationMessage' } });
    await expect(server.sts(carol).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'bm90LWEtbWVzc2FnZQ' }))).rejects.toMatchObject({
      name: 'InvalidAuthorizationMessageException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('can be turned off, leaving exactly AWS text', async () => {
    const dave = await userWithKey(plain, 'dave');
    const { Role } = await plain.iam().send(new CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: trustAccount(plain.accountId) }));
    await expect(plain.sts(dave).send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'dave' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${plain.accountId}:user/dave is not authorized to perform: sts:AssumeRole on resource: ${Role!.Arn!}`,
    });
  });
});
