import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { newAccessKeyId, newAccountId, newSecretAccessKey } from '../../src/ids.js';
import type { App } from '../../src/server/app.js';
import { startServer } from '../../src/server/start.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Client settings tests may change: a clock offset matches a server clock moved by hand. */
export interface ClientOptions {
  readonly systemClockOffset?: number;
}

export interface TestServer {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly rootCredentials: Credentials;
  readonly dataDir: string;
  readonly app: App;
  readonly config: Config;
  sts(credentials?: Credentials, options?: ClientOptions): STSClient;
  iam(credentials?: Credentials, options?: ClientOptions): IAMClient;
  organizations(credentials?: Credentials, options?: ClientOptions): OrganizationsClient;
  close(): Promise<void>;
}

/**
 * The real server on a free port, with a fresh SQLite store in a temporary directory. Clients
 * are the real AWS SDK, pointed at it with an endpoint URL; retries are off so errors surface.
 */
export async function startTestServer(options: { clock?: Clock; config?: Partial<Config> } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'open-sts-test-'));
  const accountId = newAccountId();
  const rootCredentials = { accessKeyId: newAccessKeyId('AKIA', accountId), secretAccessKey: newSecretAccessKey() };
  const config = loadConfig([], {}, {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    accountId,
    rootAccessKeyId: rootCredentials.accessKeyId,
    rootSecretAccessKey: rootCredentials.secretAccessKey,
    masterKey: randomBytes(32).toString('base64'),
    logLevel: 'silent',
    stsRateLimit: 0,
    lookupRateLimit: 0,
    ...options.config,
  });
  const server = await startServer(config, { writeCredentials: false, ...(options.clock ? { clock: options.clock } : {}) });
  const region = config.region;
  const clientConfig = (credentials: Credentials = rootCredentials, options: ClientOptions = {}) => ({
    endpoint: server.url,
    region,
    credentials,
    maxAttempts: 1,
    ...options,
  });
  return {
    endpoint: server.url,
    region,
    accountId,
    rootCredentials,
    dataDir,
    app: server.app,
    config,
    sts: (credentials, options) => new STSClient(clientConfig(credentials, options)),
    iam: (credentials, options) => new IAMClient(clientConfig(credentials, options)),
    organizations: (credentials, options) => new OrganizationsClient(clientConfig(credentials, options)),
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
