import { ListUsersCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  type GetSessionTokenCommandInput,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.js';
import { allow, createRole, createUser, expectFailure, sessionOf, trust, type CreatedUser } from './helpers.js';

// sts-api.md §6 and §9: GetSessionToken.

let server: TestServer;
let clock: ManualClock;
let account: string;
let gina: CreatedUser; // may assume any role
let roleArn: string;

const sts = (credentials: Credentials) => server.sts(credentials);
const getSessionToken = (credentials: Credentials, input: GetSessionTokenCommandInput = {}) => sts(credentials).send(new GetSessionTokenCommand(input));

/** Seconds from the (whole-second) request time to Expiration. */
function lifetime(expiration: Date | undefined): number {
  return (expiration!.getTime() - Math.floor(clock.now().getTime() / 1000) * 1000) / 1000;
}

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ clock });
  account = server.accountId;
  gina = await createUser(server, 'gina', { inline: allow('sts:AssumeRole') });
  roleArn = (await createRole(server, 'gst-target', trust(`arn:aws:iam::${account}:root`))).arn;
});
afterAll(async () => {
  await server?.close();
});

describe('GetSessionToken durations', () => {
  it('an IAM user gets 43200 seconds by default, 900 to 129600 on request', async () => {
    const result = await getSessionToken(gina.credentials);
    expect(Object.keys(result).filter((k) => k !== '$metadata')).toEqual(['Credentials']);
    expect(Object.keys(result.Credentials!).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken']);
    expect(lifetime(result.Credentials!.Expiration)).toBe(43200);
    expect(lifetime((await getSessionToken(gina.credentials, { DurationSeconds: 900 })).Credentials!.Expiration)).toBe(900);
    expect(lifetime((await getSessionToken(gina.credentials, { DurationSeconds: 129600 })).Credentials!.Expiration)).toBe(129600);
  });

  it('rejects durations outside 900–129600 with STS validation messages', async () => {
    await expectFailure(
      getSessionToken(gina.credentials, { DurationSeconds: 129601 }),
      'ValidationError',
      "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
      400,
    );
    await expectFailure(
      getSessionToken(gina.credentials, { DurationSeconds: 899 }),
      'ValidationError',
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      400,
    );
  });

  it('the root user gets at most one hour: the default and longer requests clamp to 3600', async () => {
    expect(lifetime((await getSessionToken(server.rootCredentials)).Credentials!.Expiration)).toBe(3600);
    expect(lifetime((await getSessionToken(server.rootCredentials, { DurationSeconds: 129600 })).Credentials!.Expiration)).toBe(3600);
    expect(lifetime((await getSessionToken(server.rootCredentials, { DurationSeconds: 900 })).Credentials!.Expiration)).toBe(900);
  });
});

describe('GetSessionToken credentials', () => {
  it('are the same principal: GetCallerIdentity gives the user ARN and AIDA id, or the root', async () => {
    const session = sessionOf(await getSessionToken(gina.credentials));
    const identity = await sts(session).send(new GetCallerIdentityCommand({}));
    expect({ Account: identity.Account, Arn: identity.Arn, UserId: identity.UserId }).toEqual({ Account: account, Arn: gina.arn, UserId: gina.userId });
    expect(identity.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const rootSession = sessionOf(await getSessionToken(server.rootCredentials));
    const root = await sts(rootSession).send(new GetCallerIdentityCommand({}));
    expect({ Account: root.Account, Arn: root.Arn, UserId: root.UserId }).toEqual({ Account: account, Arn: `arn:aws:iam::${account}:root`, UserId: account });
  });

  it('cannot call GetSessionToken or GetFederationToken again', async () => {
    const session = sessionOf(await getSessionToken(gina.credentials));
    await expectFailure(getSessionToken(session), 'AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    await expectFailure(sts(session).send(new GetFederationTokenCommand({ Name: 'fed' })), 'AccessDenied', 'Cannot call GetFederationToken with session credentials', 403);
    const roleSession = sessionOf(await sts(gina.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'role-session' })));
    await expectFailure(getSessionToken(roleSession), 'AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
  });

  it('without MFA cannot call IAM: InvalidClientTokenId, for a user and for the root', async () => {
    for (const credentials of [gina.credentials, server.rootCredentials]) {
      const session = sessionOf(await getSessionToken(credentials));
      await expectFailure(server.iam(session).send(new ListUsersCommand({})), 'InvalidClientTokenId', /^The security token included in the request is invalid\.?$/, 403);
    }
    // The long-term keys themselves still may.
    await expect(server.iam().send(new ListUsersCommand({}))).resolves.toBeDefined();
  });

  it('may call AssumeRole, which then counts as role chaining (one-hour cap)', async () => {
    const session = sessionOf(await getSessionToken(gina.credentials));
    await expectFailure(
      sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'from-gst', DurationSeconds: 3601 })),
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      400,
    );
    const assumed = await sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'from-gst' }));
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/gst-target/from-gst`);
  });

  it('may not call the other STS actions', async () => {
    const session = sessionOf(await getSessionToken(gina.credentials));
    await expectFailure(sts(session).send(new GetAccessKeyInfoCommand({ AccessKeyId: gina.credentials.accessKeyId })), 'AccessDenied', /sts:GetAccessKeyInfo/, 403);
  });
});
