import { CreatePolicyCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput, type Tag } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { allow, createRole, createUser, expectFailure, failure, policy, trust, type CreatedUser } from './helpers.js';

// Issue #4 point 8: every AssumeRole limit at the limit and just past it, PackedPolicySize, and
// no session when a call fails (the role's RoleLastUsed stays empty).

let server: TestServer;
let account: string;
let lena: CreatedUser;
let usedArn: string; // calls at the limit go here
let untouchedArn: string; // calls past the limit go here; it must never issue a session

/** sts-api.md §10.4: AWS reported PackedPolicySize 16 for exactly this policy. */
const CALIBRATION_POLICY =
  '{"Version": "2012-10-17", "Statement": [{"Sid": "RestrictedAccess", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::example-bucket/*"]}]}';

function assume(roleArn: string, input: Partial<AssumeRoleCommandInput> = {}) {
  return server.sts(lena.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'limits', ...input }));
}

/** Deterministic pseudo-random Base32 text: compresses like random data, the same on every run. */
function noise(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let state = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += alphabet[state >>> 27];
  }
  return out;
}

function tags(count: number, keyLength = 3, valueLength = 1, seed = 1): Tag[] {
  return Array.from({ length: count }, (_, i) => ({
    Key: keyLength <= 4 ? `k${i}`.padEnd(keyLength, 'k') : `${i}-${noise(keyLength, seed + i)}`.slice(0, keyLength),
    Value: valueLength <= 1 ? 'v'.repeat(valueLength) : noise(valueLength, seed * 1000 + i),
  }));
}

/** A valid session policy padded with spaces to exactly `length` characters. */
function paddedPolicy(length: number): string {
  const text = policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
  return text.slice(0, -1) + ' '.repeat(length - text.length) + '}';
}

/** A policy whose resources are incompressible: `length` characters. */
function noisyPolicy(length: number, seed: number): string {
  const head = policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::X' }]);
  return head.replace('arn:aws:s3:::X', `arn:aws:s3:::${noise(length - head.length + 1, seed)}`);
}

async function expectValidation(call: Promise<unknown>, message: string | RegExp): Promise<void> {
  await expectFailure(call, 'ValidationError', message, 400);
}

beforeAll(async () => {
  server = await startTestServer();
  account = server.accountId;
  lena = await createUser(server, 'lena', { inline: allow(['sts:AssumeRole', 'sts:TagSession']) });
  const trusting = trust(`arn:aws:iam::${account}:root`, ['sts:AssumeRole', 'sts:TagSession']);
  usedArn = (await createRole(server, 'limits-used', trusting)).arn;
  untouchedArn = (await createRole(server, 'limits-untouched', trusting)).arn;
});
afterAll(async () => {
  await server?.close();
});

describe('PackedPolicySize', () => {
  it('matches AWS’s recorded calibration point: the 163-character policy packs to 16', async () => {
    expect(CALIBRATION_POLICY).toHaveLength(163);
    expect((await assume(usedArn, { Policy: CALIBRATION_POLICY })).PackedPolicySize).toBe(16);
  });

  it('is absent when the call passes no policy, policy ARN or tag', async () => {
    const result = await assume(usedArn);
    expect(result.PackedPolicySize).toBeUndefined();
    expect((await assume(usedArn, { Tags: [{ Key: 'team', Value: 'a' }] })).PackedPolicySize).toBeGreaterThan(0);
  });

  it('counts tags and policies against one budget: each fits alone, together they are PackedPolicyTooLarge', async () => {
    const someTags = tags(8, 32, 64, 7);
    const somePolicy = noisyPolicy(700, 11);
    const tagsAlone = (await assume(usedArn, { Tags: someTags })).PackedPolicySize!;
    const policyAlone = (await assume(usedArn, { Policy: somePolicy })).PackedPolicySize!;
    expect(tagsAlone).toBeLessThanOrEqual(100);
    expect(policyAlone).toBeLessThanOrEqual(100);
    expect(tagsAlone + policyAlone).toBeGreaterThan(100);
    await expectFailure(
      assume(untouchedArn, { Tags: someTags, Policy: somePolicy }),
      'PackedPolicyTooLarge',
      /^Packed size of session tags consumes \d+% of allotted space\.$/,
      400,
    );
  });

  it('50 tags of maximum size are far beyond the budget', async () => {
    const caught = await failure(assume(untouchedArn, { Tags: tags(50, 128, 256, 3) }));
    expect({ code: caught.code, status: caught.status }).toEqual({ code: 'PackedPolicyTooLarge', status: 400 });
    const percent = Number(/consumes (\d+)% of allotted space\.$/.exec(caught.message)?.[1]);
    expect(percent).toBeGreaterThan(100);
  });
});

