import type { Migration } from './migrations.js';

/**
 * The PostgreSQL schema, versioned like the SQLite one (src/store/migrations.ts) and recorded in
 * its own `schema_migrations` table. Same tables and columns, in native types: TIMESTAMPTZ for
 * instants, BIGINT for counters, JSONB for the trust-principal map. Names are unique per account
 * case-insensitively through unique indexes on `lower(name)` (IAM names are ASCII, §5), so two
 * nodes racing to create `Alice` and `alice` cannot both commit. Never edit a released
 * migration; append a new one.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    statements: [
      `CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )`,
      `CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        arn TEXT NOT NULL,
        root_id TEXT NOT NULL,
        management_account_id TEXT NOT NULL,
        management_account_email TEXT NOT NULL,
        feature_set TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      )`,
      // A deployment has one organization: a second node's bootstrap cannot add another.
      `CREATE UNIQUE INDEX organizations_singleton ON organizations ((true))`,
      `CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        state TEXT NOT NULL,
        joined_method TEXT NOT NULL,
        joined_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE create_account_statuses (
        id TEXT PRIMARY KEY,
        account_name TEXT NOT NULL,
        email TEXT NOT NULL,
        state TEXT NOT NULL,
        requested_at TIMESTAMPTZ NOT NULL,
        completed_at TIMESTAMPTZ,
        account_id TEXT,
        failure_reason TEXT
      )`,
      `CREATE TABLE authz_generations (
        account_id TEXT PRIMARY KEY,
        generation BIGINT NOT NULL
      )`,
      `CREATE TABLE iam_users (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        arn TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        boundary_arn TEXT,
        password_last_used TIMESTAMPTZ
      )`,
      `CREATE UNIQUE INDEX iam_users_name ON iam_users (account_id, lower(name))`,
      `CREATE INDEX iam_users_boundary ON iam_users (account_id, boundary_arn) WHERE boundary_arn IS NOT NULL`,
      `CREATE TABLE iam_groups (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        arn TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE UNIQUE INDEX iam_groups_name ON iam_groups (account_id, lower(name))`,
      `CREATE TABLE iam_group_members (
        group_id TEXT NOT NULL REFERENCES iam_groups (id),
        user_id TEXT NOT NULL REFERENCES iam_users (id),
        seq INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id)
      )`,
      `CREATE INDEX iam_group_members_user ON iam_group_members (user_id)`,
      `CREATE TABLE iam_roles (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        arn TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        trust_policy TEXT NOT NULL,
        trust_principal_ids JSONB NOT NULL,
        description TEXT,
        max_session_duration INTEGER NOT NULL,
        boundary_arn TEXT,
        last_used_at TIMESTAMPTZ,
        last_used_region TEXT
      )`,
      `CREATE UNIQUE INDEX iam_roles_name ON iam_roles (account_id, lower(name))`,
      `CREATE INDEX iam_roles_boundary ON iam_roles (account_id, boundary_arn) WHERE boundary_arn IS NOT NULL`,
      `CREATE TABLE iam_managed_policies (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        description TEXT,
        default_version_id TEXT NOT NULL,
        next_version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE UNIQUE INDEX iam_managed_policies_name ON iam_managed_policies (account_id, lower(name))`,
      `CREATE TABLE iam_policy_versions (
        policy_id TEXT NOT NULL REFERENCES iam_managed_policies (id),
        version_id TEXT NOT NULL,
        version_number INTEGER NOT NULL,
        document TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (policy_id, version_id)
      )`,
      `CREATE TABLE iam_inline_policies (
        owner_id TEXT NOT NULL,
        owner_kind TEXT NOT NULL,
        name TEXT NOT NULL,
        document TEXT NOT NULL,
        size INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (owner_id, name)
      )`,
      `CREATE TABLE iam_attachments (
        owner_id TEXT NOT NULL,
        owner_kind TEXT NOT NULL,
        account_id TEXT NOT NULL,
        policy_arn TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (owner_id, policy_arn)
      )`,
      `CREATE INDEX iam_attachments_policy ON iam_attachments (account_id, policy_arn)`,
      `CREATE TABLE iam_tags (
        resource_id TEXT NOT NULL,
        key_norm TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        tag_value TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (resource_id, key_norm)
      )`,
      `CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        user_id TEXT REFERENCES iam_users (id),
        status TEXT NOT NULL,
        secret_ciphertext TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        last_used_at TIMESTAMPTZ,
        last_used_service TEXT,
        last_used_region TEXT
      )`,
      `CREATE INDEX access_keys_owner ON access_keys (account_id, user_id)`,
      `CREATE TABLE iam_mfa_devices (
        serial_number TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        seed_ciphertext TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        user_id TEXT,
        enabled_at TIMESTAMPTZ,
        last_used_step BIGINT
      )`,
      `CREATE INDEX iam_mfa_devices_account ON iam_mfa_devices (account_id, user_id)`,
    ],
  },
];
