import { ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { stsRateLimit: 5 } });
});
afterAll(async () => {
  await server?.close();
});

describe('the per-account STS quota', () => {
  it('answers Throttling (400, Sender) beyond the quota', async () => {
    const sts = server.sts();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => sts.send(new GetCallerIdentityCommand({}))));
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(throttled.length).toBeGreaterThanOrEqual(6);
    expect((throttled[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
  });

  it('is retried by the SDK with back-off until it succeeds', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const sts = new STSClient({ endpoint: server.endpoint, region: server.region, credentials: server.rootCredentials, maxAttempts: 6 });
    const results = await Promise.allSettled(Array.from({ length: 7 }, () => sts.send(new GetCallerIdentityCommand({}))));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const retried = results.map((r) => (r as PromiseFulfilledResult<{ $metadata: { attempts?: number } }>).value.$metadata.attempts ?? 1);
    expect(Math.max(...retried)).toBeGreaterThan(1);
  });

  it('does not count IAM calls', async () => {
    const iam = server.iam();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => iam.send(new ListRolesCommand({}))));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
