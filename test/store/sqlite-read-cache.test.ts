import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';

/**
 * The SQLite store memoizes hot point reads (src/store/read-cache.ts). What must hold: a process
 * reads its own writes at once, and a commit by another connection on the same file (another
 * process, the CLI) is seen on the next read after the re-check window.
 */
const ACCOUNT = '111122223333';
const TRUST = (service: string) => `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"${service}"},"Action":"sts:AssumeRole"}]}`;

describe('SQLite read cache', () => {
  let dir: string;
  let a: Store;
  let b: Store;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-read-cache-'));
    a = openSqliteStore(path.join(dir, 'store.db'));
    await a.migrate();
    b = openSqliteStore(path.join(dir, 'store.db'));
    await b.migrate();
    await a.createRole({
      accountId: ACCOUNT,
      maxPerAccount: 1000,
      id: 'AROAROLE0000000000001',
      name: 'deployer',
      path: '/',
      createdAt: new Date('2026-01-01T00:00:00Z'),
      assumeRolePolicyDocument: TRUST('ec2.amazonaws.com'),
      trustPrincipalIds: {},
      maxSessionDuration: 3600,
      tags: [],
    });
  });

  afterEach(async () => {
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads its own writes immediately', async () => {
    expect((await a.getRole(ACCOUNT, 'deployer'))?.assumeRolePolicyDocument).toBe(TRUST('ec2.amazonaws.com'));
    const generation = await a.getAuthzGeneration(ACCOUNT);
    await a.updateAssumeRolePolicy(ACCOUNT, 'deployer', TRUST('lambda.amazonaws.com'), {});
    expect((await a.getRole(ACCOUNT, 'DEPLOYER'))?.assumeRolePolicyDocument).toBe(TRUST('lambda.amazonaws.com'));
    expect(await a.getAuthzGeneration(ACCOUNT)).toBe(generation + 1);
    await a.deleteRole(ACCOUNT, 'deployer');
    expect(await a.getRole(ACCOUNT, 'deployer')).toBeUndefined();
  });

  it('shows recorded role and key use at once (usage bookkeeping drops only the records it changes)', async () => {
    const role = await a.getRole(ACCOUNT, 'deployer');
    expect(role?.lastUsedAt).toBeUndefined();
    const at = new Date('2026-02-01T10:00:00Z');
    await a.recordRoleUse(role!.id, at, 'eu-west-1');
    expect(await a.getRole(ACCOUNT, 'deployer')).toMatchObject({ lastUsedAt: at, lastUsedRegion: 'eu-west-1' });
    expect(await a.getRoleById(role!.id)).toMatchObject({ lastUsedAt: at, lastUsedRegion: 'eu-west-1' });

    await a.createRootAccessKey({ accessKeyId: 'AKIAEXAMPLEEXAMPLE01', accountId: ACCOUNT, status: 'Active', secretCiphertext: 'sealed', createdAt: at });
    expect((await a.getAccessKey('AKIAEXAMPLEEXAMPLE01'))?.lastUsedAt).toBeUndefined();
    await a.recordAccessKeyUse('AKIAEXAMPLEEXAMPLE01', at, 'sts', 'us-east-1');
    expect(await a.getAccessKey('AKIAEXAMPLEEXAMPLE01')).toMatchObject({ lastUsedAt: at, lastUsedService: 'sts', lastUsedRegion: 'us-east-1' });
  });

  it("sees another connection's commit after the re-check window", async () => {
    expect((await a.getRole(ACCOUNT, 'deployer'))?.assumeRolePolicyDocument).toBe(TRUST('ec2.amazonaws.com'));
    const generation = await a.getAuthzGeneration(ACCOUNT);
    await b.updateAssumeRolePolicy(ACCOUNT, 'deployer', TRUST('lambda.amazonaws.com'), {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await a.getRole(ACCOUNT, 'deployer'))?.assumeRolePolicyDocument).toBe(TRUST('lambda.amazonaws.com'));
    expect(await a.getAuthzGeneration(ACCOUNT)).toBe(generation + 1);
    await b.deleteRole(ACCOUNT, 'deployer');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await a.getRole(ACCOUNT, 'deployer')).toBeUndefined();
  });
});
