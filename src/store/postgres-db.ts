import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Migration } from './migrations.js';

export type Row = Record<string, unknown>;

/** One connection's statements: the pool outside a transaction, or a client inside one. */
export interface Session {
  all(sql: string, ...params: unknown[]): Promise<Row[]>;
  get(sql: string, ...params: unknown[]): Promise<Row | undefined>;
  /** The number of rows the statement changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

export interface PgDbOptions {
  /** Tables live in this schema (created by `migrate()` if missing); default: the URL's search_path. */
  readonly schema?: string;
  /** Connections per node (default 10). */
  readonly maxConnections?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 8;

/**
 * The URL handed to `pg`, with the schema (the `schema` option, else a `schema` query
 * parameter) turned into `-c search_path=…` in the `options` startup parameter, so every pooled
 * connection resolves the tables there. Other query parameters (`sslmode`, `options`, …) pass
 * through to `pg` unchanged.
 */
export function resolveDatabaseUrl(url: string, schemaOption: string | undefined): { readonly connectionString: string; readonly schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the PostgreSQL URL must look like postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`the PostgreSQL URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const schema = schemaOption ?? (parsed.searchParams.get('schema') || undefined);
  if (!parsed.searchParams.has('schema') && schema === undefined) return { connectionString: url, schema };
  parsed.searchParams.delete('schema');
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`PostgreSQL schema ${JSON.stringify(schema)}: use letters, digits and _ (at most 63, not starting with a digit)`);
    const options = parsed.searchParams.get('options');
    parsed.searchParams.set('options', `${options ? `${options} ` : ''}-c search_path="${schema}"`);
  }
  return { connectionString: parsed.toString(), schema };
}

/**
 * The plumbing under PostgresStore: a `pg` pool, write transactions serialized per lock key
 * across every node, snapshot reads, and migrations under an advisory lock.
 *
 * Writes run in READ COMMITTED after `pg_advisory_xact_lock(key)`: once the lock is held every
 * later statement sees all that earlier holders committed, so a check (a quota, a name, a
 * DeleteConflict) and the write it guards cannot interleave with another node's. The lock is
 * released at COMMIT or ROLLBACK, and keys are namespaced by schema so deployments sharing a
 * database do not contend.
 */
export class PgDb {
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  #namespace: Promise<string> | undefined;
  #closed = false;

  constructor(url: string, options: PgDbOptions = {}) {
    const { connectionString, schema } = resolveDatabaseUrl(url, options.schema);
    this.#schema = schema;
    this.#pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: 10_000 });
    // An idle connection that dies (a database restart) is dropped and replaced on next use;
    // without a listener the pool's 'error' event would end the process.
    this.#pool.on('error', () => {});
  }

  /** Single statements outside a transaction (each is atomic on its own). */
  readonly pool: Session = sessionOf((sql, params) => this.#pool.query(sql, params));

  /** Runs `fn` in one transaction holding the advisory lock for `lockKey`; retried on serialization failure or deadlock. */
  async write<T>(lockKey: string, fn: (db: Session) => Promise<T>): Promise<T> {
    const lockId = await this.#lockId(lockKey);
    return this.#transaction('BEGIN', async (db) => {
      await db.run('SELECT pg_advisory_xact_lock($1::bigint)', lockId);
      return fn(db);
    });
  }

  /** Runs `fn` on one consistent snapshot (REPEATABLE READ, READ ONLY). */
  async read<T>(fn: (db: Session) => Promise<T>): Promise<T> {
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /**
   * Applies pending migrations in one transaction under a migration lock, so nodes starting
   * together apply each version once; the others wait and find nothing left to do.
   */
  async migrate(migrations: readonly Migration[]): Promise<void> {
    const lockId = await this.#lockId('schema-migrations');
    await this.#transaction('BEGIN', async (db) => {
      await db.run('SELECT pg_advisory_xact_lock($1::bigint)', lockId);
      // CREATE SCHEMA IF NOT EXISTS would still demand CREATE on the database; a schema made
      // beforehand by an administrator needs no such privilege.
      if (this.#schema !== undefined && !(await db.get('SELECT 1 AS x FROM pg_namespace WHERE nspname = $1', this.#schema))) {
        await db.run(`CREATE SCHEMA "${this.#schema}"`);
      }
      await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
      const applied = Number((await db.get('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations'))?.v ?? 0);
      for (const migration of migrations) {
        if (migration.version <= applied) continue;
        for (const statement of migration.statements) await db.run(statement);
        await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', migration.version, migration.name);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #transaction<T>(begin: string, fn: (db: Session) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await fn(sessionOf((sql, params) => client.query(sql, params)));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        if (broken === undefined && attempt < MAX_ATTEMPTS && RETRYABLE.has(String((error as { code?: unknown }).code))) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  /** 64 bits of SHA-256 over (schema, key): advisory locks are per database, tables per schema. */
  async #lockId(key: string): Promise<string> {
    const namespace = await (this.#namespace ??= this.#resolveNamespace());
    return createHash('sha256').update(`open-sts\0${namespace}\0${key}`).digest().readBigInt64BE(0).toString();
  }

  async #resolveNamespace(): Promise<string> {
    if (this.#schema !== undefined) return this.#schema;
    const row = await this.pool.get('SELECT current_schema() AS s');
    if (row?.s === null || row?.s === undefined) {
      this.#namespace = undefined;
      throw new Error('PostgreSQL: the search_path names no existing schema; create it, or add ?schema=<name> to the URL');
    }
    return String(row.s);
  }
}

function sessionOf(query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>): Session {
  return {
    all: async (sql, ...params) => (await query(sql, params)).rows as Row[],
    get: async (sql, ...params) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql, ...params) => (await query(sql, params)).rowCount ?? 0,
  };
}
