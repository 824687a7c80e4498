import { StoreError, type DeleteConflictReason, type Quota } from './errors.js';
import { PgDb, type Row, type Session } from './postgres-db.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type {
  AuthorizationDetails,
  NewAccessKey,
  NewGroup,
  NewManagedPolicy,
  NewRole,
  NewUser,
  PolicyRef,
  Store,
  TagTarget,
} from './store.js';
import type {
  AccessKeyOwner,
  AccessKeyRecord,
  AccountRecord,
  AttachedPolicyRecord,
  CreateAccountStatusRecord,
  EntityName,
  GroupDetail,
  GroupRecord,
  InlinePolicyRecord,
  ManagedPolicyDetail,
  ManagedPolicyRecord,
  MfaDeviceRecord,
  OrganizationRecord,
  PolicyDocumentRef,
  PolicyEntities,
  PolicyUsage,
  PolicyVersionRecord,
  PrincipalKind,
  PrincipalPolicies,
  RoleDetail,
  RoleRecord,
  Tag,
  UserDetail,
  UserRecord,
} from './types.js';

export interface PostgresStoreOptions {
  /** Partition of the ARNs the store computes (default `aws`). */
  readonly partition?: string;
  /** Schema of the tables (created by `migrate()` if missing); default: the URL's `schema` parameter, else its search_path. */
  readonly schema?: string;
  /** Connections per node (default 10). */
  readonly maxConnections?: number;
  /** Resolves AWS managed policy ARNs, which are static data outside the store. */
  readonly awsManagedPolicy?: (arn: string) => PolicyDocumentRef | undefined;
}

