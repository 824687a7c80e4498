import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { checkMasterKey } from '../../src/bootstrap.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { openPostgresStore } from '../../src/store/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestSchema, type TestSchema } from './postgres-helpers.js';

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

/** The real server on PostgreSQL (OPEN_STS_DATABASE_URL with `?schema=`), driven by the AWS SDK. */
describe('server on PostgreSQL', () => {
  let schema: TestSchema;
  let servers: TestServer[] = [];

  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    await schema?.drop();
  });

  const start = async (config: Parameters<typeof startTestServer>[0] = {}) => {
    const server = await startTestServer({ config: { databaseUrl: schema.url, ...config.config } });
    servers.push(server);
    return server;
  };

  it('serves STS and IAM from the database, and a second node with the same master key serves the same data', async () => {
    const first = await start();
    const identity = await first.sts().send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(first.accountId);
    expect(identity.Arn).toBe(`arn:aws:iam::${first.accountId}:root`);

    const created = await first.iam().send(new CreateRoleCommand({ RoleName: 'deployer', Path: '/ci/', AssumeRolePolicyDocument: TRUST }));
    expect(created.Role?.Arn).toBe(`arn:aws:iam::${first.accountId}:role/ci/deployer`);
    const fetched = await first.iam().send(new GetRoleCommand({ RoleName: 'DEPLOYER' }));
    expect(fetched.Role).toMatchObject({ RoleName: 'deployer', RoleId: created.Role?.RoleId, Arn: created.Role?.Arn });
    expect(decodeURIComponent(fetched.Role?.AssumeRolePolicyDocument ?? '')).toBe(TRUST);
    expect((await schema.query('SELECT name, path FROM iam_roles')).rows).toEqual([{ name: 'deployer', path: '/ci/' }]);

    // Another node on the same database: no second bootstrap, the root key and the role are shared.
    const second = await start({ config: { masterKey: first.config.masterKey } });
    expect((await schema.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n).toBe(1);
    expect((await second.sts(first.rootCredentials).send(new GetCallerIdentityCommand({}))).Account).toBe(first.accountId);
    expect((await second.iam(first.rootCredentials).send(new GetRoleCommand({ RoleName: 'deployer' }))).Role?.RoleId).toBe(created.Role?.RoleId);
  });

  it('a node with another master key is refused by the shared store', async () => {
    const first = await start();
    const store = openPostgresStore(schema.url);
    try {
      await store.migrate();
      await checkMasterKey(store, new SecretBox(Buffer.from(first.config.masterKey!, 'base64')));
      await expect(checkMasterKey(store, new SecretBox(randomBytes(32)))).rejects.toThrow(/master key does not match/);
    } finally {
      await store.close();
    }
  });
});
