import { CreatePolicyCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { DescribeAccountCommand, DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, type GetFederationTokenCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import { allow, createRole, createUser, expectFailure, failure, policy, sessionOf, trust, type CreatedUser } from './helpers.js';

// sts-api.md §7 and §9: GetFederationToken. A federated session may call no IAM API and no STS
// API but GetCallerIdentity, so its permissions are shown through Organizations calls.

let server: TestServer;
let clock: ManualClock;
let account: string;
let hana: CreatedUser; // may federate, read the organization and list accounts, and assume roles
let roleArn: string;

const ORG_READ = ['organizations:DescribeOrganization', 'organizations:ListAccounts'];
const federate = (input: GetFederationTokenCommandInput, credentials: Credentials = hana.credentials) => server.sts(credentials).send(new GetFederationTokenCommand(input));

/** A valid session policy padded with spaces to exactly `length` characters. */
function paddedPolicy(length: number, actions: readonly string[] = ['organizations:DescribeOrganization']): string {
  const text = policy([{ Effect: 'Allow', Action: actions, Resource: '*' }]);
  expect(text.length).toBeLessThanOrEqual(length);
  return text.slice(0, -1) + ' '.repeat(length - text.length) + '}';
}

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ clock });
  account = server.accountId;
  hana = await createUser(server, 'hana', { inline: allow(['sts:GetFederationToken', 'sts:AssumeRole', ...ORG_READ]) });
  roleArn = (await createRole(server, 'fed-target', trust(`arn:aws:iam::${account}:root`))).arn;
});
afterAll(async () => {
  await server?.close();
});

