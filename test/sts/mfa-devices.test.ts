import {
  CreateRoleCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type VirtualMFADevice,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { STEP_MS, allow, authenticator, createUser, deniedWith, expectFailure, offsetOf, seedText, steppedClock, type CreatedUser } from './helpers.js';

// IAM virtual MFA devices against the responses AWS gave LocalStack's validated tests
// (testdata/aws-recorded/localstack-pr13720/tests/aws/services/iam/test_iam_mfa.snapshot.json).

let server: TestServer;
let clock: ManualClock;
let account: string;

const iam = () => server.iam(undefined, offsetOf(clock));
const mfaArn = (pathAndName: string) => `arn:aws:iam::${account}:mfa/${pathAndName}`;
const INVALID_PATH = 'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';

async function createDevice(name: string, path?: string): Promise<{ serial: string; seed: string; device: VirtualMFADevice }> {
  const { VirtualMFADevice } = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, ...(path !== undefined ? { Path: path } : {}) }));
  return { serial: VirtualMFADevice!.SerialNumber!, seed: seedText(VirtualMFADevice!.Base32StringSeed), device: VirtualMFADevice! };
}

/** Two consecutive codes, then the server clock moved into the second code's step. */
function consecutiveCodes(seed: string): { code1: string; code2: string } {
  const app = authenticator(seed);
  const code1 = app.codeAt(clock.now());
  clock.advance(STEP_MS);
  return { code1, code2: app.codeAt(clock.now()) };
}

async function enable(user: string, serial: string, seed: string): Promise<void> {
  const { code1, code2 } = consecutiveCodes(seed);
  await iam().send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
}

async function listed(status?: 'Assigned' | 'Unassigned' | 'Any', prefix = ''): Promise<VirtualMFADevice[]> {
  const { VirtualMFADevices, IsTruncated } = await iam().send(new ListVirtualMFADevicesCommand(status ? { AssignmentStatus: status } : {}));
  expect(IsTruncated).toBe(false);
  return (VirtualMFADevices ?? []).filter((d) => d.SerialNumber!.startsWith(mfaArn(prefix)));
}

beforeAll(async () => {
  clock = steppedClock();
  server = await startTestServer({ clock });
  account = server.accountId;
});
afterAll(async () => {
  await server?.close();
});

describe('CreateVirtualMFADevice', () => {
  it.each([
    ['no Path', undefined, 'life-none'],
    ['Path /', '/', 'life-root'],
    ['Path /test-path/', '/test-path/', 'test-path/life-path'],
    ['Path /test//double/', '/test//double/', 'test//double/life-double'],
  ])('keeps the path in the serial number ARN (%s), lists and deletes the device', async (_label, path, expected) => {
    const name = expected.split('/').pop()!;
    const { serial, device } = await createDevice(name, path);
    expect(serial).toBe(mfaArn(expected));
    expect(Object.keys(device).sort()).toEqual(['Base32StringSeed', 'QRCodePNG', 'SerialNumber']);
    expect((await listed(undefined, expected)).map((d) => ({ ...d }))).toEqual([{ SerialNumber: serial }]);
    await expect(iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(await listed(undefined, expected)).toEqual([]);
  });

  it('returns a Base32 seed once, as a blob, and a QR code PNG of the otpauth URI', async () => {
    const { serial, seed, device } = await createDevice('qr-device');
    expect(seed).toMatch(/^[A-Z2-7]{64}$/);
    const png = Buffer.from(device.QRCodePNG!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // The same URI through the same encoder gives the same image: the PNG encodes exactly this URI.
    const expected = await QRCode.toBuffer(`otpauth://totp/qr-device@${account}?secret=${seed}`, { type: 'png', errorCorrectionLevel: 'M' });
    expect(png.equals(expected)).toBe(true);
    // Never again: listing shows the serial number only.
    const again = (await listed('Any')).find((d) => d.SerialNumber === serial);
    expect(again).toEqual({ SerialNumber: serial });
    // At rest the seed is sealed with the master key, bound to the device.
    const stored = await server.app.store.getMfaDevice(account, serial);
    expect(stored!.seedCiphertext).not.toContain(seed);
    expect(server.app.secrets.open(stored!.seedCiphertext, `mfa-seed:${serial}`)).toBe(seed);
    expect(() => server.app.secrets.open(stored!.seedCiphertext, `mfa-seed:${mfaArn('other')}`)).toThrow();
  });

  it('returns the tags it was given', async () => {
    const { VirtualMFADevice } = await iam().send(
      new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'tagged-device', Tags: [{ Key: 'team', Value: 'platform' }] }),
    );
    expect(VirtualMFADevice!.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
  });

  it('answers the recorded errors: duplicate, bad paths, a path too long', async () => {
    await createDevice('dup-device');
    await expectFailure(iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dup-device' })), 'EntityAlreadyExists', 'MFA device already exists.', 409);
    await expectFailure(iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-a', Path: 'invalid-path/' })), 'ValidationError', INVALID_PATH, 400);
    await expectFailure(iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-b', Path: '/invalid-path' })), 'ValidationError', INVALID_PATH, 400);
    await expectFailure(
      iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-c', Path: `/${'a'.repeat(512)}/` })),
      'ValidationError',
      "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
      400,
    );
    await expectFailure(
      iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'has space' })),
      'ValidationError',
      "1 validation error detected: Value at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      400,
    );
  });

  it('is authorized on the device ARN: a self-service policy on mfa/${aws:username} lets a user create only its own', async () => {
    const carol = await createUser(server, 'carol', { inline: allow('iam:CreateVirtualMFADevice', 'arn:aws:iam::*:mfa/${aws:username}') });
    const asCarol = server.iam(carol.credentials, offsetOf(clock));
    const { VirtualMFADevice } = await asCarol.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'carol' }));
    expect(VirtualMFADevice!.SerialNumber).toBe(mfaArn('carol'));
    await expectFailure(
      asCarol.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'someone-else' })),
      'AccessDenied',
      deniedWith(`User: ${carol.arn} is not authorized to perform: iam:CreateVirtualMFADevice on resource: ${mfaArn('someone-else')}`),
      403,
    );
    await expectFailure(asCarol.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: mfaArn('carol') })), 'AccessDenied', /iam:DeleteVirtualMFADevice/, 403);
  });
});

