import pg from 'pg';
import type { PostgresSettings } from '../../config/databaseConfig.ts';
import { PG_MIGRATIONS } from './migrations.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** A pool or a client inside a transaction: both run queries. */
export type Queryable = pg.Pool | pg.PoolClient;

/** Any number fits in 64 bits here (epoch ms, ids, fences): read BIGINT and COUNT(*) as numbers, not strings. */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** Key of the advisory lock held while migrating, so processes starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 0x67_69_66_74; // "gift"

/** A bounded pool: at most poolMax connections, a bounded wait for one, idle ones closed, every statement bounded. */
export function createPool(settings: PostgresSettings, applicationName = 'giftbot'): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolMax,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    // Waiting on a row lock counts too; a transaction left open by a bug is ended by the server.
    lock_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: Math.max(settings.statementTimeoutMs * 2, 10_000),
    application_name: applicationName,
    types,
  });
  // An idle connection that dies (server restart) is dropped by the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Applies pending migrations under an advisory lock in one transaction; returns the versions applied. `migrations`
 * is for tests that build a database as an older version left it.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: readonly { version: number; name: string; sql: string }[] = PG_MIGRATIONS,
): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query('SELECT version FROM schema_migrations')).rows.map((row) => Number(row.version)),
    );
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      done.push(migration.version);
    }
    return done;
  });
}

/** Runs fn in a short READ COMMITTED transaction on one pooled connection; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** `$1, $2, …` from `start`. */
export function placeholders(count: number, start = 1): string {
  return Array.from({ length: count }, (_, i) => `$${start + i}`).join(', ');
}
