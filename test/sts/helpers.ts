import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { Credentials, TestServer } from '../helpers/server.js';

export const STEP_MS = 30_000;

/**
 * A server clock at the start of a TOTP step (plus one second), so a test that advances it
 * by whole 30-second steps knows which step every code belongs to.
 */
export function steppedClock(): ManualClock {
  return new ManualClock(Math.floor(Date.now() / STEP_MS) * STEP_MS + 1000);
}

/** How far the server clock is from the real one, for the SDK's `systemClockOffset`. */
export function offsetOf(clock: ManualClock): { systemClockOffset: number } {
  return { systemClockOffset: clock.now().getTime() - Date.now() };
}

/** An authenticator app: RFC 6238 with AWS's parameters, fed the seed CreateVirtualMFADevice returned. */
export function authenticator(seedBase32: string): { codeAt(time: Date | number): string } {
  const totp = new TOTP({ secret: Secret.fromBase32(seedBase32), digits: 6, period: 30, algorithm: 'SHA1' });
  return { codeAt: (time) => totp.generate({ timestamp: typeof time === 'number' ? time : time.getTime() }) };
}

/** The Base32 text inside the Base32StringSeed blob (the SDK has already base64-decoded it). */
export function seedText(blob: Uint8Array | undefined): string {
  expect(blob).toBeInstanceOf(Uint8Array);
  return Buffer.from(blob!).toString('ascii');
}

export function policy(statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function allow(action: string | readonly string[], resource: string | readonly string[] = '*', condition?: Record<string, unknown>): string {
  return policy([{ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }]);
}

export function trust(principal: string, actions: readonly string[] = ['sts:AssumeRole'], condition?: Record<string, unknown>): string {
  return policy([{ Effect: 'Allow', Principal: { AWS: principal }, Action: actions, ...(condition ? { Condition: condition } : {}) }]);
}

export interface CreatedUser {
  readonly name: string;
  readonly arn: string;
  readonly userId: string;
  readonly credentials: Credentials;
}

export async function createUser(
  server: TestServer,
  name: string,
  options: { inline?: string; managed?: readonly string[]; path?: string; by?: Credentials } = {},
): Promise<CreatedUser> {
  const iam = server.iam(options.by);
  const { User } = await iam.send(new CreateUserCommand({ UserName: name, ...(options.path ? { Path: options.path } : {}) }));
  if (options.inline) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: options.inline }));
  for (const arn of options.managed ?? []) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return {
    name,
    arn: User!.Arn!,
    userId: User!.UserId!,
    credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
  };
}

export async function createRole(server: TestServer, name: string, trustPolicy: string, options: { path?: string; by?: Credentials } = {}): Promise<{ arn: string; roleId: string }> {
  const { Role } = await server
    .iam(options.by)
    .send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, ...(options.path ? { Path: options.path } : {}) }));
  return { arn: Role!.Arn!, roleId: Role!.RoleId! };
}

export function sessionOf(result: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined }): Credentials {
  const c = result.Credentials;
  expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

/**
 * AWS's AccessDenied text, optionally with the reason AWS's newer IAM messages add
 * (` because no identity-based policy allows …`), then the encoded explanation open-sts appends.
 */
export function deniedWith(text: string): RegExp {
  return new RegExp(`^${escapeRegExp(text)}( because [^.]+)?( Encoded authorization failure message: [A-Za-z0-9_-]+)?$`);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The AWS error a call failed with (code, message, status), and its assertion: shared with the IAM tests. */
export { awsError as failure, expectError as expectFailure } from '../iam/helpers.js';