describe('GetFederationToken', () => {
  it('returns the federated user ARN and ID, and PackedPolicySize 0 without a policy', async () => {
    const result = await federate({ Name: 'fed-hana', DurationSeconds: 900 });
    expect(result.FederatedUser).toEqual({ Arn: `arn:aws:sts::${account}:federated-user/fed-hana`, FederatedUserId: `${account}:fed-hana` });
    expect(result.PackedPolicySize).toBe(0);
    const identity = await server.sts(sessionOf(result)).send(new GetCallerIdentityCommand({}));
    expect({ Account: identity.Account, Arn: identity.Arn, UserId: identity.UserId }).toEqual({
      Account: account,
      Arn: `arn:aws:sts::${account}:federated-user/fed-hana`,
      UserId: `${account}:fed-hana`,
    });
  });

  it('lasts 43200 seconds by default; the root user is clamped to 3600', async () => {
    const now = Math.floor(clock.now().getTime() / 1000) * 1000;
    expect((await federate({ Name: 'fed-default' })).Credentials!.Expiration!.getTime() - now).toBe(43200_000);
    const root = await federate({ Name: 'fed-root', DurationSeconds: 129600 }, server.rootCredentials);
    expect(root.Credentials!.Expiration!.getTime() - now).toBe(3600_000);
  });

  it('without a session policy the session has no permissions', async () => {
    const session = sessionOf(await federate({ Name: 'fed-nothing' }));
    await expectFailure(
      server.organizations(session).send(new DescribeOrganizationCommand({})),
      'AccessDeniedException',
      new RegExp(`^User: arn:aws:sts::${account}:federated-user/fed-nothing is not authorized to perform: organizations:DescribeOrganization`),
      403,
    );
  });

  it('grants the intersection of the user’s policies and the session policy', async () => {
    // The session policy allows DescribeOrganization (the user may) and DescribeAccount (the user may not).
    const sessionPolicy = allow(['organizations:DescribeOrganization', 'organizations:DescribeAccount']);
    const result = await federate({ Name: 'fed-inline', Policy: sessionPolicy });
    expect(result.PackedPolicySize).toBeGreaterThan(0);
    const orgs = server.organizations(sessionOf(result));
    await expect(orgs.send(new DescribeOrganizationCommand({}))).resolves.toMatchObject({ Organization: { MasterAccountId: account } });
    // The user may list accounts, the session policy does not say so.
    await expectFailure(orgs.send(new ListAccountsCommand({})), 'AccessDeniedException', /organizations:ListAccounts/, 403);
    // The session policy says so, the user may not.
    await expectFailure(orgs.send(new DescribeAccountCommand({ AccountId: account })), 'AccessDeniedException', /organizations:DescribeAccount/, 403);
  });

  it('takes managed session policies from PolicyArns', async () => {
    const { Policy } = await server.iam().send(new CreatePolicyCommand({ PolicyName: 'list-accounts', PolicyDocument: allow('organizations:ListAccounts') }));
    const orgs = server.organizations(sessionOf(await federate({ Name: 'fed-managed', PolicyArns: [{ arn: Policy!.Arn! }] })));
    await expect(orgs.send(new ListAccountsCommand({}))).resolves.toBeDefined();
    await expectFailure(orgs.send(new DescribeOrganizationCommand({})), 'AccessDeniedException', /organizations:DescribeOrganization/, 403);
  });

  it('accepts a 2048-character Policy and rejects 2049 with the recorded ValidationError', async () => {
    const atLimit = paddedPolicy(2048);
    expect(atLimit.length).toBe(2048);
    const result = await federate({ Name: 'fed-2048', Policy: atLimit });
    await expect(server.organizations(sessionOf(result)).send(new DescribeOrganizationCommand({}))).resolves.toBeDefined();
    const tooLong = paddedPolicy(2049);
    await expectFailure(
      federate({ Name: 'fed-2049', Policy: tooLong }),
      'ValidationError',
      `1 validation error detected: Value '${tooLong}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      400,
    );
  });

  it('rejects a malformed session policy and bad names', async () => {
    await expectFailure(federate({ Name: 'fed-bad', Policy: '{"Version":"2012-10-17"' }), 'MalformedPolicyDocument', /.+/, 400);
    await expectFailure(
      federate({ Name: 'f' }),
      'ValidationError',
      "1 validation error detected: Value 'f' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
      400,
    );
    await expectFailure(
      federate({ Name: 'n'.repeat(33) }),
      'ValidationError',
      `1 validation error detected: Value '${'n'.repeat(33)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32`,
      400,
    );
  });

  it('needs sts:GetFederationToken on the federated-user ARN', async () => {
    const ivo = await createUser(server, 'ivo');
    await expectFailure(
      federate({ Name: 'fed-ivo' }, ivo.credentials),
      'AccessDenied',
      new RegExp(`^User: ${ivo.arn} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${account}:federated-user/fed-ivo`),
      403,
    );
  });

  it('cannot be called with session credentials', async () => {
    const roleSession = sessionOf(await server.sts(hana.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'hana' })));
    await expectFailure(federate({ Name: 'fed-session' }, roleSession), 'AccessDenied', 'Cannot call GetFederationToken with session credentials', 403);
    const federated = sessionOf(await federate({ Name: 'fed-again' }));
    await expectFailure(federate({ Name: 'fed-chain' }, federated), 'AccessDenied', 'Cannot call GetFederationToken with session credentials', 403);
  });

  it('a federated session may not call AssumeRole, even with a session policy allowing it', async () => {
    const federated = sessionOf(await federate({ Name: 'fed-assume', Policy: allow('sts:AssumeRole') }));
    await expectFailure(
      server.sts(federated).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'nope' })),
      'AccessDenied',
      new RegExp(`^User: arn:aws:sts::${account}:federated-user/fed-assume is not authorized to perform: sts:AssumeRole`),
      403,
    );
  });

  it('a federated session may call no IAM API, whatever its policies', async () => {
    const federated = sessionOf(await federate({ Name: 'fed-iam', Policy: allow('iam:*') }));
    const caught = await failure(server.iam(federated).send(new ListUsersCommand({})));
    // query-protocol.md §6.3: InvalidClientTokenId (observed on AWS, described as by design).
    expect(caught.code).toBe('InvalidClientTokenId');
    expect(caught.status).toBe(403);
  });

  it('called by the account root, grants exactly the session policy', async () => {
    const root = sessionOf(await federate({ Name: 'fed-by-root', Policy: allow('organizations:DescribeOrganization') }, server.rootCredentials));
    const orgs = server.organizations(root);
    await expect(orgs.send(new DescribeOrganizationCommand({}))).resolves.toMatchObject({ Organization: { MasterAccountId: account } });
    await expectFailure(orgs.send(new ListAccountsCommand({})), 'AccessDeniedException', /organizations:ListAccounts/, 403);
    const bare = sessionOf(await federate({ Name: 'fed-root-bare' }, server.rootCredentials));
    await expectFailure(server.organizations(bare).send(new DescribeOrganizationCommand({})), 'AccessDeniedException', /organizations:DescribeOrganization/, 403);
  });
});
