import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresSettings } from '../../src/config/databaseConfig.ts';

/** The server the PostgreSQL tests use (trust auth on 127.0.0.1 in CI); GIFTBOT_TEST_PG_URL points elsewhere. */
export const PG_ADMIN_URL = process.env.GIFTBOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  settings: PostgresSettings;
  /** Drops the database (closing whatever is still connected). Safe to call twice. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file or test, named at random, dropped by `drop()` (call it in afterEach/afterAll). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `giftbot_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    settings: {
      url: url.toString(),
      poolMax: 5,
      connectTimeoutMs: 5_000,
      idleTimeoutMs: 10_000,
      statementTimeoutMs: 15_000,
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Runs one query on a database (tests look at what the store wrote without going through it). */
export async function queryDatabase(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}
