import { awsManagedPolicyDocument } from '../services/iam/aws-managed-policies.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { StoreError, isStoreError, type StoreFailure } from './errors.js';
export type { Store } from './store.js';

/**
 * The embedded store: a SQLite file (WAL mode, foreign keys on), or `:memory:` for tests. Call
 * `migrate()` before use. AWS managed policies attached to principals resolve from static data.
 */
export function openSqliteStore(file: string, options: { readonly partition?: string } = {}): Store {
  return new SqliteStore(file, { partition: options.partition ?? 'aws', awsManagedPolicy: awsManagedPolicyDocument });
}
