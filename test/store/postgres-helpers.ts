import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use; CI runs one, so an unreachable database fails the tests rather than skipping them. */
export const TEST_DATABASE_URL = process.env.OPEN_STS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  readonly name: string;
  /** TEST_DATABASE_URL with `schema=<name>` added. */
  readonly url: string;
  /** A statement as the test's administrator, in this schema. */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** A fresh, empty schema `s_<random>`, for one test's store; `drop()` removes it and all in it. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `s_${randomBytes(8).toString('hex')}`;
  await admin(`CREATE SCHEMA ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', name);
  return {
    name,
    url: url.toString(),
    query: (sql, params) => admin(`SET search_path TO ${name}; `, sql, params),
    drop: async () => {
      await admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

async function admin(sql: string, then?: string, params?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redacted(TEST_DATABASE_URL)} (${(error as Error).message || String(error)}). ` +
        'The PostgreSQL store tests need it: start PostgreSQL 15 there, or set OPEN_STS_TEST_DATABASE_URL.',
    );
  }
  try {
    if (then === undefined) return await client.query(sql);
    await client.query(sql);
    return await client.query(then, params);
  } finally {
    await client.end();
  }
}

function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
