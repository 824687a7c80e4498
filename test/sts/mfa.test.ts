import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  EnableMFADeviceCommand,
  GetRoleCommand,
  GetUserCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import {
  STEP_MS,
  allow,
  authenticator,
  createRole,
  createUser,
  deniedWith,
  expectFailure,
  offsetOf,
  seedText,
  sessionOf,
  steppedClock,
  trust,
  type CreatedUser,
} from './helpers.js';

// Issue #4: MFA on AssumeRole and GetSessionToken, with a virtual device created and enabled
// through IAM and codes computed from its seed as an authenticator app would.

const MFA_TRUE = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const RECENT_MFA = { ...MFA_TRUE, NumericLessThan: { 'aws:MultiFactorAuthAge': '300' } };
const INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
const BOTH_NEEDED = 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.';
const GST_INVALID = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

let server: TestServer;
let clock: ManualClock;
let maria: CreatedUser; // has an MFA device
let nils: CreatedUser; // has an MFA device of his own
let serial: string;
let nilsSerial: string;
let nilsCodes: ReturnType<typeof authenticator>;
let codes: ReturnType<typeof authenticator>;
let required: string; // a role whose trust requires MFA
let optional: string; // a role that trusts maria without conditions

const sts = (credentials: Credentials) => server.sts(credentials, offsetOf(clock));
const iam = (credentials?: Credentials) => server.iam(credentials, offsetOf(clock));

/** The code of the next time step: the server clock moves there first, so the code is fresh. */
function nextCode(): string {
  clock.advance(STEP_MS);
  return codes.codeAt(clock.now());
}

function assume(credentials: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) {
  return sts(credentials).send(new AssumeRoleCommand({ RoleSessionName: 'mfa-session', ...input }));
}

async function enabledDevice(user: string): Promise<{ serial: string; codes: ReturnType<typeof authenticator> }> {
  const { VirtualMFADevice } = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: user, Path: '/people/' }));
  const app = authenticator(seedText(VirtualMFADevice!.Base32StringSeed));
  const code1 = app.codeAt(clock.now());
  clock.advance(STEP_MS);
  const code2 = app.codeAt(clock.now());
  await iam().send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: VirtualMFADevice!.SerialNumber!, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
  return { serial: VirtualMFADevice!.SerialNumber!, codes: app };
}

beforeAll(async () => {
  clock = steppedClock();
  server = await startTestServer({ clock });
  // maria may read herself only with a recent MFA sign-in.
  maria = await createUser(server, 'maria', { inline: allow('iam:GetUser', 'arn:aws:iam::*:user/${aws:username}', RECENT_MFA) });
  nils = await createUser(server, 'nils');
  ({ serial, codes } = await enabledDevice('maria'));
  ({ serial: nilsSerial, codes: nilsCodes } = await enabledDevice('nils'));
  required = (await createRole(server, 'mfa-required', trust(maria.arn, ['sts:AssumeRole'], MFA_TRUE))).arn;
  optional = (await createRole(server, 'mfa-optional', trust(maria.arn))).arn;
  // Both roles may read roles only in sessions with a recent MFA.
  for (const role of ['mfa-required', 'mfa-optional']) {
    await iam().send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'read', PolicyDocument: allow('iam:GetRole', '*', RECENT_MFA) }));
  }
});
afterAll(async () => {
  await server?.close();
});

