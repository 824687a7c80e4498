import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateVirtualMFADeviceCommand, EnableMFADeviceCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { STEP_MS, allow, authenticator, createRole, createUser, offsetOf, seedText, steppedClock, trust, type CreatedUser } from './helpers.js';

// The SDK's own credential providers against the server: they call AssumeRole themselves.

let server: TestServer;
let clock: ManualClock;
let account: string;
let olga: CreatedUser; // may assume roles; has an MFA device
let roleArn: string;
let mfaRoleArn: string;
let serial: string;
let codes: ReturnType<typeof authenticator>;
let dir: string;

/** A provider that counts how often the SDK asks it for credentials. */
function counting(provider: AwsCredentialIdentityProvider): { provider: AwsCredentialIdentityProvider; calls(): number; issued: AwsCredentialIdentity[] } {
  const issued: AwsCredentialIdentity[] = [];
  return {
    issued,
    calls: () => issued.length,
    provider: async (properties) => {
      const credentials = await provider(properties);
      issued.push(credentials);
      return credentials;
    },
  };
}

function stsWith(credentials: AwsCredentialIdentityProvider): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: server.region, credentials, maxAttempts: 1, ...offsetOf(clock) });
}

beforeAll(async () => {
  clock = steppedClock();
  server = await startTestServer({ clock });
  account = server.accountId;
  dir = await mkdtemp(path.join(tmpdir(), 'open-sts-providers-'));
  olga = await createUser(server, 'olga', { inline: allow('sts:AssumeRole') });
  roleArn = (await createRole(server, 'sdk-role', trust(`arn:aws:iam::${account}:root`))).arn;
  mfaRoleArn = (await createRole(server, 'sdk-mfa-role', trust(olga.arn, ['sts:AssumeRole'], { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }))).arn;
  const { VirtualMFADevice } = await server.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'olga' }));
  serial = VirtualMFADevice!.SerialNumber!;
  codes = authenticator(seedText(VirtualMFADevice!.Base32StringSeed));
  const code1 = codes.codeAt(clock.now());
  clock.advance(STEP_MS);
  await server.iam(undefined, offsetOf(clock)).send(
    new EnableMFADeviceCommand({ UserName: 'olga', SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: codes.codeAt(clock.now()) }),
  );
  clock.advance(STEP_MS);
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fromTemporaryCredentials', () => {
  const provider = () =>
    fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'from-provider', DurationSeconds: 900 },
      masterCredentials: olga.credentials,
      clientConfig: { endpoint: server.endpoint, region: server.region, maxAttempts: 1, ...offsetOf(clock) },
    });

  it('assumes the role and reuses the credentials while they are fresh', async () => {
    const counted = counting(provider());
    const client = stsWith(counted.provider);
    for (let i = 0; i < 3; i++) {
      const identity = await client.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-role/from-provider`);
    }
    expect(counted.calls()).toBe(1);
    expect(counted.issued[0]!.accessKeyId).toMatch(/^ASIA/);
    expect(counted.issued[0]!.expiration!.getTime() - clock.now().getTime()).toBeGreaterThan(899_000);
  });

  it('refreshes credentials when they come within the SDK’s five-minute window of expiring', async () => {
    // The SDK judges expiry by its own Date; the server by its ManualClock. Both move together here.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(clock.now());
      const counted = counting(provider());
      const client = stsWith(counted.provider);
      await client.send(new GetCallerIdentityCommand({}));
      expect(counted.calls()).toBe(1);
      // 11 minutes on, the 15-minute session has 4 minutes left: the next request refreshes first.
      clock.advance(11 * 60_000);
      vi.setSystemTime(clock.now());
      const identity = await client.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-role/from-provider`);
      expect(counted.calls()).toBe(2);
      expect(counted.issued[1]!.accessKeyId).not.toBe(counted.issued[0]!.accessKeyId);
      expect(counted.issued[1]!.expiration!.getTime()).toBe(counted.issued[0]!.expiration!.getTime() + 11 * 60_000);
      // The new credentials are fresh again.
      await client.send(new GetCallerIdentityCommand({}));
      expect(counted.calls()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('an AWS config profile with role_arn + source_profile', () => {
  let files: { filepath: string; configFilepath: string };

  beforeAll(async () => {
    // One pair of files for every case: the SDK caches what it has read from a path.
    files = { filepath: path.join(dir, 'credentials'), configFilepath: path.join(dir, 'config') };
    await writeFile(files.filepath, `[source]\naws_access_key_id = ${olga.credentials.accessKeyId}\naws_secret_access_key = ${olga.credentials.secretAccessKey}\n`, { mode: 0o600 });
    const profile = (name: string, lines: readonly string[]) => [`[profile ${name}]`, ...lines, `endpoint_url = ${server.endpoint}`, 'region = us-east-1', ''];
    await writeFile(
      files.configFilepath,
      [
        ...profile('source', []),
        ...profile('deployer', [`role_arn = ${roleArn}`, 'source_profile = source', 'role_session_name = from-ini', 'duration_seconds = 900']),
        ...profile('guarded', [`role_arn = ${mfaRoleArn}`, 'source_profile = source', 'role_session_name = with-mfa', `mfa_serial = ${serial}`]),
      ].join('\n'),
    );
  });

  it('fromIni with filepath/configFilepath assumes the profile’s role', async () => {
    // This SDK reads endpoint_url only from the profile AWS_PROFILE selects (see the next case), so the endpoint is passed here.
    const counted = counting(fromIni({ profile: 'deployer', ...files, clientConfig: { endpoint: server.endpoint, maxAttempts: 1, ...offsetOf(clock) } }));
    const identity = await stsWith(counted.provider).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-role/from-ini`);
    expect(counted.issued[0]!.expiration!.getTime() - clock.now().getTime()).toBeLessThanOrEqual(900_000);
  });

  it('selected through AWS_PROFILE, the profile’s endpoint_url and role work with no client settings at all', async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_') && key !== 'AWS_CA_BUNDLE') delete process.env[key];
    Object.assign(process.env, { AWS_PROFILE: 'deployer', AWS_CONFIG_FILE: files.configFilepath, AWS_SHARED_CREDENTIALS_FILE: files.filepath, AWS_EC2_METADATA_DISABLED: 'true' });
    try {
      const identity = await new STSClient({ maxAttempts: 1, ...offsetOf(clock) }).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-role/from-ini`);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('with mfa_serial asks for a code and assumes a role that requires MFA; a replayed code is refused', async () => {
    const asked: string[] = [];
    const mfaCodeProvider = async (mfaSerial: string) => {
      asked.push(mfaSerial);
      return codes.codeAt(clock.now());
    };
    const guarded = () => fromIni({ profile: 'guarded', ...files, mfaCodeProvider, clientConfig: { endpoint: server.endpoint, maxAttempts: 1, ...offsetOf(clock) } });
    const identity = await stsWith(guarded()).send(new GetCallerIdentityCommand({}));
    expect(asked).toEqual([serial]);
    expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-mfa-role/with-mfa`);
    await expect(stsWith(guarded()).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
  });
});
