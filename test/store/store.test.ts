import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPostgresStore, openSqliteStore } from '../../src/store/index.js';
import { StoreError, type StoreFailure } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import type { AccountRecord, OrganizationRecord } from '../../src/store/types.js';
import { createTestSchema, TEST_DATABASE_URL } from './postgres-helpers.js';

/**
 * Every store body runs once per implementation (STYLE.md): SQLite in memory, and PostgreSQL in
 * a fresh schema of OPEN_STS_TEST_DATABASE_URL, dropped afterwards. An unreachable PostgreSQL
 * fails its half of the tests.
 */
const IMPLEMENTATIONS: ReadonlyArray<{ readonly name: string; open(): Promise<{ store: Store; cleanup(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    async open() {
      const store = openSqliteStore(':memory:');
      await store.migrate();
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = await createTestSchema();
      const store = openPostgresStore(TEST_DATABASE_URL, { schema: schema.name });
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        await schema.drop();
        throw error;
      }
      return {
        store,
        cleanup: async () => {
          await store.close();
          await schema.drop();
        },
      };
    },
  },
];

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const T0 = new Date('2026-01-01T00:00:00.000Z');
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

async function failure(promise: Promise<unknown>): Promise<StoreFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StoreError) return error.failure;
    throw error;
  }
  throw new Error('expected a StoreError');
}

