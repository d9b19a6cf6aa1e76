import { DatabaseSync } from 'node:sqlite';
import type { PostgresSettings } from '../../config/databaseConfig.ts';
import { MIGRATIONS } from '../migrations.ts';
import { COPY_TABLES, NOT_COPIED, conflictClause, type CopyTable } from './copyTables.ts';
import { createPool, migrate, placeholders, type PoolClient } from './database.ts';

export interface TableReport {
  table: string;
  /** Rows in the SQLite file. */
  source: number;
  /** Rows in PostgreSQL before the copy (0 on a fresh target). */
  targetBefore: number;
  inserted: number;
  /** --merge: target rows the source's final result replaced (ledger) or a higher fence raised. */
  updated: number;
  /** --merge: source rows the target already had, kept as they were. */
  kept: number;
  /** Rows in PostgreSQL after the copy, checked before the commit (dry run: null). */
  targetAfter: number | null;
}

export interface MigrateReport {
  dryRun: boolean;
  merge: boolean;
  tables: TableReport[];
}

/** The copy was refused or failed; nothing was written to PostgreSQL. */
export class MigrateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateError';
  }
}

export interface MigrateOptions {
  sqlitePath: string;
  target: PostgresSettings;
  dryRun?: boolean;
  merge?: boolean;
  /** Test seam: runs inside the copy's transaction, after copying, before the counts are checked. */
  afterCopy?: (client: PoolClient) => Promise<void>;
}

const BATCH_ROWS = 500;

/**
 * Copies every table of a SQLite database into PostgreSQL in ONE transaction, checks every table's count before
 * committing, and rolls back on any difference or error. The SQLite file is opened read-only.
 */
export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<MigrateReport> {
  const dryRun = options.dryRun ?? false;
  const merge = options.merge ?? false;
  const source = openSource(options.sqlitePath);
  const pool = createPool(options.target, 'giftbot-migrate-to');
  try {
    const counts = COPY_TABLES.map((table) => ({
      table,
      source: Number(source.prepare(`SELECT COUNT(*) AS n FROM ${table.name}`).get()?.n ?? 0),
    }));
    if (dryRun) {
      // Read only: the target's schema is not created and nothing is locked.
      const client = await pool.connect();
      try {
        const before = await targetCounts(client, false);
        refuseNonEmpty(before, merge);
        return {
          dryRun,
          merge,
          tables: counts.map(({ table, source: n }) => ({
            table: table.name,
            source: n,
            targetBefore: before.get(table.name) ?? 0,
            inserted: 0,
            updated: 0,
            kept: 0,
            targetAfter: null,
          })),
        };
      } finally {
        client.release();
      }
    }
    await migrate(pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Nobody writes while we copy and count (a bot already running on the target waits).
      await client.query(`LOCK TABLE ${COPY_TABLES.map((t) => t.name).join(', ')} IN EXCLUSIVE MODE`);
      const before = await targetCounts(client, true);
      refuseNonEmpty(before, merge);
      const tables: TableReport[] = [];
      for (const { table, source: n } of counts) {
        const copied = await copyTable(source, client, table, merge);
        if (merge && table.name === 'alliances') await refuseForeignAlliances(source, client);
        tables.push({
          table: table.name,
          source: n,
          targetBefore: before.get(table.name) ?? 0,
          ...copied,
          targetAfter: null,
        });
      }
      await options.afterCopy?.(client);
      const after = await targetCounts(client, true);
      const problems: string[] = [];
      for (const report of tables) {
        report.targetAfter = after.get(report.table) ?? 0;
        const expected = report.targetBefore + report.inserted;
        if (report.targetAfter !== expected || report.inserted + report.updated + report.kept !== report.source) {
          problems.push(
            `${report.table}: ${report.targetAfter} rows in PostgreSQL, ${expected} expected (${report.source} in SQLite)`,
          );
        }
      }
      if (problems.length > 0) throw new MigrateError(`the counts do not add up: ${problems.join('; ')}`);
      await client.query('COMMIT');
      return { dryRun, merge, tables };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof MigrateError) throw new MigrateError(`${error.message}. Nothing was copied.`);
      throw error;
    } finally {
      client.release();
    }
  } finally {
    source.close();
    await pool.end();
  }
}

