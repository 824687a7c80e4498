/**
 * One real server per fuzz file, with the entities the corpus requests name: an administrator
 * user with a key (AssumeRole refuses the root), a role it may assume with tags and source
 * identity (MaxSessionDuration 12 h), customer managed policies, an encoded authorization
 * message and a real ListRoles marker. The server clock is the system clock plus an offset the
 * tests may move (expired session tokens).
 */
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand } from '@aws-sdk/client-organizations';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { IAM_VERSION, Wire, formBody, inspect, signedQuery, type Creds } from './harness.js';

export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export interface Fixture {
  readonly server: TestServer;
  readonly wire: Wire;
  readonly clock: OffsetClock;
  readonly accountId: string;
  readonly root: Creds;
  /** An IAM user with AdministratorAccess and its own key. */
  readonly admin: Creds;
  /** Role `fuzz-target`: trusts the account for AssumeRole, TagSession, SetSourceIdentity; 12 h sessions. */
  readonly roleName: string;
  readonly roleArn: string;
  /** Customer managed policies `fuzz-policy-0` … `fuzz-policy-10` (identity policies). */
  readonly policyArns: readonly string[];
  /** An encoded authorization failure message this server sealed. */
  readonly encodedMessage: string;
  /** A real ListRoles marker (after the first role). */
  readonly listRolesMarker: string;
  /** A real CreateAccount request ID. */
  readonly createAccountRequestId: string;
  close(): Promise<void>;
}

export const IDENTITY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
export const SESSION_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] });

export function trustPolicy(accountId: string, actions: readonly string[] = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: [...actions] }] });
}

async function userWithKey(server: TestServer, name: string): Promise<Creds> {
  await server.iam().send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await server.iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

export async function startFixture(config: Partial<Config> = {}): Promise<Fixture> {
  const clock = new OffsetClock();
  const server = await startTestServer({ clock, config });
  const wire = new Wire(server.endpoint);
  const iam = server.iam();
  const accountId = server.accountId;

  const admin = await userWithKey(server, 'fuzz-admin');
  await iam.send(new AttachUserPolicyCommand({ UserName: 'fuzz-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
  const roleName = 'fuzz-target';
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustPolicy(accountId), MaxSessionDuration: 43200, Tags: [{ Key: 'team', Value: 'fuzz' }] }),
  );
  await iam.send(new CreateRoleCommand({ RoleName: 'fuzz-other', AssumeRolePolicyDocument: trustPolicy(accountId) }));
  const policyArns: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `fuzz-policy-${i}`, PolicyDocument: IDENTITY_POLICY }));
    policyArns.push(Policy!.Arn!);
  }

  // A denial of a user without policies carries an encoded message (config.encodeDenials).
  const nobody = await userWithKey(server, 'fuzz-nobody');
  const denied = inspect(await wire.send(await signedQuery(wire, 'iam', nobody, formBody([['Action', 'ListRoles'], ['Version', IAM_VERSION]]))), 'query');
  const encodedMessage = / Encoded authorization failure message: ([A-Za-z0-9_-]+)$/.exec(denied.message ?? '')?.[1];
  if (!encodedMessage) throw new Error(`expected an encoded denial, got ${denied.code}: ${denied.message}`);

  const page = await iam.send(new ListRolesCommand({ MaxItems: 1 }));
  if (!page.Marker) throw new Error('expected a truncated ListRoles page');
  const created = await server.organizations().send(new CreateAccountCommand({ Email: 'fuzz-member@example.com', AccountName: 'fuzz member' }));

  return {
    server,
    wire,
    clock,
    accountId,
    root: server.rootCredentials,
    admin,
    roleName,
    roleArn: Role!.Arn!,
    policyArns,
    encodedMessage,
    listRolesMarker: page.Marker,
    createAccountRequestId: created.CreateAccountStatus!.Id!,
    close: async () => {
      wire.close();
      await server.close();
    },
  };
}
