import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, TRUST_EC2, document, expectError } from './helpers.js';

describe('IAM roles (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('CreateRole returns only the recorded members; GetRole adds MaxSessionDuration and RoleLastUsed', async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'defaults', AssumeRolePolicyDocument: TRUST_EC2, Description: 'not echoed' }));
    expect(Object.keys(created.Role!).sort()).toEqual(['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'Path', 'RoleId', 'RoleName']);
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!)).toBe(TRUST_EC2);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'DEFAULTS' }));
    expect(got.Role).toMatchObject({ RoleName: 'defaults', Path: '/', MaxSessionDuration: 3600, Description: 'not echoed', RoleLastUsed: {} });
    expect(got.Role?.Tags).toBeUndefined();
    await expectError(iam.send(new CreateRoleCommand({ RoleName: 'Defaults', AssumeRolePolicyDocument: TRUST_EC2 })), 'EntityAlreadyExists', 'Role with name Defaults already exists.', 409);
  });

  it('documents survive the URL-encoding round trip byte for byte', async () => {
    const trust = document([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceArn': 'arn%3Aaws%3As3%3A%3A%3Ab' } } },
    ]);
    await iam.send(new CreateRoleCommand({ RoleName: 'encoded', AssumeRolePolicyDocument: trust, Path: '/enc/' }));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'encoded' }));
    expect(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).toBe(trust);
    const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/enc/' }));
    expect(decodeURIComponent(listed.Roles![0]!.AssumeRolePolicyDocument!)).toBe(trust);
  });

  it('UpdateRole: empty result, omitted members unchanged; UpdateRoleDescription returns the role', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'updatable', AssumeRolePolicyDocument: TRUST_EC2 }));
    const updated = await iam.send(new UpdateRoleCommand({ RoleName: 'updatable', Description: 'first', MaxSessionDuration: 7200 }));
    expect(Object.keys(updated).filter((k) => k !== '$metadata')).toEqual([]);
    await iam.send(new UpdateRoleCommand({ RoleName: 'updatable' }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'updatable' }))).Role).toMatchObject({ Description: 'first', MaxSessionDuration: 7200 });
    const described = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'updatable', Description: 'second' }));
    expect(described.Role?.Description).toBe('second');
    expect(described.Role?.MaxSessionDuration).toBeUndefined();
    expect(described.Role?.RoleLastUsed).toBeUndefined();
    await expectError(iam.send(new UpdateRoleCommand({ RoleName: 'test-nonexistent-role' })), 'NoSuchEntity', 'The role with name test-nonexistent-role cannot be found.', 404);
  });

  it('MaxSessionDuration: 3600 and 43200 accepted, one past each bound refused', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 3600 }));
    await iam.send(new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 43200 }));
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'tooshort', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 3599 })),
      'ValidationError',
      "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    await expectError(
      iam.send(new UpdateRoleCommand({ RoleName: 'long', MaxSessionDuration: 43201 })),
      'ValidationError',
      "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
  });

  it('a bad trust policy is refused with the recorded texts and creates nothing', async () => {
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'badjson', AssumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": [],}' })),
      'MalformedPolicyDocument',
      'This policy contains invalid Json',
      400,
    );
    await expectError(iam.send(new GetRoleCommand({ RoleName: 'badjson' })), 'NoSuchEntity', 'The role with name badjson cannot be found.');
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'badtags', AssumeRolePolicyDocument: '{', Tags: [{ Key: 'a', Value: '1' }] })),
      'MalformedPolicyDocument',
      'This policy contains invalid Json',
    );
    await expectError(iam.send(new GetRoleCommand({ RoleName: 'badtags' })), 'NoSuchEntity', /badtags/);

    await iam.send(new CreateRoleCommand({ RoleName: 'trusting', AssumeRolePolicyDocument: TRUST_EC2 }));
    await expectError(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'trusting', PolicyDocument: 'not valid json' })), 'MalformedPolicyDocument', 'This policy contains invalid Json');
    await expectError(
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'trusting',
          PolicyDocument: document([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:InvalidAction' }]),
        }),
      ),
      'MalformedPolicyDocument',
      'AssumeRole policy may only specify STS AssumeRole actions.',
    );
    await expectError(
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'trusting',
          PolicyDocument: document([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }]),
        }),
      ),
      'MalformedPolicyDocument',
      'Has prohibited field Resource',
    );
    const unchanged = await iam.send(new GetRoleCommand({ RoleName: 'trusting' }));
    expect(decodeURIComponent(unchanged.Role!.AssumeRolePolicyDocument!)).toBe(TRUST_EC2);
  });

  it('trust principals in this server must exist', async () => {
    const ghost = `arn:aws:iam::${server.accountId}:user/ghost`;
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'ghostly', AssumeRolePolicyDocument: document([{ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }]) })),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"${ghost}"`,
    );
    await iam.send(new CreateUserCommand({ UserName: 'ghost' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'ghostly', AssumeRolePolicyDocument: document([{ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }]) }));
    await iam.send(new DeleteUserCommand({ UserName: 'ghost' }));
    // Accounts this server does not hold cannot be checked and are accepted as given.
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'external',
        AssumeRolePolicyDocument: document([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:user/someone' }, Action: 'sts:AssumeRole' }]),
      }),
    );
  });

  it('trust policy size quota: 2048 non-whitespace characters', async () => {
    const withPadding = (length: number) => {
      const base = document([{ Sid: 'X', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
      return base.replace('"Sid":"X"', `"Sid":"${'a'.repeat(length - base.length + 1)}"`);
    };
    const atLimit = withPadding(2048);
    expect(atLimit.length).toBe(2048);
    await iam.send(new CreateRoleCommand({ RoleName: 'big-trust', AssumeRolePolicyDocument: atLimit }));
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'bigger-trust', AssumeRolePolicyDocument: withPadding(2049) })),
      'LimitExceeded',
      'Cannot exceed quota for ACLSizePerRole: 2048',
      409,
    );
    // Whitespace does not count.
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'big-trust', PolicyDocument: atLimit.replace('{', '{   \n  ') }));
  });

  it('DeleteRole is refused while policies are attached or inline', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'busy-role', AssumeRolePolicyDocument: TRUST_EC2 }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'busy-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await expectError(iam.send(new DeleteRoleCommand({ RoleName: 'busy-role' })), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'busy-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'busy-role', PolicyName: 'inline', PolicyDocument: S3_LIST }));
    await expectError(iam.send(new DeleteRoleCommand({ RoleName: 'busy-role' })), 'DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'busy-role', PolicyName: 'inline' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'busy-role' }));
    await expectError(iam.send(new DeleteRoleCommand({ RoleName: 'busy-role' })), 'NoSuchEntity', 'The role with name busy-role cannot be found.');
  });

  it('permissions boundary lifecycle and errors', async () => {
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'role-boundary', PolicyDocument: S3_LIST }));
    const arn = policy.Policy!.Arn!;
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: arn, Description: 'd' }));
    expect(created.Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn });
    expect(created.Role?.Description).toBeUndefined();
    expect((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(arn);
    const listed = await iam.send(new ListRolesCommand({}));
    expect(listed.Roles?.find((r) => r.RoleName === 'bounded')?.PermissionsBoundary).toBeUndefined();
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary).toBeUndefined();
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: arn }));
    const notPolicy = `arn:aws:iam::${server.accountId}:not_a_policy/invalid`;
    await expectError(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: notPolicy })), 'InvalidInput', `ARN ${notPolicy} is not valid.`, 400);
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'bounded-bad', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: notPolicy })),
      'InvalidInput',
      `ARN ${notPolicy} is not valid.`,
    );
    const missing = `arn:aws:iam::${server.accountId}:policy/nonexistent-policy`;
    await expectError(
      iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: missing })),
      'NoSuchEntity',
      `Scope ARN: ${missing} does not exist or is not attachable.`,
      404,
    );
    await expectError(
      iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'nonexistent-role', PermissionsBoundary: arn })),
      'NoSuchEntity',
      'The role with name nonexistent-role cannot be found.',
    );
  });

  it('ListRoles: path prefix, pagination, no Tags/RoleLastUsed', async () => {
    for (let i = 1; i <= 5; i++) await iam.send(new CreateRoleCommand({ RoleName: `pg-${i}`, Path: '/pagination/', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'k', Value: 'v' }] }));
    const page1 = await iam.send(new ListRolesCommand({ PathPrefix: '/pagination/', MaxItems: 2 }));
    expect(page1.Roles?.map((r) => r.RoleName)).toEqual(['pg-1', 'pg-2']);
    expect(page1.IsTruncated).toBe(true);
    expect(page1.Roles?.[0]?.Tags).toBeUndefined();
    expect(page1.Roles?.[0]?.RoleLastUsed).toBeUndefined();
    expect(page1.Roles?.[0]?.MaxSessionDuration).toBe(3600);
    const page2 = await iam.send(new ListRolesCommand({ PathPrefix: '/pagination/', MaxItems: 10, Marker: page1.Marker }));
    expect(page2.Roles?.map((r) => r.RoleName)).toEqual(['pg-3', 'pg-4', 'pg-5']);
    expect(page2.IsTruncated).toBe(false);
    expect(page2.Marker).toBeUndefined();
    expect((await iam.send(new ListRolesCommand({ PathPrefix: '/nothing-here/' }))).Roles).toEqual([]);
  });
});