const KIND_TABLE: Record<PrincipalKind, string> = { user: 'iam_users', group: 'iam_groups', role: 'iam_roles' };
const NO_USAGE: PolicyUsage = { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
/** Text is ordered by code point, as SQLite's BINARY collation does, whatever the database's locale. */
const BY_NAME = 'lower(name) COLLATE "C"';

/**
 * The shared store on PostgreSQL, for several nodes on one database. Same semantics as
 * SqliteStore: every write method is one transaction that checks its own preconditions. Writes
 * that touch an account's IAM entities hold that account's advisory lock (PgDb.write), the
 * counterpart of SQLite's single writer, so quotas, name checks, version limits and
 * DeleteConflict checks hold across nodes; the organization has a lock of its own. Single-row
 * updates that guard themselves in their WHERE clause (MFA steps, last-used stamps) take no lock.
 */
export class PostgresStore implements Store {
  readonly #db: PgDb;
  readonly #partition: string;
  readonly #awsManaged: (arn: string) => PolicyDocumentRef | undefined;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.#db = new PgDb(url, {
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    });
    this.#partition = options.partition ?? 'aws';
    this.#awsManaged = options.awsManagedPolicy ?? (() => undefined);
  }

  // ── plumbing

  /** One transaction holding the account's lock. */
  #write<T>(accountId: string, fn: (db: Session) => Promise<T>): Promise<T> {
    return this.#db.write(`account:${accountId}`, fn);
  }

  #read<T>(fn: (db: Session) => Promise<T>): Promise<T> {
    return this.#db.read(fn);
  }

  get #pool(): Session {
    return this.#db.pool;
  }

  async #bump(db: Session, accountId: string): Promise<void> {
    await db.run(
      `INSERT INTO authz_generations (account_id, generation) VALUES ($1, 1)
       ON CONFLICT (account_id) DO UPDATE SET generation = authz_generations.generation + 1`,
      accountId,
    );
  }

  async #nextSeq(db: Session, table: string, column: string, value: string): Promise<number> {
    const row = await db.get(`SELECT COALESCE(MAX(seq), 0) AS s FROM ${table} WHERE ${column} = $1`, value);
    return Number(row?.s ?? 0) + 1;
  }

  #arn(accountId: string, type: string, path: string, name: string): string {
    return `arn:${this.#partition}:iam::${accountId}:${type}${path}${name}`;
  }

  async migrate(): Promise<void> {
    await this.#db.migrate(POSTGRES_MIGRATIONS);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  // ── meta

  async getMeta(key: string): Promise<string | undefined> {
    return optionalText((await this.#pool.get('SELECT value FROM meta WHERE key = $1', key))?.value);
  }

  async putMetaIfAbsent(key: string, value: string): Promise<string> {
    // Two statements on purpose: ON CONFLICT DO NOTHING waits for a concurrent inserter to
    // commit, and only a statement started after that sees the winner's row.
    const inserted = await this.#pool.get('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value', key, value);
    if (inserted) return String(inserted.value);
    return String((await this.#pool.get('SELECT value FROM meta WHERE key = $1', key))!.value);
  }

  async putMeta(key: string, value: string): Promise<void> {
    await this.#pool.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  // ── organization and accounts

  async getOrganization(): Promise<OrganizationRecord | undefined> {
    const row = await this.#pool.get('SELECT * FROM organizations LIMIT 1');
    return row ? toOrganization(row) : undefined;
  }

  async createOrganization(org: OrganizationRecord, management: AccountRecord): Promise<OrganizationRecord> {
    return this.#db.write('organization', async (db) => {
      const existing = await db.get('SELECT * FROM organizations LIMIT 1');
      if (existing) return toOrganization(existing);
      await db.run(
        'INSERT INTO organizations (id, arn, root_id, management_account_id, management_account_email, feature_set, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        org.id,
        org.arn,
        org.rootId,
        org.managementAccountId,
        org.managementAccountEmail,
        org.featureSet,
        org.createdAt,
      );
      await this.#putAccount(db, management);
      return org;
    });
  }

  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    const row = await this.#pool.get('SELECT * FROM accounts WHERE id = $1', accountId);
    return row ? toAccount(row) : undefined;
  }

  async listAccounts(): Promise<readonly AccountRecord[]> {
    return (await this.#pool.all('SELECT * FROM accounts ORDER BY joined_at, id COLLATE "C"')).map(toAccount);
  }

  async putAccount(account: AccountRecord): Promise<void> {
    await this.#putAccount(this.#pool, account);
  }

  async #putAccount(db: Session, account: AccountRecord): Promise<void> {
    await db.run(
      `INSERT INTO accounts (id, name, email, state, joined_method, joined_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, state = excluded.state,
         joined_method = excluded.joined_method, joined_at = excluded.joined_at`,
      account.id,
      account.name,
      account.email,
      account.state,
      account.joinedMethod,
      account.joinedAt,
    );
  }

  async putCreateAccountStatus(status: CreateAccountStatusRecord): Promise<void> {
    await this.#pool.run(
      `INSERT INTO create_account_statuses (id, account_name, email, state, requested_at, completed_at, account_id, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET account_name = excluded.account_name, email = excluded.email, state = excluded.state,
         requested_at = excluded.requested_at, completed_at = excluded.completed_at, account_id = excluded.account_id,
         failure_reason = excluded.failure_reason`,
      status.id,
      status.accountName,
      status.email,
      status.state,
      status.requestedAt,
      status.completedAt ?? null,
      status.accountId ?? null,
      status.failureReason ?? null,
    );
  }

  async getCreateAccountStatus(id: string): Promise<CreateAccountStatusRecord | undefined> {
    const row = await this.#pool.get('SELECT * FROM create_account_statuses WHERE id = $1', id);
    return row ? toCreateAccountStatus(row) : undefined;
  }

  async listCreateAccountStatuses(): Promise<readonly CreateAccountStatusRecord[]> {
    return (await this.#pool.all('SELECT * FROM create_account_statuses ORDER BY requested_at, id COLLATE "C"')).map(toCreateAccountStatus);
  }

  // ── access keys

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.#pool.get('SELECT * FROM access_keys WHERE access_key_id = $1', accessKeyId);
    return row ? toAccessKey(row) : undefined;
  }

  async createRootAccessKey(key: AccessKeyRecord): Promise<void> {
    await this.#write(key.accountId, (db) => this.#insertAccessKey(db, key.accountId, null, key));
  }

  async #insertAccessKey(db: Session, accountId: string, userId: string | null, key: NewAccessKey & { readonly status?: string }): Promise<void> {
    await db.run(
      'INSERT INTO access_keys (access_key_id, account_id, user_id, status, secret_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      key.accessKeyId,
      accountId,
      userId,
      key.status ?? 'Active',
      key.secretCiphertext,
      key.createdAt,
    );
  }

  async recordAccessKeyUse(accessKeyId: string, at: Date, service: string, region: string): Promise<void> {
    await this.#pool.run('UPDATE access_keys SET last_used_at = $1, last_used_service = $2, last_used_region = $3 WHERE access_key_id = $4', at, service, region, accessKeyId);
  }

  async createAccessKey(accountId: string, owner: AccessKeyOwner, key: NewAccessKey, maxKeys: number): Promise<AccessKeyRecord> {
    return this.#write(accountId, async (db) => {
      const userId = await this.#keyOwnerId(db, accountId, owner);
      const count = Number((await db.get('SELECT COUNT(*) AS n FROM access_keys WHERE account_id = $1 AND user_id IS NOT DISTINCT FROM $2', accountId, userId))?.n ?? 0);
      if (count >= maxKeys) throw new StoreError({ code: 'LimitExceeded', quota: 'AccessKeysPerUser', limit: maxKeys });
      await this.#insertAccessKey(db, accountId, userId, key);
      return toAccessKey((await db.get('SELECT * FROM access_keys WHERE access_key_id = $1', key.accessKeyId))!);
    });
  }

  async listAccessKeys(accountId: string, owner: AccessKeyOwner): Promise<{ readonly userName?: string; readonly keys: readonly AccessKeyRecord[] }> {
    return this.#read(async (db) => {
      const user = owner.kind === 'user' ? await this.#requireEntity(db, accountId, { kind: 'user', name: owner.name }) : undefined;
      const userId = user ? String(user.id) : null;
      const keys = (
        await db.all(
          'SELECT * FROM access_keys WHERE account_id = $1 AND user_id IS NOT DISTINCT FROM $2 ORDER BY created_at, access_key_id COLLATE "C"',
          accountId,
          userId,
        )
      ).map(toAccessKey);
      return user ? { userName: String(user.name), keys } : { keys };
    });
  }

  async updateAccessKeyStatus(accountId: string, owner: AccessKeyOwner, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    await this.#write(accountId, async (db) => {
      const userId = await this.#keyOwnerId(db, accountId, owner);
      await this.#requireOwnedKey(db, accountId, userId, accessKeyId);
      await db.run('UPDATE access_keys SET status = $1 WHERE access_key_id = $2', status, accessKeyId);
    });
  }

  async deleteAccessKey(accountId: string, owner: AccessKeyOwner, accessKeyId: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const userId = await this.#keyOwnerId(db, accountId, owner);
      await this.#requireOwnedKey(db, accountId, userId, accessKeyId);
      await db.run('DELETE FROM access_keys WHERE access_key_id = $1', accessKeyId);
    });
  }

  async #keyOwnerId(db: Session, accountId: string, owner: AccessKeyOwner): Promise<string | null> {
    return owner.kind === 'root' ? null : String((await this.#requireEntity(db, accountId, { kind: 'user', name: owner.name })).id);
  }

  async #requireOwnedKey(db: Session, accountId: string, userId: string | null, accessKeyId: string): Promise<void> {
    const row = await db.get('SELECT account_id, user_id FROM access_keys WHERE access_key_id = $1', accessKeyId);
    if (!row || row.account_id !== accountId || (row.user_id ?? null) !== userId) {
      throw new StoreError({ code: 'NoSuchEntity', entity: 'access-key', accessKeyId });
    }
  }

  async getUserIdentity(accountId: string, userId: string): Promise<{ readonly arn: string; readonly userName: string; readonly path: string } | undefined> {
    const row = await this.#pool.get('SELECT arn, name, path FROM iam_users WHERE id = $1 AND account_id = $2', userId, accountId);
    return row ? { arn: String(row.arn), userName: String(row.name), path: String(row.path) } : undefined;
  }

  // ── MFA devices

  async createMfaDevice(device: MfaDeviceRecord): Promise<void> {
    await this.#write(device.accountId, async (db) => {
      if (await db.get('SELECT 1 AS x FROM iam_mfa_devices WHERE serial_number = $1', device.serialNumber)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'mfa-device', name: device.serialNumber });
      }
      await db.run(
        `INSERT INTO iam_mfa_devices (serial_number, account_id, path, name, seed_ciphertext, created_at, user_id, enabled_at, last_used_step)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        device.serialNumber,
        device.accountId,
        device.path,
        device.name,
        device.seedCiphertext,
        device.createdAt,
        device.userId ?? null,
        device.enabledAt ?? null,
        device.lastUsedStep ?? null,
      );
      await this.#insertTags(db, device.serialNumber, device.tags, false);
    });
  }

  async getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDeviceRecord | undefined> {
    return this.#read(async (db) => {
      const row = await db.get('SELECT * FROM iam_mfa_devices WHERE account_id = $1 AND serial_number = $2', accountId, serialNumber);
      return row ? toMfaDevice(row, await this.#tags(db, serialNumber)) : undefined;
    });
  }

  async listMfaDevices(accountId: string): Promise<readonly MfaDeviceRecord[]> {
    return this.#read(async (db) => {
      const rows = await db.all('SELECT * FROM iam_mfa_devices WHERE account_id = $1 ORDER BY serial_number COLLATE "C"', accountId);
      const tags = await this.#tagsFor(db, rows.map((r) => String(r.serial_number)));
      return rows.map((r) => toMfaDevice(r, tags.get(String(r.serial_number)) ?? []));
    });
  }

  async enableMfaDevice(accountId: string, serialNumber: string, userId: string, at: Date, lastUsedStep: number): Promise<boolean> {
    return this.#write(
      accountId,
      async (db) =>
        (await db.run(
          'UPDATE iam_mfa_devices SET user_id = $1, enabled_at = $2, last_used_step = $3 WHERE account_id = $4 AND serial_number = $5 AND user_id IS NULL',
          userId,
          at,
          lastUsedStep,
          accountId,
          serialNumber,
        )) > 0,
    );
  }

  async deactivateMfaDevice(accountId: string, serialNumber: string): Promise<void> {
    await this.#write(accountId, (db) =>
      db.run('UPDATE iam_mfa_devices SET user_id = NULL, enabled_at = NULL WHERE account_id = $1 AND serial_number = $2', accountId, serialNumber),
    );
  }

  async deleteMfaDevice(accountId: string, serialNumber: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      if ((await db.run('DELETE FROM iam_mfa_devices WHERE account_id = $1 AND serial_number = $2', accountId, serialNumber)) > 0) {
        await db.run('DELETE FROM iam_tags WHERE resource_id = $1', serialNumber);
      }
    });
  }

  async consumeMfaStep(accountId: string, serialNumber: string, step: number): Promise<boolean> {
    // One conditional UPDATE: a concurrent one on the same row waits for the row lock and then
    // re-checks the WHERE clause against the committed step, so a code is accepted at most once.
    return (
      (await this.#pool.run(
        'UPDATE iam_mfa_devices SET last_used_step = $1 WHERE account_id = $2 AND serial_number = $3 AND (last_used_step IS NULL OR last_used_step < $1)',
        step,
        accountId,
        serialNumber,
      )) > 0
    );
  }

  // ── authorizer reads

  async getUserPolicies(accountId: string, userId: string): Promise<PrincipalPolicies | undefined> {
    return this.#read(async (db) => {
      const user = await db.get('SELECT * FROM iam_users WHERE id = $1 AND account_id = $2', userId, accountId);
      if (!user) return undefined;
      const groups = await db.all('SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY m.seq', userId);
      return this.#principalPolicies(db, user, [user, ...groups]);
    });
  }

  async getRolePolicies(accountId: string, roleId: string): Promise<PrincipalPolicies | undefined> {
    return this.#read(async (db) => {
      const role = await db.get('SELECT * FROM iam_roles WHERE id = $1 AND account_id = $2', roleId, accountId);
      return role ? this.#principalPolicies(db, role, [role]) : undefined;
    });
  }

  async getGroupPolicies(accountId: string, groupId: string): Promise<PrincipalPolicies | undefined> {
    return this.#read(async (db) => {
      const group = await db.get('SELECT * FROM iam_groups WHERE id = $1 AND account_id = $2', groupId, accountId);
      if (!group) return undefined;
      return { identity: await this.#identityPolicies(db, [group]), tags: [] };
    });
  }

  /** The identity policies of `sources` (the principal, then its groups), the principal's boundary and tags. */
  async #principalPolicies(db: Session, entity: Row, sources: readonly Row[]): Promise<PrincipalPolicies> {
    const identity = await this.#identityPolicies(db, sources);
    const boundaryArn = optionalText(entity.boundary_arn);
    const boundary = boundaryArn === undefined ? undefined : (await this.#managedDocuments(db, [boundaryArn])).get(boundaryArn);
    const tags = await this.#tags(db, String(entity.id));
    return boundary ? { identity, boundary, tags } : { identity, tags };
  }

  /** Each source's inline policies then its attached policies; a managed policy attached twice counts once. */
  async #identityPolicies(db: Session, sources: readonly Row[]): Promise<PolicyDocumentRef[]> {
    const ids = sources.map((s) => String(s.id));
    const inline = await this.#inlineFor(db, ids, 'seq');
    const attached = await this.#attachedFor(db, ids);
    const seen = new Set<string>();
    const order: ({ readonly ref: PolicyDocumentRef } | { readonly arn: string })[] = [];
    for (const source of sources) {
      const id = String(source.id);
      for (const policy of inline.get(id) ?? []) {
        order.push({ ref: { id: `${String(source.arn)}/inline/${policy.name}`, name: policy.name, kind: 'inline', document: policy.document } });
      }
      for (const { policyArn } of attached.get(id) ?? []) {
        if (seen.has(policyArn)) continue;
        seen.add(policyArn);
        order.push({ arn: policyArn });
      }
    }
    const managed = await this.#managedDocuments(db, [...seen]);
    const identity: PolicyDocumentRef[] = [];
    for (const entry of order) {
      const ref = 'ref' in entry ? entry.ref : managed.get(entry.arn);
      if (ref) identity.push(ref);
    }
    return identity;
  }

  /** Default versions of managed policies by ARN; AWS managed ones from static data. */
  async #managedDocuments(db: Session, arns: readonly string[]): Promise<Map<string, PolicyDocumentRef>> {
    const found = new Map<string, PolicyDocumentRef>();
    const customer: string[] = [];
    for (const arn of arns) {
      const aws = this.#awsManaged(arn);
      if (aws) found.set(arn, aws);
      else customer.push(arn);
    }
    if (customer.length === 0) return found;
    const rows = await db.all(
      `SELECT p.arn, p.name, p.default_version_id, v.document FROM iam_managed_policies p
       JOIN iam_policy_versions v ON v.policy_id = p.id AND v.version_id = p.default_version_id WHERE p.arn = ANY($1::text[])`,
      customer,
    );
    for (const row of rows) {
      const arn = String(row.arn);
      found.set(arn, { id: arn, name: String(row.name), kind: 'managed', versionId: String(row.default_version_id), document: String(row.document) });
    }
    return found;
  }

  async getManagedPolicyDocument(policyArn: string): Promise<PolicyDocumentRef | undefined> {
    return (await this.#managedDocuments(this.#pool, [policyArn])).get(policyArn);
  }

  async getAuthzGeneration(accountId: string): Promise<number> {
    return Number((await this.#pool.get('SELECT generation FROM authz_generations WHERE account_id = $1', accountId))?.generation ?? 0);
  }

  // ── entity lookups

  async #findEntity(db: Session, accountId: string, entity: EntityName): Promise<Row | undefined> {
    return db.get(`SELECT * FROM ${KIND_TABLE[entity.kind]} WHERE account_id = $1 AND lower(name) = lower($2)`, accountId, entity.name);
  }

  async #requireEntity(db: Session, accountId: string, entity: EntityName): Promise<Row> {
    const row = await this.#findEntity(db, accountId, entity);
    if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: entity.kind, name: entity.name });
    return row;
  }

  async #requireBoundaryPolicy(db: Session, accountId: string, boundary: PolicyRef): Promise<void> {
    if (boundary.awsManaged) return;
    if (!(await db.get('SELECT 1 AS x FROM iam_managed_policies WHERE arn = $1 AND account_id = $2', boundary.arn, accountId))) {
      throw new StoreError({ code: 'NoSuchEntity', entity: 'boundary', arn: boundary.arn });
    }
  }

  async #nameTaken(db: Session, table: string, accountId: string, name: string): Promise<boolean> {
    return (await db.get(`SELECT 1 AS x FROM ${table} WHERE account_id = $1 AND lower(name) = lower($2)`, accountId, name)) !== undefined;
  }

  async #checkAccountQuota(db: Session, table: string, accountId: string, max: number | undefined, quota: Quota): Promise<void> {
    if (max === undefined) return;
    if (Number((await db.get(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = $1`, accountId))?.n ?? 0) >= max) {
      throw new StoreError({ code: 'LimitExceeded', quota, limit: max });
    }
  }

  async #exists(db: Session, sql: string, ...params: unknown[]): Promise<boolean> {
    return (await db.get(sql, ...params)) !== undefined;
  }

  async #listByPath(db: Session, table: string, accountId: string, pathPrefix: string | undefined): Promise<Row[]> {
    const rows = await db.all(`SELECT * FROM ${table} WHERE account_id = $1 ORDER BY ${BY_NAME}`, accountId);
    return pathPrefix === undefined ? rows : rows.filter((r) => String(r.path).startsWith(pathPrefix));
  }

  // ── tags

  async #tags(db: Session, resourceId: string): Promise<Tag[]> {
    return (await this.#tagsFor(db, [resourceId])).get(resourceId) ?? [];
  }

  async #tagsFor(db: Session, resourceIds: readonly string[]): Promise<Map<string, Tag[]>> {
    const byResource = new Map<string, Tag[]>();
    if (resourceIds.length === 0) return byResource;
    for (const row of await db.all('SELECT resource_id, tag_key, tag_value FROM iam_tags WHERE resource_id = ANY($1::text[]) ORDER BY seq', resourceIds)) {
      pushTo(byResource, String(row.resource_id), { Key: String(row.tag_key), Value: String(row.tag_value) });
    }
    return byResource;
  }

  /** Adds or replaces (keeping the key's position) each tag; user and role keys compare case-insensitively. */
  async #insertTags(db: Session, resourceId: string, tags: readonly Tag[], caseInsensitive: boolean): Promise<void> {
    let seq = await this.#nextSeq(db, 'iam_tags', 'resource_id', resourceId);
    for (const tag of tags) {
      await db.run(
        `INSERT INTO iam_tags (resource_id, key_norm, tag_key, tag_value, seq) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (resource_id, key_norm) DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value`,
        resourceId,
        caseInsensitive ? tag.Key.toLowerCase() : tag.Key,
        tag.Key,
        tag.Value,
        seq++,
      );
    }
  }

  // ── users

  async createUser(user: NewUser): Promise<UserRecord> {
    return this.#write(user.accountId, async (db) => {
      if (await this.#nameTaken(db, 'iam_users', user.accountId, user.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'user', name: user.name });
      await this.#checkAccountQuota(db, 'iam_users', user.accountId, user.maxPerAccount, 'UsersPerAccount');
      if (user.permissionsBoundary) await this.#requireBoundaryPolicy(db, user.accountId, user.permissionsBoundary);
      await db.run(
        'INSERT INTO iam_users (id, account_id, name, path, arn, created_at, boundary_arn) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        user.id,
        user.accountId,
        user.name,
        user.path,
        this.#arn(user.accountId, 'user', user.path, user.name),
        user.createdAt,
        user.permissionsBoundary?.arn ?? null,
      );
      await this.#insertTags(db, user.id, user.tags, true);
      await this.#bump(db, user.accountId);
      return this.#userRecord(db, (await db.get('SELECT * FROM iam_users WHERE id = $1', user.id))!);
    });
  }

  async #userRecord(db: Session, row: Row): Promise<UserRecord> {
    return toUser(row, await this.#tags(db, String(row.id)));
  }

  async #userRecords(db: Session, rows: readonly Row[]): Promise<UserRecord[]> {
    const tags = await this.#tagsFor(db, rows.map((r) => String(r.id)));
    return rows.map((r) => toUser(r, tags.get(String(r.id)) ?? []));
  }

  async getUser(accountId: string, name: string): Promise<UserRecord | undefined> {
    return this.#read(async (db) => {
      const row = await this.#findEntity(db, accountId, { kind: 'user', name });
      return row ? this.#userRecord(db, row) : undefined;
    });
  }

  async getUserById(userId: string): Promise<UserRecord | undefined> {
    return this.#read(async (db) => {
      const row = await db.get('SELECT * FROM iam_users WHERE id = $1', userId);
      return row ? this.#userRecord(db, row) : undefined;
    });
  }

  async listUsers(accountId: string, pathPrefix?: string): Promise<readonly UserRecord[]> {
    return this.#read(async (db) => this.#userRecords(db, await this.#listByPath(db, 'iam_users', accountId, pathPrefix)));
  }

  async updateUser(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<UserRecord> {
    return this.#write(accountId, async (db) => {
      const row = await this.#requireEntity(db, accountId, { kind: 'user', name });
      const newName = changes.newName ?? String(row.name);
      const newPath = changes.newPath ?? String(row.path);
      if (!sameName(newName, String(row.name)) && (await this.#nameTaken(db, 'iam_users', accountId, newName))) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'user', name: newName });
      }
      await db.run('UPDATE iam_users SET name = $1, path = $2, arn = $3 WHERE id = $4', newName, newPath, this.#arn(accountId, 'user', newPath, newName), String(row.id));
      await this.#bump(db, accountId);
      return this.#userRecord(db, (await db.get('SELECT * FROM iam_users WHERE id = $1', String(row.id)))!);
    });
  }

  async deleteUser(accountId: string, name: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, { kind: 'user', name })).id);
      if (await this.#exists(db, 'SELECT 1 AS x FROM access_keys WHERE user_id = $1', id)) throw conflict('access-keys');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_mfa_devices WHERE account_id = $1 AND user_id = $2', accountId, id)) throw conflict('mfa-devices');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = $1', id)) throw conflict('inline-policies');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_attachments WHERE owner_id = $1', id)) throw conflict('attached-policies');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_group_members WHERE user_id = $1', id)) throw conflict('group-memberships');
      await db.run('DELETE FROM iam_tags WHERE resource_id = $1', id);
      await db.run('DELETE FROM iam_users WHERE id = $1', id);
      await this.#bump(db, accountId);
    });
  }

  // ── groups

  async createGroup(group: NewGroup): Promise<GroupRecord> {
    return this.#write(group.accountId, async (db) => {
      if (await this.#nameTaken(db, 'iam_groups', group.accountId, group.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'group', name: group.name });
      await this.#checkAccountQuota(db, 'iam_groups', group.accountId, group.maxPerAccount, 'GroupsPerAccount');
      await db.run(
        'INSERT INTO iam_groups (id, account_id, name, path, arn, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        group.id,
        group.accountId,
        group.name,
        group.path,
        this.#arn(group.accountId, 'group', group.path, group.name),
        group.createdAt,
      );
      await this.#bump(db, group.accountId);
      return toGroup((await db.get('SELECT * FROM iam_groups WHERE id = $1', group.id))!);
    });
  }

  async getGroup(accountId: string, name: string): Promise<GroupRecord | undefined> {
    const row = await this.#findEntity(this.#pool, accountId, { kind: 'group', name });
    return row ? toGroup(row) : undefined;
  }

  async getGroupById(groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.#pool.get('SELECT * FROM iam_groups WHERE id = $1', groupId);
    return row ? toGroup(row) : undefined;
  }

  async listGroups(accountId: string, pathPrefix?: string): Promise<readonly GroupRecord[]> {
    return (await this.#listByPath(this.#pool, 'iam_groups', accountId, pathPrefix)).map(toGroup);
  }

  async updateGroup(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<GroupRecord> {
    return this.#write(accountId, async (db) => {
      const row = await this.#requireEntity(db, accountId, { kind: 'group', name });
      const newName = changes.newName ?? String(row.name);
      const newPath = changes.newPath ?? String(row.path);
      if (!sameName(newName, String(row.name)) && (await this.#nameTaken(db, 'iam_groups', accountId, newName))) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'group', name: newName });
      }
      await db.run('UPDATE iam_groups SET name = $1, path = $2, arn = $3 WHERE id = $4', newName, newPath, this.#arn(accountId, 'group', newPath, newName), String(row.id));
      await this.#bump(db, accountId);
      return toGroup((await db.get('SELECT * FROM iam_groups WHERE id = $1', String(row.id)))!);
    });
  }

  async deleteGroup(accountId: string, name: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, { kind: 'group', name })).id);
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_group_members WHERE group_id = $1', id)) throw conflict('group-members');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = $1', id)) throw conflict('inline-policies');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_attachments WHERE owner_id = $1', id)) throw conflict('attached-policies');
      await db.run('DELETE FROM iam_groups WHERE id = $1', id);
      await this.#bump(db, accountId);
    });
  }

  async addUserToGroup(accountId: string, groupName: string, userName: string, maxGroupsPerUser: number): Promise<void> {
    await this.#write(accountId, async (db) => {
      const userId = String((await this.#requireEntity(db, accountId, { kind: 'user', name: userName })).id);
      const groupId = String((await this.#requireEntity(db, accountId, { kind: 'group', name: groupName })).id);
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_group_members WHERE group_id = $1 AND user_id = $2', groupId, userId)) return;
      const count = Number((await db.get('SELECT COUNT(*) AS n FROM iam_group_members WHERE user_id = $1', userId))?.n ?? 0);
      if (count >= maxGroupsPerUser) throw new StoreError({ code: 'LimitExceeded', quota: 'GroupsPerUser', limit: maxGroupsPerUser });
      const seq = await this.#nextSeq(db, 'iam_group_members', 'user_id', userId);
      await db.run('INSERT INTO iam_group_members (group_id, user_id, seq) VALUES ($1, $2, $3)', groupId, userId, seq);
      await this.#bump(db, accountId);
    });
  }

  async removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const userId = String((await this.#requireEntity(db, accountId, { kind: 'user', name: userName })).id);
      const groupId = String((await this.#requireEntity(db, accountId, { kind: 'group', name: groupName })).id);
      if ((await db.run('DELETE FROM iam_group_members WHERE group_id = $1 AND user_id = $2', groupId, userId)) > 0) await this.#bump(db, accountId);
    });
  }

  async listGroupMembers(accountId: string, groupName: string): Promise<{ readonly group: GroupRecord; readonly users: readonly UserRecord[] }> {
    return this.#read(async (db) => {
      const group = await this.#requireEntity(db, accountId, { kind: 'group', name: groupName });
      const rows = await db.all(`SELECT u.* FROM iam_users u JOIN iam_group_members m ON m.user_id = u.id WHERE m.group_id = $1 ORDER BY lower(u.name) COLLATE "C"`, String(group.id));
      return { group: toGroup(group), users: await this.#userRecords(db, rows) };
    });
  }

  async listGroupsForUser(accountId: string, userName: string): Promise<readonly GroupRecord[]> {
    return this.#read(async (db) => {
      const user = await this.#requireEntity(db, accountId, { kind: 'user', name: userName });
      return (
        await db.all(`SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY lower(g.name) COLLATE "C"`, String(user.id))
      ).map(toGroup);
    });
  }

  // ── roles

  async createRole(role: NewRole): Promise<RoleRecord> {
    return this.#write(role.accountId, async (db) => {
      if (await this.#nameTaken(db, 'iam_roles', role.accountId, role.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'role', name: role.name });
      await this.#checkAccountQuota(db, 'iam_roles', role.accountId, role.maxPerAccount, 'RolesPerAccount');
      if (role.permissionsBoundary) await this.#requireBoundaryPolicy(db, role.accountId, role.permissionsBoundary);
      await db.run(
        `INSERT INTO iam_roles (id, account_id, name, path, arn, created_at, trust_policy, trust_principal_ids, description, max_session_duration, boundary_arn)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
        role.id,
        role.accountId,
        role.name,
        role.path,
        this.#arn(role.accountId, 'role', role.path, role.name),
        role.createdAt,
        role.assumeRolePolicyDocument,
        JSON.stringify(role.trustPrincipalIds),
        role.description ?? null,
        role.maxSessionDuration,
        role.permissionsBoundary?.arn ?? null,
      );
      await this.#insertTags(db, role.id, role.tags, true);
      await this.#bump(db, role.accountId);
      return this.#roleRecord(db, (await db.get('SELECT * FROM iam_roles WHERE id = $1', role.id))!);
    });
  }

  async #roleRecord(db: Session, row: Row): Promise<RoleRecord> {
    return toRole(row, await this.#tags(db, String(row.id)));
  }

  async #roleRecords(db: Session, rows: readonly Row[]): Promise<RoleRecord[]> {
    const tags = await this.#tagsFor(db, rows.map((r) => String(r.id)));
    return rows.map((r) => toRole(r, tags.get(String(r.id)) ?? []));
  }

  async getRole(accountId: string, name: string): Promise<RoleRecord | undefined> {
    return this.#read(async (db) => {
      const row = await this.#findEntity(db, accountId, { kind: 'role', name });
      return row ? this.#roleRecord(db, row) : undefined;
    });
  }

  async getRoleById(roleId: string): Promise<RoleRecord | undefined> {
    return this.#read(async (db) => {
      const row = await db.get('SELECT * FROM iam_roles WHERE id = $1', roleId);
      return row ? this.#roleRecord(db, row) : undefined;
    });
  }

  async listRoles(accountId: string, pathPrefix?: string): Promise<readonly RoleRecord[]> {
    return this.#read(async (db) => this.#roleRecords(db, await this.#listByPath(db, 'iam_roles', accountId, pathPrefix)));
  }

  async updateRole(accountId: string, name: string, changes: { readonly description?: string; readonly maxSessionDuration?: number }): Promise<RoleRecord> {
    return this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, { kind: 'role', name })).id);
      if (changes.description !== undefined) await db.run('UPDATE iam_roles SET description = $1 WHERE id = $2', changes.description, id);
      if (changes.maxSessionDuration !== undefined) await db.run('UPDATE iam_roles SET max_session_duration = $1 WHERE id = $2', changes.maxSessionDuration, id);
      return this.#roleRecord(db, (await db.get('SELECT * FROM iam_roles WHERE id = $1', id))!);
    });
  }

  async updateAssumeRolePolicy(accountId: string, name: string, document: string, trustPrincipalIds: Readonly<Record<string, string>>): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, { kind: 'role', name })).id);
      await db.run('UPDATE iam_roles SET trust_policy = $1, trust_principal_ids = $2::jsonb WHERE id = $3', document, JSON.stringify(trustPrincipalIds), id);
      await this.#bump(db, accountId);
    });
  }

  async deleteRole(accountId: string, name: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, { kind: 'role', name })).id);
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_attachments WHERE owner_id = $1', id)) throw conflict('attached-policies');
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = $1', id)) throw conflict('inline-policies');
      await db.run('DELETE FROM iam_tags WHERE resource_id = $1', id);
      await db.run('DELETE FROM iam_roles WHERE id = $1', id);
      await this.#bump(db, accountId);
    });
  }

  async recordRoleUse(roleId: string, at: Date, region: string): Promise<void> {
    await this.#pool.run('UPDATE iam_roles SET last_used_at = $1, last_used_region = $2 WHERE id = $3', at, region, roleId);
  }

  async putPermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }, boundary: PolicyRef): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, entity)).id);
      await this.#requireBoundaryPolicy(db, accountId, boundary);
      await db.run(`UPDATE ${KIND_TABLE[entity.kind]} SET boundary_arn = $1 WHERE id = $2`, boundary.arn, id);
      await this.#bump(db, accountId);
    });
  }

  async deletePermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, entity)).id);
      await db.run(`UPDATE ${KIND_TABLE[entity.kind]} SET boundary_arn = NULL WHERE id = $1`, id);
      await this.#bump(db, accountId);
    });
  }

  // ── inline policies

  async putInlinePolicy(accountId: string, owner: EntityName, policyName: string, document: string, size: number, maxAggregateSize: number): Promise<void> {
    await this.#write(accountId, async (db) => {
      const entity = await this.#requireEntity(db, accountId, owner);
      const id = String(entity.id);
      const others = Number((await db.get('SELECT COALESCE(SUM(size), 0) AS s FROM iam_inline_policies WHERE owner_id = $1 AND name <> $2', id, policyName))?.s ?? 0);
      if (others + size > maxAggregateSize) {
        throw new StoreError({ code: 'LimitExceeded', quota: 'InlinePolicySize', limit: maxAggregateSize, owner: { kind: owner.kind, name: String(entity.name) } });
      }
      const changed = await db.run('UPDATE iam_inline_policies SET document = $1, size = $2 WHERE owner_id = $3 AND name = $4', document, size, id, policyName);
      if (changed === 0) {
        await db.run(
          'INSERT INTO iam_inline_policies (owner_id, owner_kind, name, document, size, seq) VALUES ($1, $2, $3, $4, $5, $6)',
          id,
          owner.kind,
          policyName,
          document,
          size,
          await this.#nextSeq(db, 'iam_inline_policies', 'owner_id', id),
        );
      }
      await this.#bump(db, accountId);
    });
  }

  async getInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<{ readonly ownerName: string; readonly policy: InlinePolicyRecord }> {
    return this.#read(async (db) => {
      const entity = await this.#requireEntity(db, accountId, owner);
      const row = await db.get('SELECT name, document FROM iam_inline_policies WHERE owner_id = $1 AND name = $2', String(entity.id), policyName);
      if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: 'inline-policy', owner: owner.kind, name: policyName });
      return { ownerName: String(entity.name), policy: { name: String(row.name), document: String(row.document) } };
    });
  }

  async listInlinePolicies(accountId: string, owner: EntityName): Promise<readonly string[]> {
    return this.#read(async (db) => {
      const id = String((await this.#requireEntity(db, accountId, owner)).id);
      return ((await this.#inlineFor(db, [id], 'name')).get(id) ?? []).map((p) => p.name);
    });
  }

  /** Inline policies by owner, by name (listings) or in the order they were added (evaluation). */
  async #inlineFor(db: Session, ownerIds: readonly string[], order: 'name' | 'seq'): Promise<Map<string, InlinePolicyRecord[]>> {
    const byOwner = new Map<string, InlinePolicyRecord[]>();
    if (ownerIds.length === 0) return byOwner;
    const rows = await db.all(
      `SELECT owner_id, name, document FROM iam_inline_policies WHERE owner_id = ANY($1::text[]) ORDER BY ${order === 'name' ? 'name COLLATE "C"' : 'seq'}`,
      ownerIds,
    );
    for (const row of rows) pushTo(byOwner, String(row.owner_id), { name: String(row.name), document: String(row.document) });
    return byOwner;
  }

  async deleteInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const entity = await this.#requireEntity(db, accountId, owner);
      if ((await db.run('DELETE FROM iam_inline_policies WHERE owner_id = $1 AND name = $2', String(entity.id), policyName)) === 0) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'inline-policy', owner: owner.kind, name: policyName });
      }
      await this.#bump(db, accountId);
    });
  }

  // ── managed policies

  async createPolicy(policy: NewManagedPolicy): Promise<ManagedPolicyRecord> {
    return this.#write(policy.accountId, async (db) => {
      if (await this.#nameTaken(db, 'iam_managed_policies', policy.accountId, policy.name)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'policy', name: policy.name });
      }
      await this.#checkAccountQuota(db, 'iam_managed_policies', policy.accountId, policy.maxPerAccount, 'PoliciesPerAccount');
      await db.run(
        `INSERT INTO iam_managed_policies (id, account_id, name, path, arn, description, default_version_id, next_version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'v1', 2, $7, $7)`,
        policy.id,
        policy.accountId,
        policy.name,
        policy.path,
        this.#arn(policy.accountId, 'policy', policy.path, policy.name),
        policy.description ?? null,
        policy.createdAt,
      );
      await db.run('INSERT INTO iam_policy_versions (policy_id, version_id, version_number, document, created_at) VALUES ($1, $2, 1, $3, $4)', policy.id, 'v1', policy.document, policy.createdAt);
      await this.#insertTags(db, policy.id, policy.tags, false);
      await this.#bump(db, policy.accountId);
      return this.#policyRecord(db, (await db.get('SELECT * FROM iam_managed_policies WHERE id = $1', policy.id))!);
    });
  }

  async #policyRecord(db: Session, row: Row): Promise<ManagedPolicyRecord> {
    return toPolicy(row, await this.#usage(db, String(row.account_id), String(row.arn)), await this.#tags(db, String(row.id)));
  }

  async #usage(db: Session, accountId: string, arn: string): Promise<PolicyUsage> {
    const row = await db.get(
      `SELECT (SELECT COUNT(*) FROM iam_attachments WHERE account_id = $1 AND policy_arn = $2) AS attachments,
              (SELECT COUNT(*) FROM iam_users WHERE account_id = $1 AND boundary_arn = $2)
            + (SELECT COUNT(*) FROM iam_roles WHERE account_id = $1 AND boundary_arn = $2) AS boundaries`,
      accountId,
      arn,
    );
    return { attachmentCount: Number(row?.attachments ?? 0), permissionsBoundaryUsageCount: Number(row?.boundaries ?? 0) };
  }

  async #usageByArn(db: Session, accountId: string): Promise<Map<string, PolicyUsage>> {
    const usage = new Map<string, { attachmentCount: number; permissionsBoundaryUsageCount: number }>();
    const entry = (arn: string) => {
      let e = usage.get(arn);
      if (!e) usage.set(arn, (e = { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }));
      return e;
    };
    for (const r of await db.all('SELECT policy_arn, COUNT(*) AS n FROM iam_attachments WHERE account_id = $1 GROUP BY policy_arn', accountId)) {
      entry(String(r.policy_arn)).attachmentCount += Number(r.n);
    }
    for (const r of await db.all(
      `SELECT boundary_arn, COUNT(*) AS n FROM (
         SELECT boundary_arn FROM iam_users WHERE account_id = $1 AND boundary_arn IS NOT NULL
         UNION ALL SELECT boundary_arn FROM iam_roles WHERE account_id = $1 AND boundary_arn IS NOT NULL) b
       GROUP BY boundary_arn`,
      accountId,
    )) {
      entry(String(r.boundary_arn)).permissionsBoundaryUsageCount += Number(r.n);
    }
    return usage;
  }

  async getPolicy(policyArn: string): Promise<ManagedPolicyRecord | undefined> {
    return this.#read(async (db) => {
      const row = await db.get('SELECT * FROM iam_managed_policies WHERE arn = $1', policyArn);
      return row ? this.#policyRecord(db, row) : undefined;
    });
  }

  async listPolicies(accountId: string, pathPrefix?: string): Promise<readonly ManagedPolicyRecord[]> {
    return this.#read(async (db) => this.#policyRecords(db, accountId, await this.#listByPath(db, 'iam_managed_policies', accountId, pathPrefix)));
  }

  async #policyRecords(db: Session, accountId: string, rows: readonly Row[]): Promise<ManagedPolicyRecord[]> {
    const usage = await this.#usageByArn(db, accountId);
    const tags = await this.#tagsFor(db, rows.map((r) => String(r.id)));
    return rows.map((r) => toPolicy(r, usage.get(String(r.arn)) ?? NO_USAGE, tags.get(String(r.id)) ?? []));
  }

  /**
   * One transaction on a customer managed policy, holding its account's lock. The account is
   * the ARN's, which the store built; `row` is read under the lock.
   */
  async #writePolicy<T>(policyArn: string, missing: () => StoreError, fn: (db: Session, row: Row) => Promise<T>): Promise<T> {
    return this.#write(policyArn.split(':')[4] ?? '', async (db) => {
      const row = await db.get('SELECT * FROM iam_managed_policies WHERE arn = $1', policyArn);
      if (!row) throw missing();
      return fn(db, row);
    });
  }

  async deletePolicy(policyArn: string): Promise<void> {
    await this.#writePolicy(policyArn, () => noSuchPolicy(policyArn), async (db, row) => {
      const id = String(row.id);
      const accountId = String(row.account_id);
      const usage = await this.#usage(db, accountId, policyArn);
      if (usage.attachmentCount > 0 || usage.permissionsBoundaryUsageCount > 0) throw conflict('policy-in-use');
      if (Number((await db.get('SELECT COUNT(*) AS n FROM iam_policy_versions WHERE policy_id = $1', id))?.n ?? 0) > 1) throw conflict('policy-versions');
      await db.run('DELETE FROM iam_policy_versions WHERE policy_id = $1', id);
      await db.run('DELETE FROM iam_tags WHERE resource_id = $1', id);
      await db.run('DELETE FROM iam_managed_policies WHERE id = $1', id);
      await this.#bump(db, accountId);
    });
  }

  async createPolicyVersion(policyArn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number): Promise<PolicyVersionRecord> {
    return this.#writePolicy(policyArn, () => noSuchPolicy(policyArn), async (db, row) => {
      const id = String(row.id);
      if (Number((await db.get('SELECT COUNT(*) AS n FROM iam_policy_versions WHERE policy_id = $1', id))?.n ?? 0) >= maxVersions) {
        throw new StoreError({ code: 'LimitExceeded', quota: 'PolicyVersions', limit: maxVersions });
      }
      const number = Number(row.next_version);
      const versionId = `v${number}`;
      await db.run('INSERT INTO iam_policy_versions (policy_id, version_id, version_number, document, created_at) VALUES ($1, $2, $3, $4, $5)', id, versionId, number, document, at);
      await db.run('UPDATE iam_managed_policies SET next_version = $1, updated_at = $2 WHERE id = $3', number + 1, at, id);
      if (setAsDefault) {
        await db.run('UPDATE iam_managed_policies SET default_version_id = $1 WHERE id = $2', versionId, id);
        await this.#bump(db, String(row.account_id));
      }
      return { versionId, document, isDefaultVersion: setAsDefault, createdAt: new Date(at.getTime()) };
    });
  }

  async getPolicyVersion(policyArn: string, versionId: string): Promise<PolicyVersionRecord | undefined> {
    const row = await this.#pool.get(
      `SELECT v.*, p.default_version_id FROM iam_policy_versions v JOIN iam_managed_policies p ON p.id = v.policy_id
       WHERE p.arn = $1 AND v.version_id = $2`,
      policyArn,
      versionId,
    );
    return row ? toVersion(row) : undefined;
  }

  async listPolicyVersions(policyArn: string): Promise<readonly PolicyVersionRecord[] | undefined> {
    return this.#read(async (db) => {
      const policy = await db.get('SELECT id FROM iam_managed_policies WHERE arn = $1', policyArn);
      if (!policy) return undefined;
      return (await this.#versionsFor(db, [String(policy.id)])).get(String(policy.id)) ?? [];
    });
  }

  /** Versions by policy, newest first. */
  async #versionsFor(db: Session, policyIds: readonly string[]): Promise<Map<string, PolicyVersionRecord[]>> {
    const byPolicy = new Map<string, PolicyVersionRecord[]>();
    if (policyIds.length === 0) return byPolicy;
    const rows = await db.all(
      `SELECT v.*, p.default_version_id FROM iam_policy_versions v JOIN iam_managed_policies p ON p.id = v.policy_id
       WHERE v.policy_id = ANY($1::text[]) ORDER BY v.version_number DESC`,
      policyIds,
    );
    for (const row of rows) pushTo(byPolicy, String(row.policy_id), toVersion(row));
    return byPolicy;
  }

  async setDefaultPolicyVersion(policyArn: string, versionId: string, _at: Date): Promise<void> {
    const missing = () => new StoreError({ code: 'NoSuchEntity', entity: 'policy-version', arn: policyArn, versionId });
    await this.#writePolicy(policyArn, missing, async (db, row) => {
      if (!(await this.#exists(db, 'SELECT 1 AS x FROM iam_policy_versions WHERE policy_id = $1 AND version_id = $2', String(row.id), versionId))) throw missing();
      await db.run('UPDATE iam_managed_policies SET default_version_id = $1 WHERE id = $2', versionId, String(row.id));
      await this.#bump(db, String(row.account_id));
    });
  }

  async deletePolicyVersion(policyArn: string, versionId: string): Promise<void> {
    const missing = () => new StoreError({ code: 'NoSuchEntity', entity: 'policy-version', arn: policyArn, versionId });
    await this.#writePolicy(policyArn, missing, async (db, row) => {
      if (!(await this.#exists(db, 'SELECT 1 AS x FROM iam_policy_versions WHERE policy_id = $1 AND version_id = $2', String(row.id), versionId))) throw missing();
      if (String(row.default_version_id) === versionId) throw conflict('default-version');
      await db.run('DELETE FROM iam_policy_versions WHERE policy_id = $1 AND version_id = $2', String(row.id), versionId);
    });
  }

  // ── attachments

  async attachPolicy(accountId: string, entity: EntityName, policy: PolicyRef, maxAttachments: number): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, entity)).id);
      if (!policy.awsManaged && !(await this.#exists(db, 'SELECT 1 AS x FROM iam_managed_policies WHERE arn = $1 AND account_id = $2', policy.arn, accountId))) {
        throw noSuchPolicy(policy.arn);
      }
      if (await this.#exists(db, 'SELECT 1 AS x FROM iam_attachments WHERE owner_id = $1 AND policy_arn = $2', id, policy.arn)) return;
      const count = Number((await db.get('SELECT COUNT(*) AS n FROM iam_attachments WHERE owner_id = $1', id))?.n ?? 0);
      if (count >= maxAttachments) {
        const quota: Quota = entity.kind === 'user' ? 'PoliciesPerUser' : entity.kind === 'group' ? 'PoliciesPerGroup' : 'PoliciesPerRole';
        throw new StoreError({ code: 'LimitExceeded', quota, limit: maxAttachments });
      }
      await db.run(
        'INSERT INTO iam_attachments (owner_id, owner_kind, account_id, policy_arn, seq) VALUES ($1, $2, $3, $4, $5)',
        id,
        entity.kind,
        accountId,
        policy.arn,
        await this.#nextSeq(db, 'iam_attachments', 'owner_id', id),
      );
      await this.#bump(db, accountId);
    });
  }

  async detachPolicy(accountId: string, entity: EntityName, policyArn: string): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = String((await this.#requireEntity(db, accountId, entity)).id);
      if ((await db.run('DELETE FROM iam_attachments WHERE owner_id = $1 AND policy_arn = $2', id, policyArn)) === 0) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'attachment', arn: policyArn });
      }
      await this.#bump(db, accountId);
    });
  }

  async listAttachedPolicies(accountId: string, entity: EntityName): Promise<readonly AttachedPolicyRecord[]> {
    return this.#read(async (db) => {
      const id = String((await this.#requireEntity(db, accountId, entity)).id);
      return (await this.#attachedFor(db, [id])).get(id) ?? [];
    });
  }

  /** Attached policies by owner, in the order they were attached. */
  async #attachedFor(db: Session, ownerIds: readonly string[]): Promise<Map<string, AttachedPolicyRecord[]>> {
    const byOwner = new Map<string, AttachedPolicyRecord[]>();
    if (ownerIds.length === 0) return byOwner;
    for (const row of await db.all('SELECT owner_id, policy_arn FROM iam_attachments WHERE owner_id = ANY($1::text[]) ORDER BY seq', ownerIds)) {
      const arn = String(row.policy_arn);
      pushTo(byOwner, String(row.owner_id), { policyArn: arn, policyName: arn.slice(arn.lastIndexOf('/') + 1) });
    }
    return byOwner;
  }

  async listEntitiesForPolicy(accountId: string, policyArn: string): Promise<PolicyEntities> {
    return this.#read(async (db) => {
      const of = async (kind: PrincipalKind) =>
        (
          await db.all(
            `SELECT e.id, e.name FROM ${KIND_TABLE[kind]} e JOIN iam_attachments a ON a.owner_id = e.id
             WHERE a.account_id = $1 AND a.policy_arn = $2 ORDER BY lower(e.name) COLLATE "C"`,
            accountId,
            policyArn,
          )
        ).map((r) => ({ id: String(r.id), name: String(r.name) }));
      return { users: await of('user'), groups: await of('group'), roles: await of('role') };
    });
  }

  async getPolicyUsage(accountId: string, policyArns: readonly string[]): Promise<ReadonlyMap<string, PolicyUsage>> {
    return this.#read(async (db) => {
      const all = await this.#usageByArn(db, accountId);
      return new Map(policyArns.map((arn) => [arn, all.get(arn) ?? NO_USAGE]));
    });
  }

  // ── tags

  async #tagTargetId(db: Session, accountId: string, target: TagTarget): Promise<string> {
    if (target.kind === 'policy') {
      const row = await db.get('SELECT id FROM iam_managed_policies WHERE arn = $1 AND account_id = $2', target.arn, accountId);
      if (!row) throw noSuchPolicy(target.arn);
      return String(row.id);
    }
    return String((await this.#requireEntity(db, accountId, target)).id);
  }

  async tagResource(accountId: string, target: TagTarget, tags: readonly Tag[], maxTags: number): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = await this.#tagTargetId(db, accountId, target);
      await this.#insertTags(db, id, tags, target.kind !== 'policy');
      const count = Number((await db.get('SELECT COUNT(*) AS n FROM iam_tags WHERE resource_id = $1', id))?.n ?? 0);
      if (count > maxTags) throw new StoreError({ code: 'LimitExceeded', quota: 'TagsPerResource', limit: maxTags });
      await this.#bump(db, accountId);
    });
  }

  async untagResource(accountId: string, target: TagTarget, keys: readonly string[]): Promise<void> {
    await this.#write(accountId, async (db) => {
      const id = await this.#tagTargetId(db, accountId, target);
      const norms = keys.map((key) => (target.kind === 'policy' ? key : key.toLowerCase()));
      await db.run('DELETE FROM iam_tags WHERE resource_id = $1 AND key_norm = ANY($2::text[])', id, norms);
      await this.#bump(db, accountId);
    });
  }

  async listResourceTags(accountId: string, target: TagTarget): Promise<readonly Tag[]> {
    return this.#read(async (db) => this.#tags(db, await this.#tagTargetId(db, accountId, target)));
  }

  // ── GetAccountAuthorizationDetails

  async getAuthorizationDetails(accountId: string): Promise<AuthorizationDetails> {
    return this.#read(async (db) => {
      const userRows = await db.all(`SELECT * FROM iam_users WHERE account_id = $1 ORDER BY ${BY_NAME}`, accountId);
      const groupRows = await db.all(`SELECT * FROM iam_groups WHERE account_id = $1 ORDER BY ${BY_NAME}`, accountId);
      const roleRows = await db.all(`SELECT * FROM iam_roles WHERE account_id = $1 ORDER BY ${BY_NAME}`, accountId);
      const policyRows = await db.all(`SELECT * FROM iam_managed_policies WHERE account_id = $1 ORDER BY ${BY_NAME}`, accountId);
      const ownerIds = [...userRows, ...groupRows, ...roleRows].map((r) => String(r.id));
      const inline = await this.#inlineFor(db, ownerIds, 'name');
      const attached = await this.#attachedFor(db, ownerIds);
      const memberships = new Map<string, string[]>();
      for (const row of await db.all(
        `SELECT m.user_id, g.name FROM iam_group_members m JOIN iam_groups g ON g.id = m.group_id
         WHERE g.account_id = $1 ORDER BY lower(g.name) COLLATE "C"`,
        accountId,
      )) {
        pushTo(memberships, String(row.user_id), String(row.name));
      }
      const of = (id: string) => ({ inline: inline.get(id) ?? [], attached: attached.get(id) ?? [] });
      const users: UserDetail[] = (await this.#userRecords(db, userRows)).map((user) => ({ user, ...of(user.id), groupNames: memberships.get(user.id) ?? [] }));
      const groups: GroupDetail[] = groupRows.map(toGroup).map((group) => ({ group, ...of(group.id) }));
      const roles: RoleDetail[] = (await this.#roleRecords(db, roleRows)).map((role) => ({ role, ...of(role.id) }));
      const versions = await this.#versionsFor(db, policyRows.map((r) => String(r.id)));
      const policies: ManagedPolicyDetail[] = (await this.#policyRecords(db, accountId, policyRows)).map((policy) => ({ policy, versions: versions.get(policy.id) ?? [] }));
      return { users, groups, roles, policies };
    });
  }
}

// ── row mapping

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function date(value: unknown): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
}

function optionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : date(value);
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function conflict(reason: DeleteConflictReason): StoreError {
  return new StoreError({ code: 'DeleteConflict', reason });
}

function noSuchPolicy(arn: string): StoreError {
  return new StoreError({ code: 'NoSuchEntity', entity: 'policy', arn });
}

function toOrganization(row: Row): OrganizationRecord {
  return {
    id: String(row.id),
    arn: String(row.arn),
    rootId: String(row.root_id),
    managementAccountId: String(row.management_account_id),
    managementAccountEmail: String(row.management_account_email),
    featureSet: 'ALL',
    createdAt: date(row.created_at),
  };
}

function toAccount(row: Row): AccountRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    email: String(row.email),
    state: String(row.state) as AccountRecord['state'],
    joinedMethod: String(row.joined_method) as AccountRecord['joinedMethod'],
    joinedAt: date(row.joined_at),
  };
}

function toCreateAccountStatus(row: Row): CreateAccountStatusRecord {
  const completedAt = optionalDate(row.completed_at);
  const accountId = optionalText(row.account_id);
  const failureReason = optionalText(row.failure_reason);
  return {
    id: String(row.id),
    accountName: String(row.account_name),
    email: String(row.email),
    state: String(row.state) as CreateAccountStatusRecord['state'],
    requestedAt: date(row.requested_at),
    ...(completedAt !== undefined ? { completedAt } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
  };
}

function toAccessKey(row: Row): AccessKeyRecord {
  const userId = optionalText(row.user_id);
  const lastUsedAt = optionalDate(row.last_used_at);
  const lastUsedService = optionalText(row.last_used_service);
  const lastUsedRegion = optionalText(row.last_used_region);
  return {
    accessKeyId: String(row.access_key_id),
    accountId: String(row.account_id),
    ...(userId !== undefined ? { userId } : {}),
    status: String(row.status) as AccessKeyRecord['status'],
    secretCiphertext: String(row.secret_ciphertext),
    createdAt: date(row.created_at),
    ...(lastUsedAt !== undefined ? { lastUsedAt } : {}),
    ...(lastUsedService !== undefined ? { lastUsedService } : {}),
    ...(lastUsedRegion !== undefined ? { lastUsedRegion } : {}),
  };
}

function toMfaDevice(row: Row, tags: Tag[]): MfaDeviceRecord {
  const userId = optionalText(row.user_id);
  const enabledAt = optionalDate(row.enabled_at);
  const lastUsedStep = row.last_used_step === null || row.last_used_step === undefined ? undefined : Number(row.last_used_step);
  return {
    accountId: String(row.account_id),
    serialNumber: String(row.serial_number),
    path: String(row.path),
    name: String(row.name),
    seedCiphertext: String(row.seed_ciphertext),
    createdAt: date(row.created_at),
    ...(userId !== undefined ? { userId } : {}),
    ...(enabledAt !== undefined ? { enabledAt } : {}),
    ...(lastUsedStep !== undefined ? { lastUsedStep } : {}),
    tags,
  };
}

function toUser(row: Row, tags: Tag[]): UserRecord {
  const boundary = optionalText(row.boundary_arn);
  const passwordLastUsed = optionalDate(row.password_last_used);
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    path: String(row.path),
    arn: String(row.arn),
    createdAt: date(row.created_at),
    ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
    ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
    tags,
  };
}

function toGroup(row: Row): GroupRecord {
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    path: String(row.path),
    arn: String(row.arn),
    createdAt: date(row.created_at),
  };
}

function toRole(row: Row, tags: Tag[]): RoleRecord {
  const description = optionalText(row.description);
  const boundary = optionalText(row.boundary_arn);
  const lastUsedAt = optionalDate(row.last_used_at);
  const lastUsedRegion = optionalText(row.last_used_region);
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    path: String(row.path),
    arn: String(row.arn),
    createdAt: date(row.created_at),
    assumeRolePolicyDocument: String(row.trust_policy),
    ...(description !== undefined ? { description } : {}),
    maxSessionDuration: Number(row.max_session_duration),
    ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
    ...(lastUsedAt !== undefined ? { lastUsedAt } : {}),
    ...(lastUsedRegion !== undefined ? { lastUsedRegion } : {}),
    tags,
    trustPrincipalIds: { ...(row.trust_principal_ids as Record<string, string>) },
  };
}

function toPolicy(row: Row, usage: PolicyUsage, tags: Tag[]): ManagedPolicyRecord {
  const description = optionalText(row.description);
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    path: String(row.path),
    arn: String(row.arn),
    ...(description !== undefined ? { description } : {}),
    defaultVersionId: String(row.default_version_id),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    attachmentCount: usage.attachmentCount,
    permissionsBoundaryUsageCount: usage.permissionsBoundaryUsageCount,
    tags,
  };
}

function toVersion(row: Row): PolicyVersionRecord {
  return {
    versionId: String(row.version_id),
    document: String(row.document),
    isDefaultVersion: String(row.version_id) === String(row.default_version_id),
    createdAt: date(row.created_at),
  };
}
