import Database from 'better-sqlite3';
import { ReadCache } from './read-cache.js';
import { StoreError, type Quota } from './errors.js';
import { MIGRATIONS } from './migrations.js';
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
  MfaDeviceRecord,
  GroupDetail,
  GroupRecord,
  InlinePolicyRecord,
  ManagedPolicyDetail,
  ManagedPolicyRecord,
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

export interface SqliteStoreOptions {
  /** Partition of the ARNs the store computes (default `aws`). */
  readonly partition?: string;
  /** Resolves AWS managed policy ARNs, which are static data outside the store. */
  readonly awsManagedPolicy?: (arn: string) => PolicyDocumentRef | undefined;
}

type Row = Record<string, unknown>;
type Param = string | number | null;

const KIND_TABLE: Record<PrincipalKind, string> = { user: 'iam_users', group: 'iam_groups', role: 'iam_roles' };

/**
 * The embedded store on better-sqlite3. Every write method runs in one IMMEDIATE transaction
 * that checks its own preconditions, so a refused write changes nothing and two nodes sharing
 * the file cannot interleave a check and a write.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #partition: string;
  readonly #awsManaged: (arn: string) => PolicyDocumentRef | undefined;
  /** One transaction function, created once (creating one per call costs ~7 µs): runs the function it is given. */
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.#db = new Database(file);
    this.#transaction = this.#db.transaction((fn: () => unknown) => fn());
    this.#partition = options.partition ?? 'aws';
    this.#awsManaged = options.awsManagedPolicy ?? (() => undefined);
    if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('synchronous = NORMAL');
    const dataVersion = this.#db.prepare('PRAGMA data_version').pluck();
    this.#cache = new ReadCache({ dataVersion: () => Number(dataVersion.get()) });
  }

  /** Hot point reads (authentication, authorization, AssumeRole); cleared by every write. */
  readonly #cache: ReadCache;

  // ── plumbing

  // Preparing a statement compiles its SQL (~10 µs); the hot paths run the same few statements
  // on every request, so each distinct SQL text is prepared once. Bounded: texts built with a
  // variable number of placeholders must not grow the cache without limit.
  readonly #statements = new Map<string, Database.Statement>();

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= 500) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all(sql: string, ...params: Param[]): Row[] {
    return this.#statement(sql).all(...params) as Row[];
  }

  #get(sql: string, ...params: Param[]): Row | undefined {
    return this.#statement(sql).get(...params) as Row | undefined;
  }

  #run(sql: string, ...params: Param[]): number {
    this.#cache.clear();
    return this.#statement(sql).run(...params).changes;
  }

  #write<T>(fn: () => T): T {
    try {
      return this.#transaction.immediate(fn) as T;
    } finally {
      this.#cache.clear();
    }
  }

  #read<T>(fn: () => T): T {
    return this.#transaction.deferred(fn) as T;
  }

  #bump(accountId: string): void {
    this.#run(
      `INSERT INTO authz_generations (account_id, generation) VALUES (?, 1)
       ON CONFLICT (account_id) DO UPDATE SET generation = authz_generations.generation + 1`,
      accountId,
    );
  }

  #nextSeq(table: string, column: string, value: string): number {
    const row = this.#get(`SELECT COALESCE(MAX(seq), 0) AS s FROM ${table} WHERE ${column} = ?`, value);
    return Number(row?.s ?? 0) + 1;
  }

  #arn(accountId: string, type: string, path: string, name: string): string {
    return `arn:${this.#partition}:iam::${accountId}:${type}${path}${name}`;
  }

  async migrate(): Promise<void> {
    this.#db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    this.#write(() => {
      const applied = Number(this.#get('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')?.v ?? 0);
      for (const migration of MIGRATIONS) {
        if (migration.version <= applied) continue;
        for (const statement of migration.statements) this.#db.exec(statement);
        this.#run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', migration.version, migration.name, new Date().toISOString());
      }
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  // ── meta

  async getMeta(key: string): Promise<string | undefined> {
    return optionalText(this.#get('SELECT value FROM meta WHERE key = ?', key)?.value);
  }

  async putMetaIfAbsent(key: string, value: string): Promise<string> {
    return this.#write(() => {
      this.#run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', key, value);
      return String(this.#get('SELECT value FROM meta WHERE key = ?', key)!.value);
    });
  }

  async putMeta(key: string, value: string): Promise<void> {
    this.#run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  // ── organization and accounts

  async getOrganization(): Promise<OrganizationRecord | undefined> {
    return this.#cache.get('organization', () => {
      const row = this.#get('SELECT * FROM organizations LIMIT 1');
      return row ? toOrganization(row) : undefined;
    });
  }

  async createOrganization(org: OrganizationRecord, management: AccountRecord): Promise<OrganizationRecord> {
    return this.#write(() => {
      const existing = this.#get('SELECT * FROM organizations LIMIT 1');
      if (existing) return toOrganization(existing);
      this.#run(
        'INSERT INTO organizations (id, arn, root_id, management_account_id, management_account_email, feature_set, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        org.id,
        org.arn,
        org.rootId,
        org.managementAccountId,
        org.managementAccountEmail,
        org.featureSet,
        iso(org.createdAt),
      );
      this.#putAccount(management);
      return org;
    });
  }

  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    const row = this.#get('SELECT * FROM accounts WHERE id = ?', accountId);
    return row ? toAccount(row) : undefined;
  }

  async listAccounts(): Promise<readonly AccountRecord[]> {
    return this.#all('SELECT * FROM accounts ORDER BY joined_at, id').map(toAccount);
  }

  async putAccount(account: AccountRecord): Promise<void> {
    this.#write(() => this.#putAccount(account));
  }

  #putAccount(account: AccountRecord): void {
    this.#run(
      `INSERT INTO accounts (id, name, email, state, joined_method, joined_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, state = excluded.state,
         joined_method = excluded.joined_method, joined_at = excluded.joined_at`,
      account.id,
      account.name,
      account.email,
      account.state,
      account.joinedMethod,
      iso(account.joinedAt),
    );
  }

  async putCreateAccountStatus(status: CreateAccountStatusRecord): Promise<void> {
    this.#run(
      `INSERT INTO create_account_statuses (id, account_name, email, state, requested_at, completed_at, account_id, failure_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET account_name = excluded.account_name, email = excluded.email, state = excluded.state,
         requested_at = excluded.requested_at, completed_at = excluded.completed_at, account_id = excluded.account_id,
         failure_reason = excluded.failure_reason`,
      status.id,
      status.accountName,
      status.email,
      status.state,
      iso(status.requestedAt),
      isoOrNull(status.completedAt),
      status.accountId ?? null,
      status.failureReason ?? null,
    );
  }

  async getCreateAccountStatus(id: string): Promise<CreateAccountStatusRecord | undefined> {
    const row = this.#get('SELECT * FROM create_account_statuses WHERE id = ?', id);
    return row ? toCreateAccountStatus(row) : undefined;
  }

  async listCreateAccountStatuses(): Promise<readonly CreateAccountStatusRecord[]> {
    return this.#all('SELECT * FROM create_account_statuses ORDER BY requested_at, id').map(toCreateAccountStatus);
  }

  // ── access keys

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.#cache.get(accessKeyCacheKey(accessKeyId), () => {
      const row = this.#get('SELECT * FROM access_keys WHERE access_key_id = ?', accessKeyId);
      return row ? toAccessKey(row) : undefined;
    });
  }

  async createRootAccessKey(key: AccessKeyRecord): Promise<void> {
    this.#write(() => this.#insertAccessKey(key.accountId, null, key));
  }

  #insertAccessKey(accountId: string, userId: string | null, key: NewAccessKey & { readonly status?: string }): void {
    this.#run(
      'INSERT INTO access_keys (access_key_id, account_id, user_id, status, secret_ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      key.accessKeyId,
      accountId,
      userId,
      key.status ?? 'Active',
      key.secretCiphertext,
      iso(key.createdAt),
    );
  }

  async recordAccessKeyUse(accessKeyId: string, at: Date, service: string, region: string): Promise<void> {
    // Usage bookkeeping changes one cached record: dropping only it keeps every other read cached.
    this.#statement('UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ?').run(iso(at), service, region, accessKeyId);
    this.#cache.delete(accessKeyCacheKey(accessKeyId));
  }

  async createAccessKey(accountId: string, owner: AccessKeyOwner, key: NewAccessKey, maxKeys: number): Promise<AccessKeyRecord> {
    return this.#write(() => {
      const userId = this.#keyOwnerId(accountId, owner);
      const count = Number(this.#get(`SELECT COUNT(*) AS n FROM access_keys WHERE account_id = ? AND ${userId === null ? 'user_id IS NULL' : 'user_id = ?'}`, ...ownerParams(accountId, userId))?.n ?? 0);
      if (count >= maxKeys) throw new StoreError({ code: 'LimitExceeded', quota: 'AccessKeysPerUser', limit: maxKeys });
      this.#insertAccessKey(accountId, userId, key);
      return toAccessKey(this.#get('SELECT * FROM access_keys WHERE access_key_id = ?', key.accessKeyId)!);
    });
  }

  async listAccessKeys(accountId: string, owner: AccessKeyOwner): Promise<{ readonly userName?: string; readonly keys: readonly AccessKeyRecord[] }> {
    return this.#read(() => {
      const user = owner.kind === 'user' ? this.#requireEntity(accountId, { kind: 'user', name: owner.name }) : undefined;
      const userId = user ? String(user.id) : null;
      const keys = this.#all(
        `SELECT * FROM access_keys WHERE account_id = ? AND ${userId === null ? 'user_id IS NULL' : 'user_id = ?'} ORDER BY created_at, access_key_id`,
        ...ownerParams(accountId, userId),
      ).map(toAccessKey);
      return user ? { userName: String(user.name), keys } : { keys };
    });
  }

  async updateAccessKeyStatus(accountId: string, owner: AccessKeyOwner, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    this.#write(() => {
      const userId = this.#keyOwnerId(accountId, owner);
      this.#requireOwnedKey(accountId, userId, accessKeyId);
      this.#run('UPDATE access_keys SET status = ? WHERE access_key_id = ?', status, accessKeyId);
    });
  }

  async deleteAccessKey(accountId: string, owner: AccessKeyOwner, accessKeyId: string): Promise<void> {
    this.#write(() => {
      const userId = this.#keyOwnerId(accountId, owner);
      this.#requireOwnedKey(accountId, userId, accessKeyId);
      this.#run('DELETE FROM access_keys WHERE access_key_id = ?', accessKeyId);
    });
  }

  #keyOwnerId(accountId: string, owner: AccessKeyOwner): string | null {
    return owner.kind === 'root' ? null : String(this.#requireEntity(accountId, { kind: 'user', name: owner.name }).id);
  }

  #requireOwnedKey(accountId: string, userId: string | null, accessKeyId: string): void {
    const row = this.#get('SELECT account_id, user_id FROM access_keys WHERE access_key_id = ?', accessKeyId);
    if (!row || row.account_id !== accountId || (row.user_id ?? null) !== userId) {
      throw new StoreError({ code: 'NoSuchEntity', entity: 'access-key', accessKeyId });
    }
  }

  // ── MFA devices

  async createMfaDevice(device: MfaDeviceRecord): Promise<void> {
    this.#write(() => {
      if (this.#exists('SELECT 1 AS x FROM iam_mfa_devices WHERE serial_number = ?', device.serialNumber)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'mfa-device', name: device.serialNumber });
      }
      this.#run(
        `INSERT INTO iam_mfa_devices (serial_number, account_id, path, name, seed_ciphertext, created_at, user_id, enabled_at, last_used_step)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        device.serialNumber,
        device.accountId,
        device.path,
        device.name,
        device.seedCiphertext,
        iso(device.createdAt),
        device.userId ?? null,
        isoOrNull(device.enabledAt),
        device.lastUsedStep ?? null,
      );
      this.#insertTags(device.serialNumber, device.tags, false);
    });
  }

  #mfaRecord(row: Row): MfaDeviceRecord {
    const userId = optionalText(row.user_id);
    const enabledAt = optionalText(row.enabled_at);
    const lastUsedStep = row.last_used_step === null || row.last_used_step === undefined ? undefined : Number(row.last_used_step);
    return {
      accountId: String(row.account_id),
      serialNumber: String(row.serial_number),
      path: String(row.path),
      name: String(row.name),
      seedCiphertext: String(row.seed_ciphertext),
      createdAt: new Date(String(row.created_at)),
      ...(userId !== undefined ? { userId } : {}),
      ...(enabledAt !== undefined ? { enabledAt: new Date(enabledAt) } : {}),
      ...(lastUsedStep !== undefined ? { lastUsedStep } : {}),
      tags: this.#tags(String(row.serial_number)),
    };
  }

  async getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDeviceRecord | undefined> {
    return this.#read(() => {
      const row = this.#get('SELECT * FROM iam_mfa_devices WHERE account_id = ? AND serial_number = ?', accountId, serialNumber);
      return row ? this.#mfaRecord(row) : undefined;
    });
  }

  async listMfaDevices(accountId: string): Promise<readonly MfaDeviceRecord[]> {
    return this.#read(() => this.#all('SELECT * FROM iam_mfa_devices WHERE account_id = ? ORDER BY serial_number', accountId).map((r) => this.#mfaRecord(r)));
  }

  async enableMfaDevice(accountId: string, serialNumber: string, userId: string, at: Date, lastUsedStep: number): Promise<boolean> {
    return this.#write(
      () =>
        this.#run(
          'UPDATE iam_mfa_devices SET user_id = ?, enabled_at = ?, last_used_step = ? WHERE account_id = ? AND serial_number = ? AND user_id IS NULL',
          userId,
          iso(at),
          lastUsedStep,
          accountId,
          serialNumber,
        ) > 0,
    );
  }

  async deactivateMfaDevice(accountId: string, serialNumber: string): Promise<void> {
    this.#run('UPDATE iam_mfa_devices SET user_id = NULL, enabled_at = NULL WHERE account_id = ? AND serial_number = ?', accountId, serialNumber);
  }

  async deleteMfaDevice(accountId: string, serialNumber: string): Promise<void> {
    this.#write(() => {
      if (this.#run('DELETE FROM iam_mfa_devices WHERE account_id = ? AND serial_number = ?', accountId, serialNumber) > 0) {
        this.#run('DELETE FROM iam_tags WHERE resource_id = ?', serialNumber);
      }
    });
  }

  async consumeMfaStep(accountId: string, serialNumber: string, step: number): Promise<boolean> {
    return (
      this.#run(
        'UPDATE iam_mfa_devices SET last_used_step = ? WHERE account_id = ? AND serial_number = ? AND (last_used_step IS NULL OR last_used_step < ?)',
        step,
        accountId,
        serialNumber,
        step,
      ) > 0
    );
  }

  // ── authorizer reads

  async getUserPolicies(accountId: string, userId: string): Promise<PrincipalPolicies | undefined> {
    return this.#cache.get(`user-policies\0${accountId}\0${userId}`, () => this.#userPolicies(accountId, userId));
  }

  #userPolicies(accountId: string, userId: string): PrincipalPolicies | undefined {
    return this.#read(() => {
      const user = this.#get('SELECT * FROM iam_users WHERE id = ? AND account_id = ?', userId, accountId);
      if (!user) return undefined;
      const identity: PolicyDocumentRef[] = [];
      const seen = new Set<string>();
      this.#collectPolicies(user, identity, seen);
      for (const group of this.#all(
        'SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY m.seq',
        userId,
      )) {
        this.#collectPolicies(group, identity, seen);
      }
      return this.#principalPolicies(user, identity);
    });
  }

  async getRolePolicies(accountId: string, roleId: string): Promise<PrincipalPolicies | undefined> {
    return this.#cache.get(`role-policies\0${accountId}\0${roleId}`, () => this.#rolePolicies(accountId, roleId));
  }

  #rolePolicies(accountId: string, roleId: string): PrincipalPolicies | undefined {
    return this.#read(() => {
      const role = this.#get('SELECT * FROM iam_roles WHERE id = ? AND account_id = ?', roleId, accountId);
      if (!role) return undefined;
      const identity: PolicyDocumentRef[] = [];
      this.#collectPolicies(role, identity, new Set());
      return this.#principalPolicies(role, identity);
    });
  }

  async getGroupPolicies(accountId: string, groupId: string): Promise<PrincipalPolicies | undefined> {
    return this.#read(() => {
      const group = this.#get('SELECT * FROM iam_groups WHERE id = ? AND account_id = ?', groupId, accountId);
      if (!group) return undefined;
      const identity: PolicyDocumentRef[] = [];
      this.#collectPolicies(group, identity, new Set());
      return { identity, tags: [] };
    });
  }

  #principalPolicies(entity: Row, identity: PolicyDocumentRef[]): PrincipalPolicies {
    const boundaryArn = optionalText(entity.boundary_arn);
    const boundary = boundaryArn === undefined ? undefined : this.#managedDocument(boundaryArn);
    const tags = this.#tags(String(entity.id));
    return boundary ? { identity, boundary, tags } : { identity, tags };
  }

  #collectPolicies(entity: Row, into: PolicyDocumentRef[], seen: Set<string>): void {
    const entityArn = String(entity.arn);
    for (const row of this.#all('SELECT name, document FROM iam_inline_policies WHERE owner_id = ? ORDER BY seq', String(entity.id))) {
      into.push({ id: `${entityArn}/inline/${String(row.name)}`, name: String(row.name), kind: 'inline', document: String(row.document) });
    }
    for (const row of this.#all('SELECT policy_arn FROM iam_attachments WHERE owner_id = ? ORDER BY seq', String(entity.id))) {
      const arn = String(row.policy_arn);
      if (seen.has(arn)) continue;
      seen.add(arn);
      const ref = this.#managedDocument(arn);
      if (ref) into.push(ref);
    }
  }

  #managedDocument(arn: string): PolicyDocumentRef | undefined {
    const aws = this.#awsManaged(arn);
    if (aws) return aws;
    const row = this.#get(
      `SELECT p.name, p.default_version_id, v.document FROM iam_managed_policies p
       JOIN iam_policy_versions v ON v.policy_id = p.id AND v.version_id = p.default_version_id WHERE p.arn = ?`,
      arn,
    );
    if (!row) return undefined;
    return { id: arn, name: String(row.name), kind: 'managed', versionId: String(row.default_version_id), document: String(row.document) };
  }

  async getManagedPolicyDocument(policyArn: string): Promise<PolicyDocumentRef | undefined> {
    return this.#cache.get(`managed-document\0${policyArn}`, () => this.#read(() => this.#managedDocument(policyArn)));
  }

  async getAuthzGeneration(accountId: string): Promise<number> {
    return this.#cache.get(`generation\0${accountId}`, () =>
      Number(this.#get('SELECT generation FROM authz_generations WHERE account_id = ?', accountId)?.generation ?? 0),
    );
  }

  // ── entity lookups

  #findEntity(accountId: string, entity: EntityName): Row | undefined {
    return this.#get(`SELECT * FROM ${KIND_TABLE[entity.kind]} WHERE account_id = ? AND name_key = ?`, accountId, nameKey(entity.name));
  }

  #requireEntity(accountId: string, entity: EntityName): Row {
    const row = this.#findEntity(accountId, entity);
    if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: entity.kind, name: entity.name });
    return row;
  }

  #requireBoundaryPolicy(accountId: string, boundary: PolicyRef): void {
    if (boundary.awsManaged) return;
    if (!this.#get('SELECT 1 AS x FROM iam_managed_policies WHERE arn = ? AND account_id = ?', boundary.arn, accountId)) {
      throw new StoreError({ code: 'NoSuchEntity', entity: 'boundary', arn: boundary.arn });
    }
  }

  #nameTaken(table: string, accountId: string, name: string): boolean {
    return this.#get(`SELECT 1 AS x FROM ${table} WHERE account_id = ? AND name_key = ?`, accountId, nameKey(name)) !== undefined;
  }

  #checkAccountQuota(table: string, accountId: string, max: number | undefined, quota: Quota): void {
    if (max === undefined) return;
    if (Number(this.#get(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`, accountId)?.n ?? 0) >= max) {
      throw new StoreError({ code: 'LimitExceeded', quota, limit: max });
    }
  }

  #tags(resourceId: string): Tag[] {
    return this.#all('SELECT tag_key, tag_value FROM iam_tags WHERE resource_id = ? ORDER BY seq', resourceId).map((r) => ({
      Key: String(r.tag_key),
      Value: String(r.tag_value),
    }));
  }

  #insertTags(resourceId: string, tags: readonly Tag[], caseInsensitive: boolean): void {
    let seq = this.#nextSeq('iam_tags', 'resource_id', resourceId);
    for (const tag of tags) {
      const norm = caseInsensitive ? tag.Key.toLowerCase() : tag.Key;
      const changed = this.#run('UPDATE iam_tags SET tag_key = ?, tag_value = ? WHERE resource_id = ? AND key_norm = ?', tag.Key, tag.Value, resourceId, norm);
      if (changed === 0) {
        this.#run('INSERT INTO iam_tags (resource_id, key_norm, tag_key, tag_value, seq) VALUES (?, ?, ?, ?, ?)', resourceId, norm, tag.Key, tag.Value, seq++);
      }
    }
  }

  // ── users

  async createUser(user: NewUser): Promise<UserRecord> {
    return this.#write(() => {
      if (this.#nameTaken('iam_users', user.accountId, user.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'user', name: user.name });
      this.#checkAccountQuota('iam_users', user.accountId, user.maxPerAccount, 'UsersPerAccount');
      if (user.permissionsBoundary) this.#requireBoundaryPolicy(user.accountId, user.permissionsBoundary);
      this.#run(
        'INSERT INTO iam_users (id, account_id, name, name_key, path, arn, created_at, boundary_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        user.id,
        user.accountId,
        user.name,
        nameKey(user.name),
        user.path,
        this.#arn(user.accountId, 'user', user.path, user.name),
        iso(user.createdAt),
        user.permissionsBoundary?.arn ?? null,
      );
      this.#insertTags(user.id, user.tags, true);
      this.#bump(user.accountId);
      return this.#userRecord(this.#get('SELECT * FROM iam_users WHERE id = ?', user.id)!);
    });
  }

  #userRecord(row: Row): UserRecord {
    const boundary = optionalText(row.boundary_arn);
    const passwordLastUsed = optionalText(row.password_last_used);
    return {
      id: String(row.id),
      accountId: String(row.account_id),
      name: String(row.name),
      path: String(row.path),
      arn: String(row.arn),
      createdAt: new Date(String(row.created_at)),
      ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      ...(passwordLastUsed !== undefined ? { passwordLastUsed: new Date(passwordLastUsed) } : {}),
      tags: this.#tags(String(row.id)),
    };
  }

  async getUser(accountId: string, name: string): Promise<UserRecord | undefined> {
    return this.#read(() => {
      const row = this.#findEntity(accountId, { kind: 'user', name });
      return row ? this.#userRecord(row) : undefined;
    });
  }

  async getUserById(userId: string): Promise<UserRecord | undefined> {
    return this.#read(() => {
      const row = this.#get('SELECT * FROM iam_users WHERE id = ?', userId);
      return row ? this.#userRecord(row) : undefined;
    });
  }

  /** What authentication needs about the user behind an access key. */
  async getUserIdentity(accountId: string, userId: string): Promise<{ readonly arn: string; readonly userName: string; readonly path: string } | undefined> {
    return this.#cache.get(`user-identity\0${accountId}\0${userId}`, () => {
      const row = this.#get('SELECT arn, name, path FROM iam_users WHERE id = ? AND account_id = ?', userId, accountId);
      return row ? { arn: String(row.arn), userName: String(row.name), path: String(row.path) } : undefined;
    });
  }

  async listUsers(accountId: string, pathPrefix?: string): Promise<readonly UserRecord[]> {
    return this.#read(() => this.#listByPath('iam_users', accountId, pathPrefix).map((r) => this.#userRecord(r)));
  }

  #listByPath(table: string, accountId: string, pathPrefix: string | undefined): Row[] {
    const rows = this.#all(`SELECT * FROM ${table} WHERE account_id = ? ORDER BY name_key`, accountId);
    return pathPrefix === undefined ? rows : rows.filter((r) => String(r.path).startsWith(pathPrefix));
  }

  async updateUser(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<UserRecord> {
    return this.#write(() => {
      const row = this.#requireEntity(accountId, { kind: 'user', name });
      const newName = changes.newName ?? String(row.name);
      const newPath = changes.newPath ?? String(row.path);
      if (nameKey(newName) !== String(row.name_key) && this.#nameTaken('iam_users', accountId, newName)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'user', name: newName });
      }
      this.#run(
        'UPDATE iam_users SET name = ?, name_key = ?, path = ?, arn = ? WHERE id = ?',
        newName,
        nameKey(newName),
        newPath,
        this.#arn(accountId, 'user', newPath, newName),
        String(row.id),
      );
      this.#bump(accountId);
      return this.#userRecord(this.#get('SELECT * FROM iam_users WHERE id = ?', String(row.id))!);
    });
  }

  async deleteUser(accountId: string, name: string): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, { kind: 'user', name }).id);
      if (this.#exists('SELECT 1 AS x FROM access_keys WHERE user_id = ?', id)) throw conflict('access-keys');
      if (this.#exists('SELECT 1 AS x FROM iam_mfa_devices WHERE account_id = ? AND user_id = ?', accountId, id)) throw conflict('mfa-devices');
      if (this.#exists('SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = ?', id)) throw conflict('inline-policies');
      if (this.#exists('SELECT 1 AS x FROM iam_attachments WHERE owner_id = ?', id)) throw conflict('attached-policies');
      if (this.#exists('SELECT 1 AS x FROM iam_group_members WHERE user_id = ?', id)) throw conflict('group-memberships');
      this.#run('DELETE FROM iam_tags WHERE resource_id = ?', id);
      this.#run('DELETE FROM iam_users WHERE id = ?', id);
      this.#bump(accountId);
    });
  }

  #exists(sql: string, ...params: Param[]): boolean {
    return this.#get(sql, ...params) !== undefined;
  }

  // ── groups

  async createGroup(group: NewGroup): Promise<GroupRecord> {
    return this.#write(() => {
      if (this.#nameTaken('iam_groups', group.accountId, group.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'group', name: group.name });
      this.#checkAccountQuota('iam_groups', group.accountId, group.maxPerAccount, 'GroupsPerAccount');
      this.#run(
        'INSERT INTO iam_groups (id, account_id, name, name_key, path, arn, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        group.id,
        group.accountId,
        group.name,
        nameKey(group.name),
        group.path,
        this.#arn(group.accountId, 'group', group.path, group.name),
        iso(group.createdAt),
      );
      this.#bump(group.accountId);
      return toGroup(this.#get('SELECT * FROM iam_groups WHERE id = ?', group.id)!);
    });
  }

  async getGroup(accountId: string, name: string): Promise<GroupRecord | undefined> {
    const row = this.#findEntity(accountId, { kind: 'group', name });
    return row ? toGroup(row) : undefined;
  }

  async getGroupById(groupId: string): Promise<GroupRecord | undefined> {
    const row = this.#get('SELECT * FROM iam_groups WHERE id = ?', groupId);
    return row ? toGroup(row) : undefined;
  }

  async listGroups(accountId: string, pathPrefix?: string): Promise<readonly GroupRecord[]> {
    return this.#listByPath('iam_groups', accountId, pathPrefix).map(toGroup);
  }

  async updateGroup(accountId: string, name: string, changes: { readonly newName?: string; readonly newPath?: string }): Promise<GroupRecord> {
    return this.#write(() => {
      const row = this.#requireEntity(accountId, { kind: 'group', name });
      const newName = changes.newName ?? String(row.name);
      const newPath = changes.newPath ?? String(row.path);
      if (nameKey(newName) !== String(row.name_key) && this.#nameTaken('iam_groups', accountId, newName)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'group', name: newName });
      }
      this.#run(
        'UPDATE iam_groups SET name = ?, name_key = ?, path = ?, arn = ? WHERE id = ?',
        newName,
        nameKey(newName),
        newPath,
        this.#arn(accountId, 'group', newPath, newName),
        String(row.id),
      );
      this.#bump(accountId);
      return toGroup(this.#get('SELECT * FROM iam_groups WHERE id = ?', String(row.id))!);
    });
  }

  async deleteGroup(accountId: string, name: string): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, { kind: 'group', name }).id);
      if (this.#exists('SELECT 1 AS x FROM iam_group_members WHERE group_id = ?', id)) throw conflict('group-members');
      if (this.#exists('SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = ?', id)) throw conflict('inline-policies');
      if (this.#exists('SELECT 1 AS x FROM iam_attachments WHERE owner_id = ?', id)) throw conflict('attached-policies');
      this.#run('DELETE FROM iam_groups WHERE id = ?', id);
      this.#bump(accountId);
    });
  }

  async addUserToGroup(accountId: string, groupName: string, userName: string, maxGroupsPerUser: number): Promise<void> {
    this.#write(() => {
      const userId = String(this.#requireEntity(accountId, { kind: 'user', name: userName }).id);
      const groupId = String(this.#requireEntity(accountId, { kind: 'group', name: groupName }).id);
      if (this.#exists('SELECT 1 AS x FROM iam_group_members WHERE group_id = ? AND user_id = ?', groupId, userId)) return;
      const count = Number(this.#get('SELECT COUNT(*) AS n FROM iam_group_members WHERE user_id = ?', userId)?.n ?? 0);
      if (count >= maxGroupsPerUser) throw new StoreError({ code: 'LimitExceeded', quota: 'GroupsPerUser', limit: maxGroupsPerUser });
      const seq = Number(this.#get('SELECT COALESCE(MAX(seq), 0) AS s FROM iam_group_members WHERE user_id = ?', userId)?.s ?? 0) + 1;
      this.#run('INSERT INTO iam_group_members (group_id, user_id, seq) VALUES (?, ?, ?)', groupId, userId, seq);
      this.#bump(accountId);
    });
  }

  async removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<void> {
    this.#write(() => {
      const userId = String(this.#requireEntity(accountId, { kind: 'user', name: userName }).id);
      const groupId = String(this.#requireEntity(accountId, { kind: 'group', name: groupName }).id);
      if (this.#run('DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?', groupId, userId) > 0) this.#bump(accountId);
    });
  }

  async listGroupMembers(accountId: string, groupName: string): Promise<{ readonly group: GroupRecord; readonly users: readonly UserRecord[] }> {
    return this.#read(() => {
      const group = this.#requireEntity(accountId, { kind: 'group', name: groupName });
      const users = this.#all(
        'SELECT u.* FROM iam_users u JOIN iam_group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name_key',
        String(group.id),
      ).map((r) => this.#userRecord(r));
      return { group: toGroup(group), users };
    });
  }

  async listGroupsForUser(accountId: string, userName: string): Promise<readonly GroupRecord[]> {
    return this.#read(() => {
      const user = this.#requireEntity(accountId, { kind: 'user', name: userName });
      return this.#all('SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key', String(user.id)).map(toGroup);
    });
  }

  // ── roles

  async createRole(role: NewRole): Promise<RoleRecord> {
    return this.#write(() => {
      if (this.#nameTaken('iam_roles', role.accountId, role.name)) throw new StoreError({ code: 'EntityAlreadyExists', entity: 'role', name: role.name });
      this.#checkAccountQuota('iam_roles', role.accountId, role.maxPerAccount, 'RolesPerAccount');
      if (role.permissionsBoundary) this.#requireBoundaryPolicy(role.accountId, role.permissionsBoundary);
      this.#run(
        `INSERT INTO iam_roles (id, account_id, name, name_key, path, arn, created_at, trust_policy, trust_principal_ids, description,
           max_session_duration, boundary_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        role.id,
        role.accountId,
        role.name,
        nameKey(role.name),
        role.path,
        this.#arn(role.accountId, 'role', role.path, role.name),
        iso(role.createdAt),
        role.assumeRolePolicyDocument,
        JSON.stringify(role.trustPrincipalIds),
        role.description ?? null,
        role.maxSessionDuration,
        role.permissionsBoundary?.arn ?? null,
      );
      this.#insertTags(role.id, role.tags, true);
      this.#bump(role.accountId);
      return this.#roleRecord(this.#get('SELECT * FROM iam_roles WHERE id = ?', role.id)!);
    });
  }

  #roleRecord(row: Row): RoleRecord {
    const description = optionalText(row.description);
    const boundary = optionalText(row.boundary_arn);
    const lastUsedAt = optionalText(row.last_used_at);
    const lastUsedRegion = optionalText(row.last_used_region);
    return {
      id: String(row.id),
      accountId: String(row.account_id),
      name: String(row.name),
      path: String(row.path),
      arn: String(row.arn),
      createdAt: new Date(String(row.created_at)),
      assumeRolePolicyDocument: String(row.trust_policy),
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration: Number(row.max_session_duration),
      ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      ...(lastUsedAt !== undefined ? { lastUsedAt: new Date(lastUsedAt) } : {}),
      ...(lastUsedRegion !== undefined ? { lastUsedRegion } : {}),
      tags: this.#tags(String(row.id)),
      trustPrincipalIds: JSON.parse(String(row.trust_principal_ids)) as Record<string, string>,
    };
  }

  async getRole(accountId: string, name: string): Promise<RoleRecord | undefined> {
    return this.#cache.get(roleCacheKey(accountId, name), () =>
      this.#read(() => {
        const row = this.#findEntity(accountId, { kind: 'role', name });
        return row ? this.#roleRecord(row) : undefined;
      }),
    );
  }

  async getRoleById(roleId: string): Promise<RoleRecord | undefined> {
    return this.#cache.get(roleIdCacheKey(roleId), () =>
      this.#read(() => {
        const row = this.#get('SELECT * FROM iam_roles WHERE id = ?', roleId);
        return row ? this.#roleRecord(row) : undefined;
      }),
    );
  }

  async listRoles(accountId: string, pathPrefix?: string): Promise<readonly RoleRecord[]> {
    return this.#read(() => this.#listByPath('iam_roles', accountId, pathPrefix).map((r) => this.#roleRecord(r)));
  }

  async updateRole(accountId: string, name: string, changes: { readonly description?: string; readonly maxSessionDuration?: number }): Promise<RoleRecord> {
    return this.#write(() => {
      const row = this.#requireEntity(accountId, { kind: 'role', name });
      const id = String(row.id);
      if (changes.description !== undefined) this.#run('UPDATE iam_roles SET description = ? WHERE id = ?', changes.description, id);
      if (changes.maxSessionDuration !== undefined) this.#run('UPDATE iam_roles SET max_session_duration = ? WHERE id = ?', changes.maxSessionDuration, id);
      return this.#roleRecord(this.#get('SELECT * FROM iam_roles WHERE id = ?', id)!);
    });
  }

  async updateAssumeRolePolicy(accountId: string, name: string, document: string, trustPrincipalIds: Readonly<Record<string, string>>): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, { kind: 'role', name }).id);
      this.#run('UPDATE iam_roles SET trust_policy = ?, trust_principal_ids = ? WHERE id = ?', document, JSON.stringify(trustPrincipalIds), id);
      this.#bump(accountId);
    });
  }

  async deleteRole(accountId: string, name: string): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, { kind: 'role', name }).id);
      if (this.#exists('SELECT 1 AS x FROM iam_attachments WHERE owner_id = ?', id)) throw conflict('attached-policies');
      if (this.#exists('SELECT 1 AS x FROM iam_inline_policies WHERE owner_id = ?', id)) throw conflict('inline-policies');
      this.#run('DELETE FROM iam_tags WHERE resource_id = ?', id);
      this.#run('DELETE FROM iam_roles WHERE id = ?', id);
      this.#bump(accountId);
    });
  }

  async recordRoleUse(roleId: string, at: Date, region: string): Promise<void> {
    // As for access keys: only the role's own cached records change (RoleLastUsed).
    const role = this.#get('SELECT account_id, name FROM iam_roles WHERE id = ?', roleId);
    this.#statement('UPDATE iam_roles SET last_used_at = ?, last_used_region = ? WHERE id = ?').run(iso(at), region, roleId);
    this.#cache.delete(roleIdCacheKey(roleId));
    if (role) this.#cache.delete(roleCacheKey(String(role.account_id), String(role.name)));
  }

  async putPermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }, boundary: PolicyRef): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, entity).id);
      this.#requireBoundaryPolicy(accountId, boundary);
      this.#run(`UPDATE ${KIND_TABLE[entity.kind]} SET boundary_arn = ? WHERE id = ?`, boundary.arn, id);
      this.#bump(accountId);
    });
  }

  async deletePermissionsBoundary(accountId: string, entity: EntityName & { readonly kind: 'user' | 'role' }): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, entity).id);
      this.#run(`UPDATE ${KIND_TABLE[entity.kind]} SET boundary_arn = NULL WHERE id = ?`, id);
      this.#bump(accountId);
    });
  }

  // ── inline policies

  async putInlinePolicy(accountId: string, owner: EntityName, policyName: string, document: string, size: number, maxAggregateSize: number): Promise<void> {
    this.#write(() => {
      const entity = this.#requireEntity(accountId, owner);
      const id = String(entity.id);
      const others = Number(this.#get('SELECT COALESCE(SUM(size), 0) AS s FROM iam_inline_policies WHERE owner_id = ? AND name <> ?', id, policyName)?.s ?? 0);
      if (others + size > maxAggregateSize) {
        throw new StoreError({ code: 'LimitExceeded', quota: 'InlinePolicySize', limit: maxAggregateSize, owner: { kind: owner.kind, name: String(entity.name) } });
      }
      const changed = this.#run('UPDATE iam_inline_policies SET document = ?, size = ? WHERE owner_id = ? AND name = ?', document, size, id, policyName);
      if (changed === 0) {
        this.#run(
          'INSERT INTO iam_inline_policies (owner_id, owner_kind, name, document, size, seq) VALUES (?, ?, ?, ?, ?, ?)',
          id,
          owner.kind,
          policyName,
          document,
          size,
          this.#nextSeq('iam_inline_policies', 'owner_id', id),
        );
      }
      this.#bump(accountId);
    });
  }

  async getInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<{ readonly ownerName: string; readonly policy: InlinePolicyRecord }> {
    return this.#read(() => {
      const entity = this.#requireEntity(accountId, owner);
      const row = this.#get('SELECT name, document FROM iam_inline_policies WHERE owner_id = ? AND name = ?', String(entity.id), policyName);
      if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: 'inline-policy', owner: owner.kind, name: policyName });
      return { ownerName: String(entity.name), policy: { name: String(row.name), document: String(row.document) } };
    });
  }

  async listInlinePolicies(accountId: string, owner: EntityName): Promise<readonly string[]> {
    return this.#read(() => {
      const entity = this.#requireEntity(accountId, owner);
      return this.#inline(String(entity.id)).map((p) => p.name);
    });
  }

  #inline(ownerId: string): InlinePolicyRecord[] {
    return this.#all('SELECT name, document FROM iam_inline_policies WHERE owner_id = ? ORDER BY name', ownerId).map((r) => ({
      name: String(r.name),
      document: String(r.document),
    }));
  }

  async deleteInlinePolicy(accountId: string, owner: EntityName, policyName: string): Promise<void> {
    this.#write(() => {
      const entity = this.#requireEntity(accountId, owner);
      if (this.#run('DELETE FROM iam_inline_policies WHERE owner_id = ? AND name = ?', String(entity.id), policyName) === 0) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'inline-policy', owner: owner.kind, name: policyName });
      }
      this.#bump(accountId);
    });
  }

  // ── managed policies

  async createPolicy(policy: NewManagedPolicy): Promise<ManagedPolicyRecord> {
    return this.#write(() => {
      if (this.#nameTaken('iam_managed_policies', policy.accountId, policy.name)) {
        throw new StoreError({ code: 'EntityAlreadyExists', entity: 'policy', name: policy.name });
      }
      this.#checkAccountQuota('iam_managed_policies', policy.accountId, policy.maxPerAccount, 'PoliciesPerAccount');
      const arn = this.#arn(policy.accountId, 'policy', policy.path, policy.name);
      const at = iso(policy.createdAt);
      this.#run(
        `INSERT INTO iam_managed_policies (id, account_id, name, name_key, path, arn, description, default_version_id, next_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?)`,
        policy.id,
        policy.accountId,
        policy.name,
        nameKey(policy.name),
        policy.path,
        arn,
        policy.description ?? null,
        at,
        at,
      );
      this.#run('INSERT INTO iam_policy_versions (policy_id, version_id, version_number, document, created_at) VALUES (?, ?, 1, ?, ?)', policy.id, 'v1', policy.document, at);
      this.#insertTags(policy.id, policy.tags, false);
      this.#bump(policy.accountId);
      return this.#policyRecord(this.#get('SELECT * FROM iam_managed_policies WHERE id = ?', policy.id)!);
    });
  }

  #policyRecord(row: Row, usage?: PolicyUsage): ManagedPolicyRecord {
    const counts = usage ?? this.#usage(String(row.account_id), String(row.arn));
    const description = optionalText(row.description);
    return {
      id: String(row.id),
      accountId: String(row.account_id),
      name: String(row.name),
      path: String(row.path),
      arn: String(row.arn),
      ...(description !== undefined ? { description } : {}),
      defaultVersionId: String(row.default_version_id),
      createdAt: new Date(String(row.created_at)),
      updatedAt: new Date(String(row.updated_at)),
      attachmentCount: counts.attachmentCount,
      permissionsBoundaryUsageCount: counts.permissionsBoundaryUsageCount,
      tags: this.#tags(String(row.id)),
    };
  }

  #usage(accountId: string, arn: string): PolicyUsage {
    const attachments = Number(this.#get('SELECT COUNT(*) AS n FROM iam_attachments WHERE account_id = ? AND policy_arn = ?', accountId, arn)?.n ?? 0);
    const boundaries =
      Number(this.#get('SELECT COUNT(*) AS n FROM iam_users WHERE account_id = ? AND boundary_arn = ?', accountId, arn)?.n ?? 0) +
      Number(this.#get('SELECT COUNT(*) AS n FROM iam_roles WHERE account_id = ? AND boundary_arn = ?', accountId, arn)?.n ?? 0);
    return { attachmentCount: attachments, permissionsBoundaryUsageCount: boundaries };
  }

  #usageByArn(accountId: string): Map<string, PolicyUsage> {
    const usage = new Map<string, { attachmentCount: number; permissionsBoundaryUsageCount: number }>();
    const entry = (arn: string) => {
      let e = usage.get(arn);
      if (!e) usage.set(arn, (e = { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }));
      return e;
    };
    for (const r of this.#all('SELECT policy_arn, COUNT(*) AS n FROM iam_attachments WHERE account_id = ? GROUP BY policy_arn', accountId)) {
      entry(String(r.policy_arn)).attachmentCount += Number(r.n);
    }
    for (const table of ['iam_users', 'iam_roles']) {
      for (const r of this.#all(`SELECT boundary_arn, COUNT(*) AS n FROM ${table} WHERE account_id = ? AND boundary_arn IS NOT NULL GROUP BY boundary_arn`, accountId)) {
        entry(String(r.boundary_arn)).permissionsBoundaryUsageCount += Number(r.n);
      }
    }
    return usage;
  }

  async getPolicy(policyArn: string): Promise<ManagedPolicyRecord | undefined> {
    return this.#read(() => {
      const row = this.#get('SELECT * FROM iam_managed_policies WHERE arn = ?', policyArn);
      return row ? this.#policyRecord(row) : undefined;
    });
  }

  async listPolicies(accountId: string, pathPrefix?: string): Promise<readonly ManagedPolicyRecord[]> {
    return this.#read(() => {
      const usage = this.#usageByArn(accountId);
      return this.#listByPath('iam_managed_policies', accountId, pathPrefix).map((r) =>
        this.#policyRecord(r, usage.get(String(r.arn)) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }),
      );
    });
  }

  #requirePolicy(policyArn: string): Row {
    const row = this.#get('SELECT * FROM iam_managed_policies WHERE arn = ?', policyArn);
    if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: 'policy', arn: policyArn });
    return row;
  }

  async deletePolicy(policyArn: string): Promise<void> {
    this.#write(() => {
      const row = this.#requirePolicy(policyArn);
      const id = String(row.id);
      const usage = this.#usage(String(row.account_id), policyArn);
      if (usage.attachmentCount > 0 || usage.permissionsBoundaryUsageCount > 0) throw conflict('policy-in-use');
      if (Number(this.#get('SELECT COUNT(*) AS n FROM iam_policy_versions WHERE policy_id = ?', id)?.n ?? 0) > 1) throw conflict('policy-versions');
      this.#run('DELETE FROM iam_policy_versions WHERE policy_id = ?', id);
      this.#run('DELETE FROM iam_tags WHERE resource_id = ?', id);
      this.#run('DELETE FROM iam_managed_policies WHERE id = ?', id);
      this.#bump(String(row.account_id));
    });
  }

  async createPolicyVersion(policyArn: string, document: string, setAsDefault: boolean, at: Date, maxVersions: number): Promise<PolicyVersionRecord> {
    return this.#write(() => {
      const row = this.#requirePolicy(policyArn);
      const id = String(row.id);
      if (Number(this.#get('SELECT COUNT(*) AS n FROM iam_policy_versions WHERE policy_id = ?', id)?.n ?? 0) >= maxVersions) {
        throw new StoreError({ code: 'LimitExceeded', quota: 'PolicyVersions', limit: maxVersions });
      }
      const number = Number(row.next_version);
      const versionId = `v${number}`;
      this.#run('INSERT INTO iam_policy_versions (policy_id, version_id, version_number, document, created_at) VALUES (?, ?, ?, ?, ?)', id, versionId, number, document, iso(at));
      this.#run('UPDATE iam_managed_policies SET next_version = ?, updated_at = ? WHERE id = ?', number + 1, iso(at), id);
      if (setAsDefault) {
        this.#run('UPDATE iam_managed_policies SET default_version_id = ? WHERE id = ?', versionId, id);
        this.#bump(String(row.account_id));
      }
      return { versionId, document, isDefaultVersion: setAsDefault, createdAt: new Date(iso(at)) };
    });
  }

  async getPolicyVersion(policyArn: string, versionId: string): Promise<PolicyVersionRecord | undefined> {
    const row = this.#get(
      `SELECT v.*, p.default_version_id FROM iam_policy_versions v JOIN iam_managed_policies p ON p.id = v.policy_id
       WHERE p.arn = ? AND v.version_id = ?`,
      policyArn,
      versionId,
    );
    return row ? toVersion(row) : undefined;
  }

  async listPolicyVersions(policyArn: string): Promise<readonly PolicyVersionRecord[] | undefined> {
    return this.#read(() => {
      const policy = this.#get('SELECT id FROM iam_managed_policies WHERE arn = ?', policyArn);
      if (!policy) return undefined;
      return this.#versions(String(policy.id));
    });
  }

  #versions(policyId: string): PolicyVersionRecord[] {
    return this.#all(
      `SELECT v.*, p.default_version_id FROM iam_policy_versions v JOIN iam_managed_policies p ON p.id = v.policy_id
       WHERE v.policy_id = ? ORDER BY v.version_number DESC`,
      policyId,
    ).map(toVersion);
  }

  async setDefaultPolicyVersion(policyArn: string, versionId: string, _at: Date): Promise<void> {
    this.#write(() => {
      const row = this.#get('SELECT * FROM iam_managed_policies WHERE arn = ?', policyArn);
      if (!row || !this.#exists('SELECT 1 AS x FROM iam_policy_versions WHERE policy_id = ? AND version_id = ?', String(row.id), versionId)) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'policy-version', arn: policyArn, versionId });
      }
      this.#run('UPDATE iam_managed_policies SET default_version_id = ? WHERE id = ?', versionId, String(row.id));
      this.#bump(String(row.account_id));
    });
  }

  async deletePolicyVersion(policyArn: string, versionId: string): Promise<void> {
    this.#write(() => {
      const row = this.#get('SELECT * FROM iam_managed_policies WHERE arn = ?', policyArn);
      if (!row || !this.#exists('SELECT 1 AS x FROM iam_policy_versions WHERE policy_id = ? AND version_id = ?', String(row.id), versionId)) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'policy-version', arn: policyArn, versionId });
      }
      if (String(row.default_version_id) === versionId) throw conflict('default-version');
      this.#run('DELETE FROM iam_policy_versions WHERE policy_id = ? AND version_id = ?', String(row.id), versionId);
    });
  }

  // ── attachments

  async attachPolicy(accountId: string, entity: EntityName, policy: PolicyRef, maxAttachments: number): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, entity).id);
      if (!policy.awsManaged && !this.#exists('SELECT 1 AS x FROM iam_managed_policies WHERE arn = ? AND account_id = ?', policy.arn, accountId)) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'policy', arn: policy.arn });
      }
      if (this.#exists('SELECT 1 AS x FROM iam_attachments WHERE owner_id = ? AND policy_arn = ?', id, policy.arn)) return;
      const count = Number(this.#get('SELECT COUNT(*) AS n FROM iam_attachments WHERE owner_id = ?', id)?.n ?? 0);
      if (count >= maxAttachments) {
        const quota: Quota = entity.kind === 'user' ? 'PoliciesPerUser' : entity.kind === 'group' ? 'PoliciesPerGroup' : 'PoliciesPerRole';
        throw new StoreError({ code: 'LimitExceeded', quota, limit: maxAttachments });
      }
      this.#run(
        'INSERT INTO iam_attachments (owner_id, owner_kind, account_id, policy_arn, seq) VALUES (?, ?, ?, ?, ?)',
        id,
        entity.kind,
        accountId,
        policy.arn,
        this.#nextSeq('iam_attachments', 'owner_id', id),
      );
      this.#bump(accountId);
    });
  }

  async detachPolicy(accountId: string, entity: EntityName, policyArn: string): Promise<void> {
    this.#write(() => {
      const id = String(this.#requireEntity(accountId, entity).id);
      if (this.#run('DELETE FROM iam_attachments WHERE owner_id = ? AND policy_arn = ?', id, policyArn) === 0) {
        throw new StoreError({ code: 'NoSuchEntity', entity: 'attachment', arn: policyArn });
      }
      this.#bump(accountId);
    });
  }

  async listAttachedPolicies(accountId: string, entity: EntityName): Promise<readonly AttachedPolicyRecord[]> {
    return this.#read(() => this.#attached(String(this.#requireEntity(accountId, entity).id)));
  }

  #attached(ownerId: string): AttachedPolicyRecord[] {
    return this.#all('SELECT policy_arn FROM iam_attachments WHERE owner_id = ? ORDER BY seq', ownerId).map((r) => {
      const arn = String(r.policy_arn);
      return { policyArn: arn, policyName: arn.slice(arn.lastIndexOf('/') + 1) };
    });
  }

  async listEntitiesForPolicy(accountId: string, policyArn: string): Promise<PolicyEntities> {
    return this.#read(() => {
      const of = (kind: PrincipalKind) =>
        this.#all(
          `SELECT e.id, e.name FROM ${KIND_TABLE[kind]} e JOIN iam_attachments a ON a.owner_id = e.id
           WHERE a.account_id = ? AND a.policy_arn = ? ORDER BY e.name_key`,
          accountId,
          policyArn,
        ).map((r) => ({ id: String(r.id), name: String(r.name) }));
      return { users: of('user'), groups: of('group'), roles: of('role') };
    });
  }

  async getPolicyUsage(accountId: string, policyArns: readonly string[]): Promise<ReadonlyMap<string, PolicyUsage>> {
    return this.#read(() => {
      const all = this.#usageByArn(accountId);
      return new Map(policyArns.map((arn) => [arn, all.get(arn) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }]));
    });
  }

  // ── tags

  #tagTargetId(accountId: string, target: TagTarget): string {
    if (target.kind === 'policy') {
      const row = this.#get('SELECT id FROM iam_managed_policies WHERE arn = ? AND account_id = ?', target.arn, accountId);
      if (!row) throw new StoreError({ code: 'NoSuchEntity', entity: 'policy', arn: target.arn });
      return String(row.id);
    }
    return String(this.#requireEntity(accountId, target).id);
  }

  async tagResource(accountId: string, target: TagTarget, tags: readonly Tag[], maxTags: number): Promise<void> {
    this.#write(() => {
      const id = this.#tagTargetId(accountId, target);
      this.#insertTags(id, tags, target.kind !== 'policy');
      const count = Number(this.#get('SELECT COUNT(*) AS n FROM iam_tags WHERE resource_id = ?', id)?.n ?? 0);
      if (count > maxTags) throw new StoreError({ code: 'LimitExceeded', quota: 'TagsPerResource', limit: maxTags });
      this.#bump(accountId);
    });
  }

  async untagResource(accountId: string, target: TagTarget, keys: readonly string[]): Promise<void> {
    this.#write(() => {
      const id = this.#tagTargetId(accountId, target);
      for (const key of keys) this.#run('DELETE FROM iam_tags WHERE resource_id = ? AND key_norm = ?', id, target.kind === 'policy' ? key : key.toLowerCase());
      this.#bump(accountId);
    });
  }

  async listResourceTags(accountId: string, target: TagTarget): Promise<readonly Tag[]> {
    return this.#read(() => this.#tags(this.#tagTargetId(accountId, target)));
  }

  // ── GetAccountAuthorizationDetails

  async getAuthorizationDetails(accountId: string): Promise<AuthorizationDetails> {
    return this.#read(() => {
      const users: UserDetail[] = this.#all('SELECT * FROM iam_users WHERE account_id = ? ORDER BY name_key', accountId).map((row) => {
        const id = String(row.id);
        return {
          user: this.#userRecord(row),
          inline: this.#inline(id),
          attached: this.#attached(id),
          groupNames: this.#all('SELECT g.name FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key', id).map((r) =>
            String(r.name),
          ),
        };
      });
      const groups: GroupDetail[] = this.#all('SELECT * FROM iam_groups WHERE account_id = ? ORDER BY name_key', accountId).map((row) => ({
        group: toGroup(row),
        inline: this.#inline(String(row.id)),
        attached: this.#attached(String(row.id)),
      }));
      const roles: RoleDetail[] = this.#all('SELECT * FROM iam_roles WHERE account_id = ? ORDER BY name_key', accountId).map((row) => ({
        role: this.#roleRecord(row),
        inline: this.#inline(String(row.id)),
        attached: this.#attached(String(row.id)),
      }));
      const usage = this.#usageByArn(accountId);
      const policies: ManagedPolicyDetail[] = this.#all('SELECT * FROM iam_managed_policies WHERE account_id = ? ORDER BY name_key', accountId).map((row) => ({
        policy: this.#policyRecord(row, usage.get(String(row.arn)) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }),
        versions: this.#versions(String(row.id)),
      }));
      return { users, groups, roles, policies };
    });
  }
}

// ── row mapping

function nameKey(name: string): string {
  return name.toLowerCase();
}

function iso(date: Date): string {
  return date.toISOString();
}

function isoOrNull(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function ownerParams(accountId: string, userId: string | null): Param[] {
  return userId === null ? [accountId] : [accountId, userId];
}

function conflict(reason: Parameters<typeof conflictFailure>[0]): StoreError {
  return new StoreError(conflictFailure(reason));
}

function conflictFailure(reason: 'access-keys' | 'mfa-devices' | 'inline-policies' | 'attached-policies' | 'group-memberships' | 'group-members' | 'policy-in-use' | 'policy-versions' | 'default-version') {
  return { code: 'DeleteConflict' as const, reason };
}

function toOrganization(row: Row): OrganizationRecord {
  return {
    id: String(row.id),
    arn: String(row.arn),
    rootId: String(row.root_id),
    managementAccountId: String(row.management_account_id),
    managementAccountEmail: String(row.management_account_email),
    featureSet: 'ALL',
    createdAt: new Date(String(row.created_at)),
  };
}

function toAccount(row: Row): AccountRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    email: String(row.email),
    state: String(row.state) as AccountRecord['state'],
    joinedMethod: String(row.joined_method) as AccountRecord['joinedMethod'],
    joinedAt: new Date(String(row.joined_at)),
  };
}

function toCreateAccountStatus(row: Row): CreateAccountStatusRecord {
  const completedAt = optionalText(row.completed_at);
  const accountId = optionalText(row.account_id);
  const failureReason = optionalText(row.failure_reason);
  return {
    id: String(row.id),
    accountName: String(row.account_name),
    email: String(row.email),
    state: String(row.state) as CreateAccountStatusRecord['state'],
    requestedAt: new Date(String(row.requested_at)),
    ...(completedAt !== undefined ? { completedAt: new Date(completedAt) } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
  };
}

function toAccessKey(row: Row): AccessKeyRecord {
  const userId = optionalText(row.user_id);
  const lastUsedAt = optionalText(row.last_used_at);
  const lastUsedService = optionalText(row.last_used_service);
  const lastUsedRegion = optionalText(row.last_used_region);
  return {
    accessKeyId: String(row.access_key_id),
    accountId: String(row.account_id),
    ...(userId !== undefined ? { userId } : {}),
    status: String(row.status) as AccessKeyRecord['status'],
    secretCiphertext: String(row.secret_ciphertext),
    createdAt: new Date(String(row.created_at)),
    ...(lastUsedAt !== undefined ? { lastUsedAt: new Date(lastUsedAt) } : {}),
    ...(lastUsedService !== undefined ? { lastUsedService } : {}),
    ...(lastUsedRegion !== undefined ? { lastUsedRegion } : {}),
  };
}

function toGroup(row: Row): GroupRecord {
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    name: String(row.name),
    path: String(row.path),
    arn: String(row.arn),
    createdAt: new Date(String(row.created_at)),
  };
}

function toVersion(row: Row): PolicyVersionRecord {
  return {
    versionId: String(row.version_id),
    document: String(row.document),
    isDefaultVersion: String(row.version_id) === String(row.default_version_id),
    createdAt: new Date(String(row.created_at)),
  };
}

// Read-cache keys of the records usage bookkeeping changes (recordAccessKeyUse, recordRoleUse).
function accessKeyCacheKey(accessKeyId: string): string {
  return `access-key\0${accessKeyId}`;
}

function roleCacheKey(accountId: string, name: string): string {
  return `role\0${accountId}\0${nameKey(name)}`;
}

function roleIdCacheKey(roleId: string): string {
  return `role-id\0${roleId}`;
}