describe('ListVirtualMFADevices', () => {
  let devices: string[];
  beforeAll(async () => {
    devices = [];
    for (const i of [0, 1, 2]) devices.push((await createDevice(`list-device-${i}`, '/list/')).serial);
  });

  it('filters by AssignmentStatus', async () => {
    const serials = devices.map((s) => ({ SerialNumber: s }));
    expect(await listed('Unassigned', 'list/')).toEqual(serials);
    expect(await listed('Assigned', 'list/')).toEqual([]);
    expect(await listed('Any', 'list/')).toEqual(serials);
  });

  it('pages with MaxItems and Marker, and rejects a bogus Marker as recorded', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam().send(new ListVirtualMFADevicesCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      pages++;
      seen.push(...page.VirtualMFADevices!.map((d) => d.SerialNumber!));
      expect(page.VirtualMFADevices!.length).toBeLessThanOrEqual(2);
      if (page.IsTruncated) expect(page.Marker).toBeTruthy();
      else expect(page.Marker).toBeUndefined();
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(expect.arrayContaining(devices));
    expect(new Set(seen).size).toBe(seen.length);
    await expectFailure(iam().send(new ListVirtualMFADevicesCommand({ Marker: 'invalid-marker-value' })), 'ValidationError', 'Invalid Marker.', 400);
    await expectFailure(
      iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Sometimes' as 'Any' })),
      'ValidationError',
      "1 validation error detected: Value at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set",
      400,
    );
  });
});

