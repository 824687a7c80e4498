import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type StoreFailure } from '../../src/store/errors.js';
import { openPostgresStore } from '../../src/store/index.js';
import { resolveDatabaseUrl } from '../../src/store/postgres-db.js';
import type { Store } from '../../src/store/store.js';
import type { AccountRecord, OrganizationRecord } from '../../src/store/types.js';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from './postgres-helpers.js';

/**
 * What only PostgreSQL has to prove: several nodes (here, several stores with pools of their own)
 * on one database keep every check-then-write atomic. The per-dialect bodies are in store.test.ts.
 */

const ACCOUNT = '111122223333';
const T0 = new Date('2026-01-01T00:00:00.000Z');
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';

describe('PostgreSQL URL', () => {
  it('turns a schema into the search_path of every connection, keeping other parameters', () => {
    expect(resolveDatabaseUrl('postgres://u:p%40ss@db:5432/sts', undefined)).toEqual({ connectionString: 'postgres://u:p%40ss@db:5432/sts', schema: undefined });
    const fromQuery = resolveDatabaseUrl('postgres://u@db/sts?sslmode=require&schema=tenant_a', undefined);
    expect(fromQuery.schema).toBe('tenant_a');
    const url = new URL(fromQuery.connectionString);
    expect(url.searchParams.get('schema')).toBeNull();
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.searchParams.get('options')).toBe('-c search_path="tenant_a"');
    const merged = new URL(resolveDatabaseUrl('postgresql://db/sts?options=-c%20statement_timeout%3D5000&schema=x', 'Override').connectionString);
    expect(merged.searchParams.get('options')).toBe('-c statement_timeout=5000 -c search_path="Override"');
  });

  it('refuses what is not a PostgreSQL URL or a plain schema name', () => {
    expect(() => resolveDatabaseUrl('mysql://db/sts', undefined)).toThrow(/postgres:\/\//);
    expect(() => resolveDatabaseUrl('not a url', undefined)).toThrow(/postgres:\/\//);
    expect(() => resolveDatabaseUrl('postgres://db/sts?schema=a;drop', undefined)).toThrow(/schema/);
    expect(() => resolveDatabaseUrl('postgres://db/sts', 'a"b')).toThrow(/schema/);
  });
});

describe('PostgreSQL store shared by several nodes', () => {
  let schema: TestSchema;
  let nodes: Store[] = [];

  /** A node: a store with its own connection pool on the test schema. */
  const node = (): Store => {
    const store = openPostgresStore(schema.url);
    nodes.push(store);
    return store;
  };

  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    await schema?.drop();
  });

  async function outcomes<T>(calls: readonly Promise<T>[]): Promise<{ readonly ok: T[]; readonly failures: StoreFailure[] }> {
    const ok: T[] = [];
    const failures: StoreFailure[] = [];
    for (const result of await Promise.allSettled(calls)) {
      if (result.status === 'fulfilled') ok.push(result.value);
      else if (result.reason instanceof StoreError) failures.push(result.reason.failure);
      else throw result.reason;
    }
    return { ok, failures };
  }

  it('nodes starting together apply each migration once', async () => {
    const stores = [node(), node(), node(), node()];
    await Promise.all(stores.map((s) => s.migrate()));
    const applied = await schema.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.rows.map((r: { version: number }) => r.version)).toEqual([1]);
    await stores[0]!.migrate();
    expect((await schema.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(1);
  });

  it('a schema named in the URL is created by migrate() and holds the tables', async () => {
    const name = `${schema.name}_url`;
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('schema', name);
    const store = openPostgresStore(url.toString());
    nodes.push(store);
    try {
      await store.migrate();
      await store.putMeta('k', 'v');
      const found = await schema.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [name, 'meta']);
      expect(found.rows[0].n).toBe(1);
      expect(await store.getMeta('k')).toBe('v');
    } finally {
      await store.close();
      await schema.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
  });

  describe('with the schema migrated', () => {
    let a: Store;
    let b: Store;
    beforeEach(async () => {
      a = node();
      b = node();
      await a.migrate();
      await b.migrate();
    });
    const either = (i: number) => (i % 2 === 0 ? a : b);

    it('10 concurrent CreateAccessKey calls for one user: exactly 2 succeed', async () => {
      await a.createUser({ accountId: ACCOUNT, id: 'AIDAUSERXXXXXXXXXXXXX', name: 'u', path: '/', createdAt: T0, tags: [] });
      const { ok, failures } = await outcomes(
        Array.from({ length: 10 }, (_, i) =>
          either(i).createAccessKey(ACCOUNT, { kind: 'user', name: 'u' }, { accessKeyId: `AKIACONCURRENT${String(i).padStart(6, '0')}`, secretCiphertext: 's', createdAt: T0 }, 2),
        ),
      );
      expect(ok).toHaveLength(2);
      expect(failures).toEqual(Array(8).fill({ code: 'LimitExceeded', quota: 'AccessKeysPerUser', limit: 2 }));
      expect((await b.listAccessKeys(ACCOUNT, { kind: 'user', name: 'u' })).keys.map((k) => k.accessKeyId).sort()).toEqual(ok.map((k) => k.accessKeyId).sort());
    });

    it('concurrent putMetaIfAbsent: every caller gets the same winner', async () => {
      const values = await Promise.all(Array.from({ length: 10 }, (_, i) => either(i).putMetaIfAbsent('master-key-check', `value-${i}`)));
      expect(new Set(values).size).toBe(1);
      expect(await a.getMeta('master-key-check')).toBe(values[0]);
    });

    it('concurrent createOrganization: one organization, the same for everyone', async () => {
      const org = (id: string): OrganizationRecord => ({
        id,
        arn: `arn:aws:organizations::${ACCOUNT}:organization/${id}`,
        rootId: 'r-abcd',
        managementAccountId: ACCOUNT,
        managementAccountEmail: 'root@example.com',
        featureSet: 'ALL',
        createdAt: T0,
      });
      const management: AccountRecord = { id: ACCOUNT, name: 'management', email: 'root@example.com', state: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: T0 };
      const created = await Promise.all(Array.from({ length: 6 }, (_, i) => either(i).createOrganization(org(`o-node${String(i).padStart(6, '0')}`), management)));
      expect(new Set(created.map((o) => o.id)).size).toBe(1);
      expect((await schema.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n).toBe(1);
      expect(await b.getOrganization()).toEqual(created[0]);
    });

    it('concurrent creates of one name in different cases: one wins, the rest get EntityAlreadyExists', async () => {
      const names = ['Alice', 'alice', 'ALICE', 'aLiCe', 'alicE', 'ALice'];
      const { ok, failures } = await outcomes(
        names.map((name, i) => either(i).createUser({ accountId: ACCOUNT, id: `AIDAALICE${String(i).padStart(12, '0')}`, name, path: '/', createdAt: T0, tags: [] })),
      );
      expect(ok).toHaveLength(1);
      expect(failures.map((f) => f.code)).toEqual(Array(5).fill('EntityAlreadyExists'));
      expect(await a.listUsers(ACCOUNT)).toHaveLength(1);
    });

    it('account quotas hold under concurrency', async () => {
      const { ok, failures } = await outcomes(
        Array.from({ length: 10 }, (_, i) =>
          either(i).createRole({
            accountId: ACCOUNT,
            maxPerAccount: 3,
            id: `AROAROLE${String(i).padStart(13, '0')}`,
            name: `role-${i}`,
            path: '/',
            createdAt: T0,
            assumeRolePolicyDocument: '{}',
            trustPrincipalIds: {},
            maxSessionDuration: 3600,
            tags: [],
          }),
        ),
      );
      expect(ok).toHaveLength(3);
      expect(failures).toEqual(Array(7).fill({ code: 'LimitExceeded', quota: 'RolesPerAccount', limit: 3 }));
    });

    it('policy versions: the limit holds and version IDs are never given twice', async () => {
      const p = await a.createPolicy({ accountId: ACCOUNT, id: 'ANPAPOLICYXXXXXXXXXXX', name: 'p', path: '/', document: DOC, createdAt: T0, tags: [] });
      const { ok, failures } = await outcomes(Array.from({ length: 10 }, (_, i) => either(i).createPolicyVersion(p.arn, `doc${i}`, i % 3 === 0, T0, 5)));
      expect(ok.map((v) => v.versionId).sort()).toEqual(['v2', 'v3', 'v4', 'v5']);
      expect(failures).toEqual(Array(6).fill({ code: 'LimitExceeded', quota: 'PolicyVersions', limit: 5 }));
      expect(await b.listPolicyVersions(p.arn)).toHaveLength(5);
    });

    it('a TOTP step is consumed once across nodes', async () => {
      const serial = `arn:aws:iam::${ACCOUNT}:mfa/dev`;
      await a.createMfaDevice({ accountId: ACCOUNT, serialNumber: serial, path: '/', name: 'dev', seedCiphertext: 'c', createdAt: T0, tags: [] });
      expect(await a.enableMfaDevice(ACCOUNT, serial, ACCOUNT, T0, 100)).toBe(true);
      const accepted = await Promise.all(Array.from({ length: 10 }, (_, i) => either(i).consumeMfaStep(ACCOUNT, serial, 101)));
      expect(accepted.filter(Boolean)).toHaveLength(1);
    });

    it('DeleteConflict: a user is never deleted while a racing write gives it a key or a policy', async () => {
      for (let round = 0; round < 5; round++) {
        const name = `racer${round}`;
        await a.createUser({ accountId: ACCOUNT, id: `AIDARACER${String(round).padStart(12, '0')}`, name, path: '/', createdAt: T0, tags: [] });
        const [deleted, keyed, inlined] = await Promise.allSettled([
          b.deleteUser(ACCOUNT, name),
          a.createAccessKey(ACCOUNT, { kind: 'user', name }, { accessKeyId: `AKIARACER${String(round).padStart(11, '0')}`, secretCiphertext: 's', createdAt: T0 }, 2),
          b.putInlinePolicy(ACCOUNT, { kind: 'user', name }, 'p', DOC, 10, 2048),
        ]);
        for (const result of [deleted, keyed, inlined]) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StoreError);
        const user = await a.getUser(ACCOUNT, name);
        if (deleted.status === 'fulfilled') {
          expect(user).toBeUndefined();
          expect([keyed.status, inlined.status]).toEqual(['rejected', 'rejected']);
        } else {
          expect(user).toBeDefined();
          expect((deleted.reason as StoreError).failure.code).toBe('DeleteConflict');
        }
        expect((await schema.query('SELECT count(*)::int AS n FROM access_keys k LEFT JOIN iam_users u ON u.id = k.user_id WHERE u.id IS NULL')).rows[0].n).toBe(0);
        expect((await schema.query('SELECT count(*)::int AS n FROM iam_inline_policies p LEFT JOIN iam_users u ON u.id = p.owner_id WHERE u.id IS NULL')).rows[0].n).toBe(0);
      }
    });

    it('the authorization generation counts every concurrent write', async () => {
      await Promise.all(Array.from({ length: 8 }, (_, i) => either(i).createGroup({ accountId: ACCOUNT, id: `AGPAGROUP${String(i).padStart(12, '0')}`, name: `g${i}`, path: '/', createdAt: T0 })));
      expect(await a.getAuthzGeneration(ACCOUNT)).toBe(8);
    });
  });
});
