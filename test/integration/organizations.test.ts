import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AccountNotFoundException,
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function waitForAccount(requestId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { CreateAccountStatus } = await server.organizations().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }));
    if (CreateAccountStatus?.State === 'SUCCEEDED') return CreateAccountStatus.AccountId!;
    if (CreateAccountStatus?.State === 'FAILED') throw new Error(`account creation failed: ${CreateAccountStatus.FailureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('account creation did not finish');
}

describe('Organizations', () => {
  it('describes the organization whose management account is the first account', async () => {
    const { Organization } = await server.organizations().send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({
      Id: expect.stringMatching(/^o-[a-z0-9]{10}$/),
      FeatureSet: 'ALL',
      MasterAccountId: server.accountId,
      MasterAccountArn: expect.stringMatching(new RegExp(`^arn:aws:organizations::${server.accountId}:account/o-[a-z0-9]{10}/${server.accountId}$`)),
    });
    expect(Organization!.Arn).toBe(`arn:aws:organizations::${server.accountId}:organization/${Organization!.Id}`);
  });

  it('creates accounts asynchronously and lists them with both Status and State', async () => {
    const { CreateAccountStatus } = await server.organizations().send(new CreateAccountCommand({ Email: 'dev@example.com', AccountName: 'dev' }));
    expect(CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'dev', Id: expect.stringMatching(/^car-[a-z0-9]{32}$/) });
    expect(CreateAccountStatus!.RequestedTimestamp).toBeInstanceOf(Date);
    const accountId = await waitForAccount(CreateAccountStatus!.Id!);
    expect(accountId).toMatch(/^\d{12}$/);

    const { Account } = await server.organizations().send(new DescribeAccountCommand({ AccountId: accountId }));
    expect(Account).toMatchObject({ Id: accountId, Name: 'dev', Email: 'dev@example.com', Status: 'ACTIVE', State: 'ACTIVE', JoinedMethod: 'CREATED' });
    const { Accounts } = await server.organizations().send(new ListAccountsCommand({}));
    expect(Accounts!.map((a) => a.Id)).toEqual(expect.arrayContaining([server.accountId, accountId]));

    const duplicate = await server.organizations().send(new CreateAccountCommand({ Email: 'DEV@example.com', AccountName: 'dev2' }));
    await expect(waitForAccount(duplicate.CreateAccountStatus!.Id!)).rejects.toThrow('EMAIL_ALREADY_EXISTS');
  });

  it('pages ListAccounts', async () => {
    for (const name of ['a1', 'a2', 'a3']) {
      const { CreateAccountStatus } = await server.organizations().send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }));
      await waitForAccount(CreateAccountStatus!.Id!);
    }
    const first = await server.organizations().send(new ListAccountsCommand({ MaxResults: 2 }));
    expect(first.Accounts).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const second = await server.organizations().send(new ListAccountsCommand({ MaxResults: 20, NextToken: first.NextToken }));
    const all = [...first.Accounts!, ...second.Accounts!].map((a) => a.Id);
    expect(new Set(all).size).toBe(all.length);
    await expect(server.organizations().send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('answers AWS errors for a missing account, bad input and a caller without permission', async () => {
    await expect(server.organizations().send(new DescribeAccountCommand({ AccountId: '000000000000' }))).rejects.toBeInstanceOf(AccountNotFoundException);
    await expect(server.organizations().send(new DescribeAccountCommand({ AccountId: 'abc' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(server.organizations().send(new CreateAccountCommand({ Email: 'not-an-email', AccountName: 'x' }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
    await server.iam().send(new CreateUserCommand({ UserName: 'nobody' }));
    const { AccessKey } = await server.iam().send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
    const nobody = server.organizations({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    await expect(nobody.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await server.iam().send(
      new PutUserPolicyCommand({
        UserName: 'nobody',
        PolicyName: 'read-org',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:Describe*', Resource: '*' }] }),
      }),
    );
    await expect(nobody.send(new DescribeOrganizationCommand({}))).resolves.toBeDefined();
  });
});
