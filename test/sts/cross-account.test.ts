import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import { allow, createUser, deniedWith, expectFailure, sessionOf, trust, type CreatedUser } from './helpers.js';

// A member account created through Organizations, entered from the management account through
// OrganizationAccountAccessRole. Cross-account AssumeRole needs both sides: the role's trust
// policy and an identity policy in the caller's account (sts-api.md §11.1 step 5).

let server: TestServer;
let management: string;
let member: string;
let admin: CreatedUser; // management account, AdministratorAccess
let plain: CreatedUser; // management account, no identity policy
let accessRoleArn: string;

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

async function createMemberAccount(): Promise<string> {
  const orgs = server.organizations();
  const { CreateAccountStatus } = await orgs.send(new CreateAccountCommand({ Email: 'member@example.com', AccountName: 'member' }));
  expect(CreateAccountStatus?.State).toBe('IN_PROGRESS');
  for (let attempt = 0; attempt < 100; attempt++) {
    const { CreateAccountStatus: status } = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id! }));
    if (status?.State === 'SUCCEEDED') return status.AccountId!;
    if (status?.State === 'FAILED') throw new Error(`CreateAccount failed: ${status.FailureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('CreateAccount did not finish');
}

async function enterMember(credentials: Credentials, sessionName: string): Promise<Credentials> {
  return sessionOf(await server.sts(credentials).send(new AssumeRoleCommand({ RoleArn: accessRoleArn, RoleSessionName: sessionName })));
}

beforeAll(async () => {
  server = await startTestServer();
  management = server.accountId;
  member = await createMemberAccount();
  accessRoleArn = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
  admin = await createUser(server, 'org-admin', { managed: [ADMIN] });
  plain = await createUser(server, 'org-plain');
});
afterAll(async () => {
  await server?.close();
});

describe('cross-account AssumeRole into OrganizationAccountAccessRole', () => {
  it('creates a distinct member account', () => {
    expect(member).toMatch(/^\d{12}$/);
    expect(member).not.toBe(management);
  });

  it('a management-account administrator becomes an administrator of the member account', async () => {
    const session = await enterMember(admin.credentials, 'ops');
    const identity = await server.sts(session).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(member);
    expect(identity.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/ops`);
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:ops$/);
    // The session key belongs to the member account.
    expect((await server.sts(admin.credentials).send(new GetAccessKeyInfoCommand({ AccessKeyId: session.accessKeyId }))).Account).toBe(member);

    const memberIam = server.iam(session);
    const { Role } = await memberIam.send(
      new CreateRoleCommand({ RoleName: 'built-in-member', AssumeRolePolicyDocument: trust(`arn:aws:iam::${member}:root`) }),
    );
    expect(Role?.Arn).toBe(`arn:aws:iam::${member}:role/built-in-member`);
    expect((await memberIam.send(new GetRoleCommand({ RoleName: 'built-in-member' }))).Role?.RoleId).toBe(Role?.RoleId);
    // It lives in the member account, not in the management account.
    const managementRoles = await server.iam().send(new ListRolesCommand({}));
    expect(managementRoles.Roles?.map((r) => r.RoleName)).not.toContain('built-in-member');
  });

  it('a management-account user without an identity policy allowing sts:AssumeRole is denied', async () => {
    await expectFailure(
      enterMember(plain.credentials, 'nope'),
      'AccessDenied',
      deniedWith(`User: ${plain.arn} is not authorized to perform: sts:AssumeRole on resource: ${accessRoleArn}`),
      403,
    );
  });

  it('an identity policy alone does not suffice: the member role must trust the caller’s account', async () => {
    const session = await enterMember(admin.credentials, 'setup');
    // A role in the member account that trusts only the member account.
    const { Role } = await server.iam(session).send(new CreateRoleCommand({ RoleName: 'member-only', AssumeRolePolicyDocument: trust(`arn:aws:iam::${member}:root`) }));
    await expectFailure(
      server.sts(admin.credentials).send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'nope' })),
      'AccessDenied',
      deniedWith(`User: ${admin.arn} is not authorized to perform: sts:AssumeRole on resource: ${Role!.Arn!}`),
      403,
    );
  });

  it('an identity policy scoped to the member role suffices with the trust in place', async () => {
    const scoped = await createUser(server, 'org-scoped', { inline: allow('sts:AssumeRole', accessRoleArn) });
    const identity = await server.sts(await enterMember(scoped.credentials, 'scoped')).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/scoped`);
  });
});