for (const impl of IMPLEMENTATIONS) {
  describe(`store (${impl.name})`, () => {
    let store: Store;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await impl.open());
    });
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    const user = (name: string, extra: Partial<Parameters<Store['createUser']>[0]> = {}) =>
      store.createUser({ accountId: ACCOUNT, id: `AIDA${name.toUpperCase().padEnd(17, 'X')}`, name, path: '/', createdAt: T0, tags: [], ...extra });
    const role = (name: string, extra: Partial<Parameters<Store['createRole']>[0]> = {}) =>
      store.createRole({
        accountId: ACCOUNT,
        id: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
        name,
        path: '/',
        createdAt: T0,
        assumeRolePolicyDocument: TRUST,
        trustPrincipalIds: {},
        maxSessionDuration: 3600,
        tags: [],
        ...extra,
      });
    const policy = (name: string, extra: Partial<Parameters<Store['createPolicy']>[0]> = {}) =>
      store.createPolicy({ accountId: ACCOUNT, id: `ANPA${name.toUpperCase().padEnd(17, 'X')}`, name, path: '/', document: DOC, createdAt: T0, tags: [], ...extra });
    const group = (name: string) => store.createGroup({ accountId: ACCOUNT, id: `AGPA${name.toUpperCase().padEnd(17, 'X')}`, name, path: '/', createdAt: T0 });

    it('migrates idempotently', async () => {
      await store.migrate();
      await store.migrate();
      expect(await store.getAuthzGeneration(ACCOUNT)).toBe(0);
    });

    it('meta: first writer wins', async () => {
      expect(await store.getMeta('k')).toBeUndefined();
      expect(await store.putMetaIfAbsent('k', 'a')).toBe('a');
      expect(await store.putMetaIfAbsent('k', 'b')).toBe('a');
      await store.putMeta('k', 'c');
      expect(await store.getMeta('k')).toBe('c');
    });

    it('organization: created once with its management account', async () => {
      const org: OrganizationRecord = {
        id: 'o-abcdefghij',
        arn: `arn:aws:organizations::${ACCOUNT}:organization/o-abcdefghij`,
        rootId: 'r-abcd',
        managementAccountId: ACCOUNT,
        managementAccountEmail: 'root@example.com',
        featureSet: 'ALL',
        createdAt: T0,
      };
      const management: AccountRecord = { id: ACCOUNT, name: 'management', email: 'root@example.com', state: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: T0 };
      expect(await store.createOrganization(org, management)).toEqual(org);
      expect(await store.createOrganization({ ...org, id: 'o-zzzzzzzzzz' }, management)).toEqual(org);
      expect(await store.getOrganization()).toEqual(org);
      expect(await store.getAccount(ACCOUNT)).toEqual(management);
      await store.putAccount({ ...management, id: OTHER, name: 'second', joinedAt: new Date(T0.getTime() + 1000) });
      expect((await store.listAccounts()).map((a) => a.id)).toEqual([ACCOUNT, OTHER]);
    });

    it('create-account statuses round-trip', async () => {
      await store.putCreateAccountStatus({ id: 'car-1', accountName: 'a', email: 'a@x', state: 'IN_PROGRESS', requestedAt: T0 });
      await store.putCreateAccountStatus({ id: 'car-1', accountName: 'a', email: 'a@x', state: 'SUCCEEDED', requestedAt: T0, completedAt: T0, accountId: OTHER });
      expect(await store.getCreateAccountStatus('car-1')).toEqual({ id: 'car-1', accountName: 'a', email: 'a@x', state: 'SUCCEEDED', requestedAt: T0, completedAt: T0, accountId: OTHER });
      expect(await store.listCreateAccountStatuses()).toHaveLength(1);
    });

    it('users: unique case-insensitively, ARN from path, rename follows the unique ID', async () => {
      const created = await user('Alice', { path: '/team/', tags: [{ Key: 'k', Value: 'v' }] });
      expect(created.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/team/Alice`);
      expect(created.tags).toEqual([{ Key: 'k', Value: 'v' }]);
      expect(await failure(user('alice'))).toEqual({ code: 'EntityAlreadyExists', entity: 'user', name: 'alice' });
      expect((await store.getUser(ACCOUNT, 'ALICE'))?.id).toBe(created.id);
      const renamed = await store.updateUser(ACCOUNT, 'alice', { newName: 'Bob', newPath: '/x/' });
      expect(renamed.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/x/Bob`);
      expect(await store.getUserIdentity(ACCOUNT, created.id)).toMatchObject({ userName: 'Bob', arn: renamed.arn });
      expect(await store.getUser(ACCOUNT, 'Alice')).toBeUndefined();
      await user('Carol');
      expect(await failure(store.updateUser(ACCOUNT, 'Bob', { newName: 'carol' }))).toMatchObject({ code: 'EntityAlreadyExists', entity: 'user' });
      expect((await store.listUsers(ACCOUNT, '/x')).map((u) => u.name)).toEqual(['Bob']);
      expect((await store.listUsers(ACCOUNT)).map((u) => u.name)).toEqual(['Bob', 'Carol']);
      expect(await store.listUsers(OTHER)).toEqual([]);
    });

    it('account quotas are checked in the same transaction as the insert', async () => {
      await user('one', { maxPerAccount: 2 });
      await user('two', { maxPerAccount: 2 });
      expect(await failure(user('three', { maxPerAccount: 2 }))).toEqual({ code: 'LimitExceeded', quota: 'UsersPerAccount', limit: 2 });
      expect(await store.getUser(ACCOUNT, 'three')).toBeUndefined();
      await role('r1', { maxPerAccount: 1 });
      expect(await failure(role('r2', { maxPerAccount: 1 }))).toMatchObject({ quota: 'RolesPerAccount' });
      await policy('p1', { maxPerAccount: 1 });
      expect(await failure(policy('p2', { maxPerAccount: 1 }))).toMatchObject({ quota: 'PoliciesPerAccount' });
    });

    it('users: a boundary must exist; AWS managed boundaries are trusted', async () => {
      const arn = `arn:aws:iam::${ACCOUNT}:policy/missing`;
      expect(await failure(user('u', { permissionsBoundary: { arn, awsManaged: false } }))).toEqual({ code: 'NoSuchEntity', entity: 'boundary', arn });
      expect(await store.getUser(ACCOUNT, 'u')).toBeUndefined();
      const u = await user('u', { permissionsBoundary: { arn: 'arn:aws:iam::aws:policy/PowerUserAccess', awsManaged: true } });
      expect(u.permissionsBoundaryArn).toBe('arn:aws:iam::aws:policy/PowerUserAccess');
    });

    it('delete user: conflicts leave the user in place', async () => {
      await user('u');
      await store.createAccessKey(ACCOUNT, { kind: 'user', name: 'u' }, { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretCiphertext: 's', createdAt: T0 }, 2);
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'DeleteConflict', reason: 'access-keys' });
      await store.deleteAccessKey(ACCOUNT, { kind: 'user', name: 'u' }, 'AKIAAAAAAAAAAAAAAAAA');
      await store.putInlinePolicy(ACCOUNT, { kind: 'user', name: 'u' }, 'p', DOC, 10, 2048);
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'DeleteConflict', reason: 'inline-policies' });
      await store.deleteInlinePolicy(ACCOUNT, { kind: 'user', name: 'u' }, 'p');
      await policy('mp');
      await store.attachPolicy(ACCOUNT, { kind: 'user', name: 'u' }, { arn: `arn:aws:iam::${ACCOUNT}:policy/mp`, awsManaged: false }, 10);
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'DeleteConflict', reason: 'attached-policies' });
      await store.detachPolicy(ACCOUNT, { kind: 'user', name: 'u' }, `arn:aws:iam::${ACCOUNT}:policy/mp`);
      await group('g');
      await store.addUserToGroup(ACCOUNT, 'g', 'u', 10);
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'DeleteConflict', reason: 'group-memberships' });
      await store.removeUserFromGroup(ACCOUNT, 'g', 'u');
      await store.deleteUser(ACCOUNT, 'u');
      expect(await store.getUser(ACCOUNT, 'u')).toBeUndefined();
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'NoSuchEntity', entity: 'user', name: 'u' });
    });

    it('access keys: quota of 2 per owner, root keys apart, last use recorded', async () => {
      await user('u');
      const owner = { kind: 'user', name: 'U' } as const;
      const k1 = await store.createAccessKey(ACCOUNT, owner, { accessKeyId: 'AKIA1111111111111111', secretCiphertext: 's1', createdAt: T0 }, 2);
      expect(k1).toMatchObject({ accessKeyId: 'AKIA1111111111111111', status: 'Active', userId: 'AIDAUXXXXXXXXXXXXXXXX', accountId: ACCOUNT });
      await store.createAccessKey(ACCOUNT, owner, { accessKeyId: 'AKIA2222222222222222', secretCiphertext: 's2', createdAt: T0 }, 2);
      expect(await failure(store.createAccessKey(ACCOUNT, owner, { accessKeyId: 'AKIA3333333333333333', secretCiphertext: 's3', createdAt: T0 }, 2))).toEqual({
        code: 'LimitExceeded',
        quota: 'AccessKeysPerUser',
        limit: 2,
      });
      expect(await store.getAccessKey('AKIA3333333333333333')).toBeUndefined();
      await store.createRootAccessKey({ accessKeyId: 'AKIAROOT000000000000', accountId: ACCOUNT, status: 'Active', secretCiphertext: 'r', createdAt: T0 });
      const listed = await store.listAccessKeys(ACCOUNT, owner);
      expect(listed.userName).toBe('u');
      expect(listed.keys.map((k) => k.accessKeyId)).toEqual(['AKIA1111111111111111', 'AKIA2222222222222222']);
      expect((await store.listAccessKeys(ACCOUNT, { kind: 'root' })).keys.map((k) => k.accessKeyId)).toEqual(['AKIAROOT000000000000']);
      await store.updateAccessKeyStatus(ACCOUNT, owner, 'AKIA1111111111111111', 'Inactive');
      expect((await store.getAccessKey('AKIA1111111111111111'))?.status).toBe('Inactive');
      expect(await failure(store.updateAccessKeyStatus(ACCOUNT, { kind: 'root' }, 'AKIA1111111111111111', 'Active'))).toEqual({
        code: 'NoSuchEntity',
        entity: 'access-key',
        accessKeyId: 'AKIA1111111111111111',
      });
      expect(await failure(store.deleteAccessKey(OTHER, { kind: 'root' }, 'AKIAROOT000000000000'))).toMatchObject({ code: 'NoSuchEntity', entity: 'access-key' });
      await store.recordAccessKeyUse('AKIA2222222222222222', T0, 'iam', 'us-east-1');
      expect(await store.getAccessKey('AKIA2222222222222222')).toMatchObject({ lastUsedAt: T0, lastUsedService: 'iam', lastUsedRegion: 'us-east-1' });
      expect(await failure(store.listAccessKeys(ACCOUNT, { kind: 'user', name: 'nobody' }))).toEqual({ code: 'NoSuchEntity', entity: 'user', name: 'nobody' });
    });

    it('roles: trust policy, description, duration, boundary, last use; delete conflicts', async () => {
      const r = await role('Deployer', { path: '/app/', description: 'd', trustPrincipalIds: { 'arn:aws:iam::111122223333:user/a': 'AIDAX' } });
      expect(r).toMatchObject({ arn: `arn:aws:iam::${ACCOUNT}:role/app/Deployer`, description: 'd', maxSessionDuration: 3600, trustPrincipalIds: { 'arn:aws:iam::111122223333:user/a': 'AIDAX' } });
      expect(await failure(role('deployer'))).toMatchObject({ code: 'EntityAlreadyExists', entity: 'role' });
      const updated = await store.updateRole(ACCOUNT, 'deployer', { maxSessionDuration: 7200 });
      expect(updated).toMatchObject({ description: 'd', maxSessionDuration: 7200 });
      await store.updateAssumeRolePolicy(ACCOUNT, 'Deployer', '{}', {});
      expect((await store.getRole(ACCOUNT, 'Deployer'))?.assumeRolePolicyDocument).toBe('{}');
      await store.recordRoleUse(r.id, T0, 'eu-west-1');
      expect(await store.getRoleById(r.id)).toMatchObject({ lastUsedAt: T0, lastUsedRegion: 'eu-west-1' });
      await store.putInlinePolicy(ACCOUNT, { kind: 'role', name: 'Deployer' }, 'p', DOC, 10, 10240);
      expect(await failure(store.deleteRole(ACCOUNT, 'Deployer'))).toEqual({ code: 'DeleteConflict', reason: 'inline-policies' });
      await store.deleteInlinePolicy(ACCOUNT, { kind: 'role', name: 'Deployer' }, 'p');
      await store.attachPolicy(ACCOUNT, { kind: 'role', name: 'Deployer' }, { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: true }, 10);
      expect(await failure(store.deleteRole(ACCOUNT, 'Deployer'))).toEqual({ code: 'DeleteConflict', reason: 'attached-policies' });
      await store.detachPolicy(ACCOUNT, { kind: 'role', name: 'Deployer' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
      await store.deleteRole(ACCOUNT, 'Deployer');
      expect(await store.getRoleById(r.id)).toBeUndefined();
    });

    it('permissions boundaries: put and delete, counted per policy', async () => {
      await role('r');
      const mp = await policy('b');
      await store.putPermissionsBoundary(ACCOUNT, { kind: 'role', name: 'r' }, { arn: mp.arn, awsManaged: false });
      expect((await store.getRole(ACCOUNT, 'r'))?.permissionsBoundaryArn).toBe(mp.arn);
      expect((await store.getPolicy(mp.arn))?.permissionsBoundaryUsageCount).toBe(1);
      expect(await failure(store.deletePolicy(mp.arn))).toEqual({ code: 'DeleteConflict', reason: 'policy-in-use' });
      await store.deletePermissionsBoundary(ACCOUNT, { kind: 'role', name: 'r' });
      expect((await store.getRole(ACCOUNT, 'r'))?.permissionsBoundaryArn).toBeUndefined();
      const missing = `arn:aws:iam::${ACCOUNT}:policy/none`;
      expect(await failure(store.putPermissionsBoundary(ACCOUNT, { kind: 'role', name: 'r' }, { arn: missing, awsManaged: false }))).toEqual({
        code: 'NoSuchEntity',
        entity: 'boundary',
        arn: missing,
      });
    });

    it('inline policies: aggregate size limit per owner, replace in place', async () => {
      await user('u');
      const owner = { kind: 'user', name: 'u' } as const;
      await store.putInlinePolicy(ACCOUNT, owner, 'a', 'A', 1000, 2048);
      await store.putInlinePolicy(ACCOUNT, owner, 'b', 'B', 1048, 2048);
      expect(await failure(store.putInlinePolicy(ACCOUNT, owner, 'c', 'C', 1, 2048))).toEqual({
        code: 'LimitExceeded',
        quota: 'InlinePolicySize',
        limit: 2048,
        owner: { kind: 'user', name: 'u' },
      });
      await store.putInlinePolicy(ACCOUNT, owner, 'a', 'A2', 999, 2048);
      expect(await store.listInlinePolicies(ACCOUNT, owner)).toEqual(['a', 'b']);
      expect(await store.getInlinePolicy(ACCOUNT, { kind: 'user', name: 'U' }, 'a')).toEqual({ ownerName: 'u', policy: { name: 'a', document: 'A2' } });
      expect(await failure(store.getInlinePolicy(ACCOUNT, owner, 'zz'))).toEqual({ code: 'NoSuchEntity', entity: 'inline-policy', owner: 'user', name: 'zz' });
      expect(await failure(store.getInlinePolicy(ACCOUNT, { kind: 'role', name: 'u' }, 'a'))).toEqual({ code: 'NoSuchEntity', entity: 'role', name: 'u' });
    });

    it('managed policies: versions never reused, at most 5, default switch atomic', async () => {
      const p = await policy('P', { description: 'desc', tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] });
      expect(p).toMatchObject({ arn: `arn:aws:iam::${ACCOUNT}:policy/P`, defaultVersionId: 'v1', attachmentCount: 0, description: 'desc' });
      expect(p.tags).toEqual([{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }]);
      expect(await failure(policy('p'))).toEqual({ code: 'EntityAlreadyExists', entity: 'policy', name: 'p' });
      for (let i = 2; i <= 5; i++) await store.createPolicyVersion(p.arn, `doc${i}`, i === 3, new Date(T0.getTime() + i * 1000), 5);
      expect(await failure(store.createPolicyVersion(p.arn, 'x', false, T0, 5))).toEqual({ code: 'LimitExceeded', quota: 'PolicyVersions', limit: 5 });
      expect((await store.getPolicy(p.arn))?.defaultVersionId).toBe('v3');
      expect(await failure(store.deletePolicyVersion(p.arn, 'v3'))).toEqual({ code: 'DeleteConflict', reason: 'default-version' });
      await store.deletePolicyVersion(p.arn, 'v5');
      const v6 = await store.createPolicyVersion(p.arn, 'doc6', true, T0, 5);
      expect(v6).toMatchObject({ versionId: 'v6', isDefaultVersion: true });
      expect((await store.listPolicyVersions(p.arn))?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
        ['v6', true],
        ['v4', false],
        ['v3', false],
        ['v2', false],
        ['v1', false],
      ]);
      expect(await store.getManagedPolicyDocument(p.arn)).toEqual({ id: p.arn, name: 'P', kind: 'managed', versionId: 'v6', document: 'doc6' });
      await store.setDefaultPolicyVersion(p.arn, 'v2', T0);
      expect((await store.getPolicyVersion(p.arn, 'v2'))?.isDefaultVersion).toBe(true);
      expect(await failure(store.setDefaultPolicyVersion(p.arn, 'v9', T0))).toEqual({ code: 'NoSuchEntity', entity: 'policy-version', arn: p.arn, versionId: 'v9' });
      expect(await failure(store.deletePolicy(p.arn))).toEqual({ code: 'DeleteConflict', reason: 'policy-versions' });
      for (const v of ['v1', 'v3', 'v4', 'v6']) await store.deletePolicyVersion(p.arn, v);
      await store.deletePolicy(p.arn);
      expect(await store.getPolicy(p.arn)).toBeUndefined();
      expect(await store.listPolicyVersions(p.arn)).toBeUndefined();
    });

    it('attachments: idempotent, limit, counted, listed per policy', async () => {
      await user('u');
      await group('g');
      await role('r');
      const mp = await policy('mp');
      for (const kind of ['user', 'group', 'role'] as const) {
        const name = kind[0]!;
        await store.attachPolicy(ACCOUNT, { kind, name }, { arn: mp.arn, awsManaged: false }, 10);
        await store.attachPolicy(ACCOUNT, { kind, name }, { arn: mp.arn, awsManaged: false }, 10);
      }
      expect((await store.getPolicy(mp.arn))?.attachmentCount).toBe(3);
      const entities = await store.listEntitiesForPolicy(ACCOUNT, mp.arn);
      expect([entities.users.map((e) => e.name), entities.groups.map((e) => e.name), entities.roles.map((e) => e.name)]).toEqual([['u'], ['g'], ['r']]);
      await store.attachPolicy(ACCOUNT, { kind: 'role', name: 'r' }, { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: true }, 2);
      expect(await failure(store.attachPolicy(ACCOUNT, { kind: 'role', name: 'r' }, { arn: 'arn:aws:iam::aws:policy/IAMFullAccess', awsManaged: true }, 2))).toEqual({
        code: 'LimitExceeded',
        quota: 'PoliciesPerRole',
        limit: 2,
      });
      expect(await store.listAttachedPolicies(ACCOUNT, { kind: 'role', name: 'r' })).toEqual([
        { policyArn: mp.arn, policyName: 'mp' },
        { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', policyName: 'ReadOnlyAccess' },
      ]);
      const usage = await store.getPolicyUsage(ACCOUNT, ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/IAMFullAccess']);
      expect(usage.get('arn:aws:iam::aws:policy/ReadOnlyAccess')?.attachmentCount).toBe(1);
      expect(usage.get('arn:aws:iam::aws:policy/IAMFullAccess')?.attachmentCount).toBe(0);
      const missing = `arn:aws:iam::${ACCOUNT}:policy/none`;
      expect(await failure(store.attachPolicy(ACCOUNT, { kind: 'user', name: 'u' }, { arn: missing, awsManaged: false }, 10))).toEqual({ code: 'NoSuchEntity', entity: 'policy', arn: missing });
      expect(await failure(store.detachPolicy(ACCOUNT, { kind: 'user', name: 'u' }, missing))).toEqual({ code: 'NoSuchEntity', entity: 'attachment', arn: missing });
      expect(await failure(store.deletePolicy(mp.arn))).toEqual({ code: 'DeleteConflict', reason: 'policy-in-use' });
    });

    it('groups: membership, rename, delete conflicts, quota', async () => {
      await user('u');
      await group('Admins');
      expect(await failure(store.addUserToGroup(ACCOUNT, 'Admins', 'nobody', 10))).toEqual({ code: 'NoSuchEntity', entity: 'user', name: 'nobody' });
      expect(await failure(store.addUserToGroup(ACCOUNT, 'none', 'nobody', 10))).toMatchObject({ entity: 'user' });
      expect(await failure(store.removeUserFromGroup(ACCOUNT, 'none', 'nobody'))).toMatchObject({ entity: 'user' });
      expect(await failure(store.addUserToGroup(ACCOUNT, 'none', 'u', 10))).toEqual({ code: 'NoSuchEntity', entity: 'group', name: 'none' });
      await store.addUserToGroup(ACCOUNT, 'admins', 'U', 10);
      await store.addUserToGroup(ACCOUNT, 'admins', 'U', 10);
      expect((await store.listGroupMembers(ACCOUNT, 'Admins')).users.map((u) => u.name)).toEqual(['u']);
      expect((await store.listGroupsForUser(ACCOUNT, 'u')).map((g) => g.name)).toEqual(['Admins']);
      await group('Other');
      expect(await failure(store.addUserToGroup(ACCOUNT, 'Other', 'u', 1))).toEqual({ code: 'LimitExceeded', quota: 'GroupsPerUser', limit: 1 });
      expect(await failure(store.deleteGroup(ACCOUNT, 'Admins'))).toEqual({ code: 'DeleteConflict', reason: 'group-members' });
      const renamed = await store.updateGroup(ACCOUNT, 'Admins', { newName: 'Ops', newPath: '/p/' });
      expect(renamed.arn).toBe(`arn:aws:iam::${ACCOUNT}:group/p/Ops`);
      expect(await failure(store.updateGroup(ACCOUNT, 'Ops', { newName: 'other' }))).toMatchObject({ code: 'EntityAlreadyExists', entity: 'group' });
      await store.removeUserFromGroup(ACCOUNT, 'Ops', 'u');
      await store.deleteGroup(ACCOUNT, 'Ops');
      expect(await store.getGroup(ACCOUNT, 'Ops')).toBeUndefined();
    });

    it('tags: user/role keys case-insensitive (last case wins), policy keys case-sensitive, limit', async () => {
      await role('r', { tags: [{ Key: 'somekey', Value: 'v1' }, { Key: 'other', Value: 'o' }] });
      await store.tagResource(ACCOUNT, { kind: 'role', name: 'r' }, [{ Key: 'Somekey', Value: 'v2' }], 50);
      expect(await store.listResourceTags(ACCOUNT, { kind: 'role', name: 'r' })).toEqual([
        { Key: 'Somekey', Value: 'v2' },
        { Key: 'other', Value: 'o' },
      ]);
      await store.untagResource(ACCOUNT, { kind: 'role', name: 'r' }, ['SOMEKEY', 'absent']);
      expect(await store.listResourceTags(ACCOUNT, { kind: 'role', name: 'r' })).toEqual([{ Key: 'other', Value: 'o' }]);
      expect(await failure(store.tagResource(ACCOUNT, { kind: 'role', name: 'r' }, [{ Key: 'x', Value: '' }, { Key: 'y', Value: '' }], 2))).toEqual({
        code: 'LimitExceeded',
        quota: 'TagsPerResource',
        limit: 2,
      });
      expect(await store.listResourceTags(ACCOUNT, { kind: 'role', name: 'r' })).toHaveLength(1);
      const p = await policy('p');
      await store.tagResource(ACCOUNT, { kind: 'policy', arn: p.arn }, [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }], 50);
      await store.untagResource(ACCOUNT, { kind: 'policy', arn: p.arn }, ['A']);
      expect(await store.listResourceTags(ACCOUNT, { kind: 'policy', arn: p.arn })).toEqual([{ Key: 'a', Value: '1' }]);
      expect(await failure(store.listResourceTags(ACCOUNT, { kind: 'user', name: 'ghost' }))).toMatchObject({ entity: 'user' });
    });

    it('principal policies: user inline + attached + groups, boundary, tags; AWS managed resolved', async () => {
      const u = await user('u', { tags: [{ Key: 't', Value: '1' }], permissionsBoundary: { arn: 'arn:aws:iam::aws:policy/PowerUserAccess', awsManaged: true } });
      const mp = await policy('mp');
      await group('g');
      await store.addUserToGroup(ACCOUNT, 'g', 'u', 10);
      await store.putInlinePolicy(ACCOUNT, { kind: 'user', name: 'u' }, 'own', 'OWN', 3, 2048);
      await store.attachPolicy(ACCOUNT, { kind: 'user', name: 'u' }, { arn: mp.arn, awsManaged: false }, 10);
      await store.putInlinePolicy(ACCOUNT, { kind: 'group', name: 'g' }, 'grp', 'GRP', 3, 5120);
      await store.attachPolicy(ACCOUNT, { kind: 'group', name: 'g' }, { arn: mp.arn, awsManaged: false }, 10);
      await store.attachPolicy(ACCOUNT, { kind: 'group', name: 'g' }, { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: true }, 10);
      const policies = await store.getUserPolicies(ACCOUNT, u.id);
      expect(policies?.identity.map((p) => [p.kind, p.name])).toEqual([
        ['inline', 'own'],
        ['managed', 'mp'],
        ['inline', 'grp'],
        ['managed', 'ReadOnlyAccess'],
      ]);
      expect(policies?.identity[0]?.id).toBe(`${u.arn}/inline/own`);
      expect(policies?.identity[3]?.document).toContain('iam:Get*');
      expect(policies?.boundary).toMatchObject({ id: 'arn:aws:iam::aws:policy/PowerUserAccess', kind: 'managed', versionId: 'v12' });
      expect(policies?.tags).toEqual([{ Key: 't', Value: '1' }]);
      expect(await store.getUserPolicies(OTHER, u.id)).toBeUndefined();
      const r = await role('r');
      await store.putInlinePolicy(ACCOUNT, { kind: 'role', name: 'r' }, 'ri', 'RI', 2, 10240);
      expect((await store.getRolePolicies(ACCOUNT, r.id))?.identity.map((p) => p.name)).toEqual(['ri']);
    });

    it('authorization generation moves with every authorization-relevant write, in the account only', async () => {
      const g0 = await store.getAuthzGeneration(ACCOUNT);
      await role('r');
      const g1 = await store.getAuthzGeneration(ACCOUNT);
      expect(g1).toBeGreaterThan(g0);
      await store.tagResource(ACCOUNT, { kind: 'role', name: 'r' }, [{ Key: 'k', Value: 'v' }], 50);
      const g2 = await store.getAuthzGeneration(ACCOUNT);
      expect(g2).toBeGreaterThan(g1);
      await store.updateAssumeRolePolicy(ACCOUNT, 'r', TRUST, {});
      expect(await store.getAuthzGeneration(ACCOUNT)).toBeGreaterThan(g2);
      expect(await store.getAuthzGeneration(OTHER)).toBe(0);
      const before = await store.getAuthzGeneration(ACCOUNT);
      await failure(role('R'));
      expect(await store.getAuthzGeneration(ACCOUNT)).toBe(before);
    });

    it('authorization details: one consistent snapshot', async () => {
      await user('u');
      await group('g');
      await store.addUserToGroup(ACCOUNT, 'g', 'u', 10);
      await role('r');
      const mp = await policy('mp');
      await store.attachPolicy(ACCOUNT, { kind: 'role', name: 'r' }, { arn: mp.arn, awsManaged: false }, 10);
      const details = await store.getAuthorizationDetails(ACCOUNT);
      expect(details.users[0]?.groupNames).toEqual(['g']);
      expect(details.roles[0]?.attached).toEqual([{ policyArn: mp.arn, policyName: 'mp' }]);
      expect(details.policies[0]?.policy.attachmentCount).toBe(1);
      expect(details.policies[0]?.versions.map((v) => v.versionId)).toEqual(['v1']);
    });

    it('MFA devices: enable once, steps only move forward', async () => {
      const serial = `arn:aws:iam::${ACCOUNT}:mfa/dev`;
      await store.createMfaDevice({ accountId: ACCOUNT, serialNumber: serial, path: '/', name: 'dev', seedCiphertext: 'c', createdAt: T0, tags: [] });
      expect(await failure(store.createMfaDevice({ accountId: ACCOUNT, serialNumber: serial, path: '/', name: 'dev', seedCiphertext: 'c', createdAt: T0, tags: [] }))).toMatchObject({
        code: 'EntityAlreadyExists',
      });
      const u = await user('u');
      expect(await store.enableMfaDevice(ACCOUNT, serial, u.id, T0, 10)).toBe(true);
      expect(await store.enableMfaDevice(ACCOUNT, serial, u.id, T0, 11)).toBe(false);
      expect(await failure(store.deleteUser(ACCOUNT, 'u'))).toEqual({ code: 'DeleteConflict', reason: 'mfa-devices' });
      expect(await store.consumeMfaStep(ACCOUNT, serial, 10)).toBe(false);
      expect(await store.consumeMfaStep(ACCOUNT, serial, 11)).toBe(true);
      await store.deactivateMfaDevice(ACCOUNT, serial);
      expect((await store.getMfaDevice(ACCOUNT, serial))?.userId).toBeUndefined();
      await store.deleteMfaDevice(ACCOUNT, serial);
      expect(await store.listMfaDevices(ACCOUNT)).toEqual([]);
    });
  });
}

describe('sqlite file store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists across reopen, in WAL mode, with the migrations recorded', async () => {
    const file = path.join(dir, 'db.sqlite');
    const first = openSqliteStore(file);
    await first.migrate();
    await first.putMeta('k', 'v');
    await first.close();
    const second = openSqliteStore(file);
    await second.migrate();
    expect(await second.getMeta('k')).toBe('v');
    await second.close();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual([1, 2]);
    raw.close();
  });
});
