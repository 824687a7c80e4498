import { awsManagedPolicyDocument } from '../services/iam/aws-managed-policies.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres.js';
export { StoreError, isStoreError, type StoreFailure } from './errors.js';
export type { Store } from './store.js';

/**
 * The embedded store: a SQLite file (WAL mode, foreign keys on), or `:memory:` for tests. Call
 * `migrate()` before use. AWS managed policies attached to principals resolve from static data.
 */
export function openSqliteStore(file: string, options: { readonly partition?: string } = {}): Store {
  return new SqliteStore(file, { partition: options.partition ?? 'aws', awsManagedPolicy: awsManagedPolicyDocument });
}

/**
 * The shared store: PostgreSQL at `url` (`postgres://user:password@host:5432/database`), for
 * several nodes on one database. `schema` (or a `schema` query parameter of the URL) puts the
 * tables in that schema, created by `migrate()` if missing; without it they go where the URL's
 * search_path points (`public` by default). Call `migrate()` before use: nodes starting together
 * apply each migration once, under an advisory lock.
 */
export function openPostgresStore(url: string, options: { readonly partition?: string; readonly schema?: string } = {}): Store {
  return new PostgresStore(url, {
    partition: options.partition ?? 'aws',
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    awsManagedPolicy: awsManagedPolicyDocument,
  });
}