describe('EnableMFADevice, ListMFADevices, DeactivateMFADevice', () => {
  let dave: CreatedUser;
  let serial: string;
  let seed: string;

  beforeAll(async () => {
    dave = await createUser(server, 'dave');
    ({ serial, seed } = await createDevice('dave-device'));
  });

  it('refuses codes that are wrong, equal or not consecutive with InvalidAuthenticationCode', async () => {
    const app = authenticator(seed);
    const now = clock.now().getTime();
    const attempts = [
      ['000000', '000000'],
      [app.codeAt(now), app.codeAt(now)],
      [app.codeAt(now - STEP_MS), app.codeAt(now + STEP_MS)],
      [app.codeAt(now + STEP_MS), app.codeAt(now)],
      [app.codeAt(now - 10 * STEP_MS), app.codeAt(now - 9 * STEP_MS)],
    ] as const;
    for (const [code1, code2] of attempts) {
      await expectFailure(
        iam().send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 })),
        'InvalidAuthenticationCode',
        'Authentication code for device is not valid.',
        403,
      );
    }
    await expectFailure(
      iam().send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: serial, AuthenticationCode1: '12345', AuthenticationCode2: 'abcdef' })),
      'ValidationError',
      /^2 validation errors detected: /,
      400,
    );
    expect((await iam().send(new ListMFADevicesCommand({ UserName: 'dave' }))).MFADevices).toEqual([]);
  });

  it('enables a device with two consecutive codes, as recorded', async () => {
    const before = await iam().send(new ListMFADevicesCommand({ UserName: 'dave' }));
    expect({ MFADevices: before.MFADevices, IsTruncated: before.IsTruncated }).toEqual({ MFADevices: [], IsTruncated: false });
    const { code1, code2 } = consecutiveCodes(seed);
    const enabledAt = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    const result = await iam().send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
    expect(result.$metadata.httpStatusCode).toBe(200);

    const after = await iam().send(new ListMFADevicesCommand({ UserName: 'dave' }));
    expect(after.IsTruncated).toBe(false);
    expect(after.MFADevices).toEqual([{ UserName: 'dave', SerialNumber: serial, EnableDate: enabledAt }]);

    const assigned = (await listed('Assigned')).filter((d) => d.SerialNumber === serial);
    expect(assigned).toHaveLength(1);
    expect(Object.keys(assigned[0]!).sort()).toEqual(['EnableDate', 'SerialNumber', 'User']);
    expect(assigned[0]!.EnableDate).toEqual(enabledAt);
    expect(assigned[0]!.User).toEqual({ Path: '/', UserName: 'dave', UserId: dave.userId, Arn: dave.arn, CreateDate: expect.any(Date) });
    expect((await listed('Unassigned')).map((d) => d.SerialNumber)).not.toContain(serial);
  });

  it('lists the caller’s own devices without UserName', async () => {
    const asDave = server.iam(dave.credentials, offsetOf(clock));
    await expectFailure(asDave.send(new ListMFADevicesCommand({})), 'AccessDenied', deniedWith(`User: ${dave.arn} is not authorized to perform: iam:ListMFADevices on resource: ${dave.arn}`), 403);
    await iam().send(new PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'own-mfa', PolicyDocument: allow('iam:ListMFADevices', 'arn:aws:iam::*:user/${aws:username}') }));
    const own = await asDave.send(new ListMFADevicesCommand({}));
    expect(own.MFADevices!.map((d) => d.SerialNumber)).toEqual([serial]);
    const root = await iam().send(new ListMFADevicesCommand({}));
    expect(root.MFADevices).toEqual([]);
  });

  it('refuses a device that is already in use, and deleting it or its user', async () => {
    await createUser(server, 'erin');
    const { code1, code2 } = consecutiveCodes(seed);
    await expectFailure(
      iam().send(new EnableMFADeviceCommand({ UserName: 'erin', SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 })),
      'EntityAlreadyExists',
      'MFA Device is already in use.',
      409,
    );
    await expectFailure(iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), 'DeleteConflict', 'MFA VirtualDevice in use. Must deactivate first', 409);
    // With dave's access key gone, the enabled MFA device is what keeps DeleteUser from succeeding.
    await iam().send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.credentials.accessKeyId }));
    await expectFailure(iam().send(new DeleteUserCommand({ UserName: 'dave' })), 'DeleteConflict', 'Cannot delete entity, must delete MFA device first.', 409);
  });

  it('answers the recorded NoSuchEntity texts', async () => {
    await expectFailure(
      iam().send(new EnableMFADeviceCommand({ UserName: 'nonexistent-user', SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' })),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
      404,
    );
    await expectFailure(
      iam().send(new DeactivateMFADeviceCommand({ UserName: 'nonexistent-user', SerialNumber: serial })),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
      404,
    );
    await expectFailure(
      iam().send(new DeactivateMFADeviceCommand({ UserName: 'dave', SerialNumber: mfaArn('nonexistent-mfa') })),
      'NoSuchEntity',
      `MFA Device with serial number ${mfaArn('nonexistent-mfa')} does not exist.`,
      404,
    );
    await expectFailure(
      iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: mfaArn('nonexistent-device') })),
      'NoSuchEntity',
      `MFA Device with serial number ${mfaArn('nonexistent-device')} does not exist.`,
      404,
    );
    await expectFailure(
      iam().send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: mfaArn('nonexistent-mfa'), AuthenticationCode1: '123456', AuthenticationCode2: '654321' })),
      'NoSuchEntity',
      `MFA Device with serial number ${mfaArn('nonexistent-mfa')} does not exist.`,
      404,
    );
    // A device enabled for dave is not erin's to deactivate.
    await expectFailure(iam().send(new DeactivateMFADeviceCommand({ UserName: 'erin', SerialNumber: serial })), 'NoSuchEntity', `MFA Device with serial number ${serial} does not exist.`, 404);
  });

  it('deactivates, after which the device is unassigned again and can be deleted', async () => {
    const result = await iam().send(new DeactivateMFADeviceCommand({ UserName: 'dave', SerialNumber: serial }));
    expect(result.$metadata.httpStatusCode).toBe(200);
    const after = await iam().send(new ListMFADevicesCommand({ UserName: 'dave' }));
    expect({ MFADevices: after.MFADevices, IsTruncated: after.IsTruncated }).toEqual({ MFADevices: [], IsTruncated: false });
    expect((await listed('Assigned')).map((d) => d.SerialNumber)).not.toContain(serial);
    expect((await listed('Unassigned')).map((d) => d.SerialNumber)).toContain(serial);
    // Codes used to enable it before cannot enable it again: a new pair is needed.
    await enable('erin', serial, seed);
    await iam().send(new DeactivateMFADeviceCommand({ UserName: 'erin', SerialNumber: serial }));
    await iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    expect((await listed('Any')).map((d) => d.SerialNumber)).not.toContain(serial);
  });

  it('needs iam:EnableMFADevice on the user ARN', async () => {
    const frank = await createUser(server, 'frank', { inline: allow('iam:EnableMFADevice', 'arn:aws:iam::*:user/${aws:username}') });
    const { serial: own, seed: ownSeed } = await createDevice('frank-device');
    const asFrank = server.iam(frank.credentials, offsetOf(clock));
    let codes = consecutiveCodes(ownSeed);
    await expectFailure(
      asFrank.send(new EnableMFADeviceCommand({ UserName: 'erin', SerialNumber: own, AuthenticationCode1: codes.code1, AuthenticationCode2: codes.code2 })),
      'AccessDenied',
      deniedWith(`User: ${frank.arn} is not authorized to perform: iam:EnableMFADevice on resource: arn:aws:iam::${account}:user/erin`),
      403,
    );
    codes = consecutiveCodes(ownSeed);
    await asFrank.send(new EnableMFADeviceCommand({ UserName: 'frank', SerialNumber: own, AuthenticationCode1: codes.code1, AuthenticationCode2: codes.code2 }));
    expect((await iam().send(new ListMFADevicesCommand({ UserName: 'frank' }))).MFADevices!.map((d) => d.SerialNumber)).toEqual([own]);
  });

  it('allows eight devices in use per user; a ninth is LimitExceeded', async () => {
    await createUser(server, 'greta');
    for (let i = 0; i < 8; i++) {
      const { serial: own, seed: ownSeed } = await createDevice(`greta-${i}`, '/greta/');
      await enable('greta', own, ownSeed);
    }
    expect((await iam().send(new ListMFADevicesCommand({ UserName: 'greta' }))).MFADevices).toHaveLength(8);
    const ninth = await createDevice('greta-8', '/greta/');
    const { code1, code2 } = consecutiveCodes(ninth.seed);
    await expectFailure(
      iam().send(new EnableMFADeviceCommand({ UserName: 'greta', SerialNumber: ninth.serial, AuthenticationCode1: code1, AuthenticationCode2: code2 })),
      'LimitExceeded',
      'Cannot exceed quota for MFADevicesPerUser: 8',
      409,
    );
  });

  it('a role session must name the user', async () => {
    const rolf = await createUser(server, 'rolf', { inline: allow('sts:AssumeRole') });
    const { Role } = await iam().send(
      new CreateRoleCommand({ RoleName: 'mfa-reader', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: rolf.arn }, Action: 'sts:AssumeRole' }] }) }),
    );
    await iam().send(new PutRolePolicyCommand({ RoleName: 'mfa-reader', PolicyName: 'list', PolicyDocument: allow('iam:ListMFADevices') }));
    const assumed = await server.sts(rolf.credentials, offsetOf(clock)).send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'reader' }));
    const session = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    const asRole = server.iam(session, offsetOf(clock));
    await expectFailure(asRole.send(new ListMFADevicesCommand({})), 'ValidationError', 'Must specify userName when calling with non-User credentials', 400);
    expect((await asRole.send(new ListMFADevicesCommand({ UserName: 'greta' }))).MFADevices).toHaveLength(8);
  });
});