describe('AssumeRole with MFA', () => {
  it('the serial number is the device ARN with its path', () => {
    expect(serial).toBe(`arn:aws:iam::${server.accountId}:mfa/people/maria`);
  });

  it('is denied without MFA when the trust policy requires aws:MultiFactorAuthPresent', async () => {
    await expectFailure(assume(maria.credentials, { RoleArn: required }), 'AccessDenied', deniedWith(`User: ${maria.arn} is not authorized to perform: sts:AssumeRole on resource: ${required}`), 403);
  });

  it('refuses a serial number without a code, and a code without a serial number', async () => {
    await expectFailure(assume(maria.credentials, { RoleArn: required, SerialNumber: serial }), 'AccessDenied', BOTH_NEEDED, 403);
    await expectFailure(assume(maria.credentials, { RoleArn: required, TokenCode: nextCode() }), 'AccessDenied', BOTH_NEEDED, 403);
    await expectFailure(assume(maria.credentials, { RoleArn: optional, SerialNumber: serial }), 'AccessDenied', BOTH_NEEDED, 403);
  });

  it('is allowed with a valid code, and the session carries aws:MultiFactorAuthPresent=true', async () => {
    const code = nextCode();
    const result = await assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: code });
    const session = sessionOf(result);
    const identity = await sts(session).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${server.accountId}:assumed-role/mfa-required/mfa-session`);
    // The role's permissions allow iam:GetRole only under the MFA conditions.
    const role = await iam(session).send(new GetRoleCommand({ RoleName: 'mfa-optional' }));
    expect(role.Role?.Arn).toBe(optional);
  });

  it('does not accept a code twice, nor an older one, nor a wrong one', async () => {
    const code = nextCode();
    await assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: code });
    await expectFailure(assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: code }), 'AccessDenied', INVALID_CODE, 403);
    // Still within the ±1-step window, but older than the code already used.
    const previous = codes.codeAt(clock.now().getTime() - STEP_MS);
    await expectFailure(assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: previous }), 'AccessDenied', INVALID_CODE, 403);
    clock.advance(STEP_MS);
    const stale = codes.codeAt(clock.now().getTime() - 20 * STEP_MS);
    await expectFailure(assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: stale }), 'AccessDenied', INVALID_CODE, 403);
  });

  it('rejects another user’s device and unknown serial numbers', async () => {
    await expectFailure(assume(maria.credentials, { RoleArn: required, SerialNumber: nilsSerial, TokenCode: nextCode() }), 'AccessDenied', INVALID_CODE, 403);
    await expectFailure(
      assume(maria.credentials, { RoleArn: required, SerialNumber: `arn:aws:iam::${server.accountId}:mfa/nobody`, TokenCode: nextCode() }),
      'AccessDenied',
      INVALID_CODE,
      403,
    );
  });

  it('without MFA a session has aws:MultiFactorAuthPresent=false, so the MFA-conditioned permission does not apply', async () => {
    const plain = sessionOf(await assume(maria.credentials, { RoleArn: optional }));
    await expectFailure(iam(plain).send(new GetRoleCommand({ RoleName: 'mfa-optional' })), 'AccessDenied', /is not authorized to perform: iam:GetRole/, 403);
    const withMfa = sessionOf(await assume(maria.credentials, { RoleArn: optional, SerialNumber: serial, TokenCode: nextCode() }));
    await expect(iam(withMfa).send(new GetRoleCommand({ RoleName: 'mfa-optional' }))).resolves.toBeDefined();
  });

  it('aws:MultiFactorAuthAge counts seconds since the code was given (NumericLessThan 300)', async () => {
    const session = sessionOf(await assume(maria.credentials, { RoleArn: required, SerialNumber: serial, TokenCode: nextCode() }));
    clock.advance(299_000);
    await expect(iam(session).send(new GetRoleCommand({ RoleName: 'mfa-required' }))).resolves.toBeDefined();
    clock.advance(2_000);
    await expectFailure(iam(session).send(new GetRoleCommand({ RoleName: 'mfa-required' })), 'AccessDenied', /is not authorized to perform: iam:GetRole/, 403);
  });
});

describe('GetSessionToken with MFA', () => {
  it('issues a session with aws:MultiFactorAuthPresent=true that may call IAM', async () => {
    // Long-term keys carry no MultiFactorAuthPresent at all: the Bool condition cannot match.
    await expectFailure(iam(maria.credentials).send(new GetUserCommand({})), 'AccessDenied', /is not authorized to perform: iam:GetUser/, 403);
    const result = await sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: nextCode(), DurationSeconds: 900 }));
    const session = sessionOf(result);
    const { User } = await iam(session).send(new GetUserCommand({}));
    expect(User?.Arn).toBe(maria.arn);
    expect((await sts(session).send(new GetCallerIdentityCommand({}))).UserId).toBe(maria.userId);
    // NumericLessThan on aws:MultiFactorAuthAge: five minutes later the same session may not.
    clock.advance(301_000);
    await expectFailure(iam(session).send(new GetUserCommand({})), 'AccessDenied', /is not authorized to perform: iam:GetUser/, 403);
  });

  it('carries MFA into a role assumed with its credentials, so an MFA-only trust admits it', async () => {
    const withMfa = sessionOf(await sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: nextCode(), DurationSeconds: 900 })));
    await expect(assume(withMfa, { RoleArn: required })).resolves.toMatchObject({ AssumedRoleUser: { Arn: expect.stringContaining('assumed-role/mfa-required/') } });
    const withoutMfa = sessionOf(await sts(maria.credentials).send(new GetSessionTokenCommand({ DurationSeconds: 900 })));
    await expect(assume(withoutMfa, { RoleArn: required })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('without MFA its sessions cannot call IAM at all (InvalidClientTokenId)', async () => {
    const session = sessionOf(await sts(maria.credentials).send(new GetSessionTokenCommand({})));
    await expectFailure(iam(session).send(new GetUserCommand({})), 'InvalidClientTokenId', /^The security token included in the request is invalid\.?$/, 403);
  });

  it('refuses bad codes, replays and other users’ devices with AWS’s text', async () => {
    const code = nextCode();
    await sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
    await expectFailure(sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code })), 'AccessDenied', GST_INVALID, 403);
    await expectFailure(sts(nils.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: nextCode() })), 'AccessDenied', GST_INVALID, 403);
    await expectFailure(sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial })), 'AccessDenied', BOTH_NEEDED, 403);
    await expectFailure(
      sts(maria.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: '12345' })),
      'ValidationError',
      "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
      400,
    );
  });

  it('a deactivated device no longer authenticates', async () => {
    clock.advance(STEP_MS);
    await expect(sts(nils.credentials).send(new GetSessionTokenCommand({ SerialNumber: nilsSerial, TokenCode: nilsCodes.codeAt(clock.now()) }))).resolves.toBeDefined();
    await iam().send(new DeactivateMFADeviceCommand({ UserName: 'nils', SerialNumber: nilsSerial }));
    clock.advance(STEP_MS);
    await expectFailure(
      sts(nils.credentials).send(new GetSessionTokenCommand({ SerialNumber: nilsSerial, TokenCode: nilsCodes.codeAt(clock.now()) })),
      'AccessDenied',
      GST_INVALID,
      403,
    );
  });
});
