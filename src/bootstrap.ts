import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { SecretBox } from './crypto/secret-box.js';
import { newAccessKeyId, newAccountId, newSecretAccessKey, randomLowerAlnum } from './ids.js';
import type { Store } from './store/store.js';
import type { AccountRecord, OrganizationRecord } from './store/types.js';

const MASTER_KEY_CHECK = 'master-key-check';

/** Reads OPEN_STS_MASTER_KEY, else `<data dir>/master.key`, creating it (0600) on first start. */
export async function loadMasterKey(config: Config): Promise<Buffer> {
  if (config.masterKey !== undefined) return decodeMasterKey(config.masterKey, 'OPEN_STS_MASTER_KEY');
  const file = path.join(config.dataDir, 'master.key');
  try {
    return decodeMasterKey((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

function decodeMasterKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source}: the master key must be base64 of exactly 32 bytes`);
  return key;
}

/** Fails fast when the store was sealed under a different master key. */
export async function checkMasterKey(store: Store, box: SecretBox): Promise<void> {
  const sealed = await store.putMetaIfAbsent(MASTER_KEY_CHECK, box.seal('open-sts', MASTER_KEY_CHECK));
  try {
    box.open(sealed, MASTER_KEY_CHECK);
  } catch {
    throw new Error('the master key does not match the one this store was created with');
  }
}

export interface FirstStart {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly credentialsFile: string | undefined;
}

/**
 * First start (DESIGN.md): the organization, its management account, and the account root's
 * access key, written as profile `open-sts` of `<data dir>/credentials` (0600). Returns
 * undefined when the store already has an organization.
 */
export async function bootstrap(config: Config, store: Store, box: SecretBox, now: Date, writeCredentials = true): Promise<FirstStart | undefined> {
  if (await store.getOrganization()) return undefined;
  const accountId = config.accountId ?? newAccountId();
  const orgId = `o-${randomLowerAlnum(10)}`;
  const org: OrganizationRecord = {
    id: orgId,
    arn: `arn:${config.partition}:organizations::${accountId}:organization/${orgId}`,
    rootId: `r-${randomLowerAlnum(4)}`,
    managementAccountId: accountId,
    managementAccountEmail: `root@${accountId}.open-sts.local`,
    featureSet: 'ALL',
    createdAt: now,
  };
  const management: AccountRecord = {
    id: accountId,
    name: 'management',
    email: org.managementAccountEmail,
    state: 'ACTIVE',
    joinedMethod: 'CREATED',
    joinedAt: now,
  };
  const created = await store.createOrganization(org, management);
  if (created.id !== org.id) return undefined; // another node bootstrapped first

  const accessKeyId = config.rootAccessKeyId ?? newAccessKeyId('AKIA', accountId);
  const secret = config.rootSecretAccessKey ?? newSecretAccessKey();
  await store.createRootAccessKey({
    accessKeyId,
    accountId,
    status: 'Active',
    secretCiphertext: box.seal(secret, `access-key:${accessKeyId}`),
    createdAt: now,
  });
  let credentialsFile: string | undefined;
  if (writeCredentials) {
    credentialsFile = path.join(config.dataDir, 'credentials');
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const text = `[open-sts]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secret}\n`;
    await writeFile(credentialsFile, text, { mode: 0o600 });
    await chmod(credentialsFile, 0o600);
  }
  return { accountId, accessKeyId, credentialsFile };
}