function openSource(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.exec('PRAGMA query_only = ON');
  } catch (error) {
    throw new MigrateError(
      `cannot open the SQLite database ${path} read-only: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .all()
      .map((row) => String(row.name));
    if (!tables.includes('schema_migrations'))
      throw new MigrateError(`${path} is not a giftbot database (no schema_migrations table)`);
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((row) => Number(row.version)),
    );
    const missing = MIGRATIONS.filter((m) => !applied.has(m.version)).map((m) => m.version);
    if (missing.length > 0)
      throw new MigrateError(
        `${path} is at an older schema (missing ${missing.join(', ')}): run any giftbot command on it once with this version, then migrate`,
      );
    const unknown = tables.filter((name) => !NOT_COPIED.has(name) && !COPY_TABLES.some((t) => t.name === name));
    if (unknown.length > 0)
      throw new MigrateError(`${path} has table(s) this version cannot copy yet: ${unknown.join(', ')}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Rows per table in the target; tables not created yet count 0. */
async function targetCounts(client: PoolClient, schemaExists: boolean): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of COPY_TABLES) {
    if (!schemaExists) {
      const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`public.${table.name}`]);
      if (!rows[0]?.present) continue;
    }
    const { rows } = await client.query(`SELECT COUNT(*) AS n FROM ${table.name}`);
    counts.set(table.name, Number(rows[0]?.n ?? 0));
  }
  return counts;
}

function refuseNonEmpty(before: Map<string, number>, merge: boolean): void {
  const filled = [...before].filter(([, n]) => n > 0);
  if (filled.length > 0 && !merge) {
    throw new MigrateError(
      `the PostgreSQL database already holds data (${filled.map(([t, n]) => `${t}: ${n}`).join(', ')}); use --merge to add to it (rows already there are kept)`,
    );
  }
}

async function copyTable(
  source: DatabaseSync,
  client: PoolClient,
  table: CopyTable,
  merge: boolean,
): Promise<Pick<TableReport, 'inserted' | 'updated' | 'kept'>> {
  const columns = source
    .prepare(`PRAGMA table_info(${table.name})`)
    .all()
    .map((row) => String(row.name));
  const result = { inserted: 0, updated: 0, kept: 0 };
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.flat();
    const tuples = batch.map((_, i) => `(${placeholders(columns.length, i * columns.length + 1)})`).join(', ');
    const sql = `INSERT INTO ${table.name} (${columns.join(', ')}) VALUES ${tuples} ${conflictClause(table, columns, merge)} RETURNING (xmax = 0) AS inserted`;
    try {
      const { rows } = await client.query(sql, values);
      const inserted = rows.filter((row) => row.inserted === true).length;
      result.inserted += inserted;
      result.updated += rows.length - inserted;
      result.kept += batch.length - rows.length;
    } catch (error) {
      const pgError = error as { message?: string; detail?: string; constraint?: string };
      throw new MigrateError(
        `copying ${table.name} failed: ${pgError.message ?? String(error)}${pgError.detail ? ` (${pgError.detail})` : ''}`,
      );
    }
    batch = [];
  };
  for (const row of source
    .prepare(`SELECT ${columns.join(', ')} FROM ${table.name} ORDER BY ${table.key.join(', ')}`)
    .iterate()) {
    batch.push(columns.map((column) => row[column]));
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  if (table.identity) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${table.name}', '${table.identity}'), GREATEST((SELECT MAX(${table.identity}) FROM ${table.name}), 1))`,
    );
  }
  return result;
}

/**
 * --merge keeps a row the target already has under the same key. For alliances that must be the same alliance: the
 * copied rosters point at the ids, so an id that is another server's or another name's alliance in the target would
 * put members on the wrong roster. Refused, nothing copied.
 */
async function refuseForeignAlliances(source: DatabaseSync, client: PoolClient): Promise<void> {
  const rows = source.prepare('SELECT id, guild_id, name FROM alliances ORDER BY id').all();
  if (rows.length === 0) return;
  const { rows: target } = await client.query('SELECT id, guild_id, name FROM alliances WHERE id = ANY($1::bigint[])', [
    rows.map((row) => Number(row.id)),
  ]);
  const byId = new Map(target.map((row) => [Number(row.id), row]));
  const differ = rows.filter((row) => {
    const there = byId.get(Number(row.id));
    return (
      !there ||
      String(there.guild_id) !== String(row.guild_id) ||
      String(there.name).toLowerCase() !== String(row.name).toLowerCase()
    );
  });
  if (differ.length > 0) {
    const examples = differ
      .slice(0, 3)
      .map((row) => `${String(row.id)} ("${String(row.name)}" of ${String(row.guild_id)})`);
    throw new MigrateError(
      `alliance id(s) ${examples.join(', ')}${differ.length > 3 ? ` and ${differ.length - 3} more` : ''} are other alliances in PostgreSQL: --merge only adds to a copy of the same database`,
    );
  }
}
