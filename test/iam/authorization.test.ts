import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { S3_LIST, TRUST_EC2, awsError, document } from './helpers.js';

/**
 * IAM actions ask the policy engine with the resource ARN AWS uses (path included) and the
 * documented condition keys: the delegated-administrator pattern must work as on AWS.
 */
describe('IAM authorization context (real SDK, real server)', () => {
  let server: TestServer;
  let iam: IAMClient;
  let delegate: IAMClient;
  let boundaryArn: string;

  beforeAll(async () => {
    server = await startTestServer();
    iam = server.iam();
    boundaryArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'dev-boundary', PolicyDocument: S3_LIST }))).Policy!.Arn!;
    await iam.send(new CreateUserCommand({ UserName: 'delegate' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'delegate',
        PolicyName: 'delegated-admin',
        PolicyDocument: document([
          {
            Sid: 'CreateBoundedRolesUnderApps',
            Effect: 'Allow',
            Action: 'iam:CreateRole',
            Resource: `arn:aws:iam::${server.accountId}:role/apps/*`,
            Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
          },
          {
            Sid: 'AttachOnlyReadOnly',
            Effect: 'Allow',
            Action: 'iam:AttachRolePolicy',
            Resource: `arn:aws:iam::${server.accountId}:role/apps/*`,
            Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
          },
          { Sid: 'ReadRoles', Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' },
          { Sid: 'NoDeleteTagged', Effect: 'Deny', Action: 'iam:DeleteRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
          { Sid: 'Delete', Effect: 'Allow', Action: 'iam:DeleteRole', Resource: '*' },
        ]),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'delegate' }));
    delegate = server.iam({ accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('CreateRole: allowed only under the path and with the required boundary', async () => {
    const created = await delegate.send(new CreateRoleCommand({ RoleName: 'svc', Path: '/apps/', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: boundaryArn }));
    expect(created.Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(boundaryArn);
    const noBoundary = await awsError(delegate.send(new CreateRoleCommand({ RoleName: 'svc2', Path: '/apps/', AssumeRolePolicyDocument: TRUST_EC2 })));
    expect(noBoundary.code).toBe('AccessDenied');
    expect(noBoundary.message).toContain(`iam:CreateRole on resource: arn:aws:iam::${server.accountId}:role/apps/svc2`);
    const wrongPath = await awsError(delegate.send(new CreateRoleCommand({ RoleName: 'svc3', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: boundaryArn })));
    expect(wrongPath.code).toBe('AccessDenied');
    // A denied request changes nothing, even when its trust policy would have been refused too.
    await expect(iam.send(new GetRoleCommand({ RoleName: 'svc2' }))).rejects.toThrow();
  });

  it('AttachRolePolicy: iam:PolicyARN restricts which policies may be attached; the role path counts', async () => {
    await delegate.send(new AttachRolePolicyCommand({ RoleName: 'svc', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    expect((await awsError(delegate.send(new AttachRolePolicyCommand({ RoleName: 'svc', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })))).code).toBe('AccessDenied');
    await iam.send(new CreateRoleCommand({ RoleName: 'outside', AssumeRolePolicyDocument: TRUST_EC2 }));
    expect((await awsError(delegate.send(new AttachRolePolicyCommand({ RoleName: 'outside', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })))).code).toBe('AccessDenied');
  });

  it('aws:ResourceTag of the existing role decides DeleteRole', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'protected', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'protected', Value: 'true' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'disposable', AssumeRolePolicyDocument: TRUST_EC2 }));
    const denied = await awsError(delegate.send(new DeleteRoleCommand({ RoleName: 'protected' })));
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toContain('explicit deny');
    await delegate.send(new DeleteRoleCommand({ RoleName: 'disposable' }));
    // A missing role is authorized under its path-less ARN, then reported as missing.
    const missing = await awsError(delegate.send(new DeleteRoleCommand({ RoleName: 'never-existed' })));
    expect(missing.code).toBe('NoSuchEntity');
  });
});