describe('AssumeRole limits, at and just past each', () => {
  it('50 tags are accepted, 51 are a ValidationError', async () => {
    expect((await assume(usedArn, { Tags: tags(50) })).PackedPolicySize).toBeLessThanOrEqual(100);
    await expectValidation(assume(untouchedArn, { Tags: tags(51) }), /^1 validation error detected: Value '.*' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
  });

  it('a tag key of 128 characters is accepted, 129 is not', async () => {
    await expect(assume(usedArn, { Tags: [{ Key: 'k'.repeat(128), Value: 'v' }] })).resolves.toBeDefined();
    const key = 'k'.repeat(129);
    await expectValidation(
      assume(untouchedArn, { Tags: [{ Key: key, Value: 'v' }] }),
      `1 validation error detected: Value '${key}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it('a tag value of 256 characters is accepted, 257 is not', async () => {
    await expect(assume(usedArn, { Tags: [{ Key: 'k', Value: 'v'.repeat(256) }] })).resolves.toBeDefined();
    const value = 'v'.repeat(257);
    await expectValidation(
      assume(untouchedArn, { Tags: [{ Key: 'k', Value: value }] }),
      `1 validation error detected: Value '${value}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });

  it('an ExternalId of 1224 characters is accepted, 1225 is not', async () => {
    await expect(assume(usedArn, { ExternalId: 'e'.repeat(1224) })).resolves.toBeDefined();
    const id = 'e'.repeat(1225);
    await expectValidation(
      assume(untouchedArn, { ExternalId: id }),
      `1 validation error detected: Value '${id}' at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224`,
    );
  });

  it('a RoleSessionName of 64 characters is accepted, 65 is not (recorded text)', async () => {
    const result = await assume(usedArn, { RoleSessionName: 's'.repeat(64) });
    expect(result.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/limits-used/${'s'.repeat(64)}`);
    await expectValidation(
      assume(untouchedArn, { RoleSessionName: 's'.repeat(65) }),
      `1 validation error detected: Value '${'s'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('10 PolicyArns are accepted, 11 are not', async () => {
    const arns: string[] = [];
    for (let i = 0; i < 11; i++) {
      const { Policy } = await server.iam().send(new CreatePolicyCommand({ PolicyName: `session-${i}`, PolicyDocument: allow(`s3:GetObject`, `arn:aws:s3:::bucket-${i}/*`) }));
      arns.push(Policy!.Arn!);
    }
    const result = await assume(usedArn, { PolicyArns: arns.slice(0, 10).map((arn) => ({ arn })) });
    expect(result.PackedPolicySize).toBeGreaterThan(0);
    await expectValidation(
      assume(untouchedArn, { PolicyArns: arns.map((arn) => ({ arn })) }),
      /^1 validation error detected: Value '.*' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
  });

  it('an inline Policy of 2048 characters is accepted, 2049 is not', async () => {
    const atLimit = paddedPolicy(2048);
    expect(atLimit).toHaveLength(2048);
    await expect(assume(usedArn, { Policy: atLimit })).resolves.toMatchObject({ PackedPolicySize: expect.any(Number) });
    const tooLong = paddedPolicy(2049);
    await expectValidation(
      assume(untouchedArn, { Policy: tooLong }),
      `1 validation error detected: Value '${tooLong}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    );
  });

  it('no failed call issued a session: only the role called at the limit was ever used', async () => {
    const used = await server.iam().send(new GetRoleCommand({ RoleName: 'limits-used' }));
    expect(used.Role?.RoleLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    const untouched = await server.iam().send(new GetRoleCommand({ RoleName: 'limits-untouched' }));
    expect(untouched.Role?.RoleLastUsed?.LastUsedDate).toBeUndefined();
    // And the untouched role is assumable: the failures were the parameters, not the role.
    await expect(assume(untouchedArn)).resolves.toBeDefined();
    const after = await server.iam().send(new GetRoleCommand({ RoleName: 'limits-untouched' }));
    expect(after.Role?.RoleLastUsed?.LastUsedDate).toBeInstanceOf(Date);
  });
});
