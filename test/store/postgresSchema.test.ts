import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { COPY_TABLES, NOT_COPIED } from '../../src/store/postgres/copyTables.ts';
import { createPool, migrate } from '../../src/store/postgres/database.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { migrate as migrateSqlite } from '../../src/store/sqlite/database.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('the PostgreSQL schema follows SQLite', () => {
  it('has every SQLite migration (same versions) and the same tables and columns; migrate-to knows every table', async () => {
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const sqlite = new DatabaseSync(':memory:');
    migrateSqlite(sqlite);
    const sqliteTables = sqlite
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all()
      .map((r) => String(r.name));
    const sqliteColumns = Object.fromEntries(
      sqliteTables.map((t) => [
        t,
        sqlite
          .prepare(`PRAGMA table_info(${t})`)
          .all()
          .map((r) => String(r.name))
          .sort(),
      ]),
    );
    const sqliteNameIndex = sqlite
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alliances' AND sql LIKE '%UNIQUE%'`)
      .all()
      .map((r) => String(r.sql));
    sqlite.close();
    expect(sqliteTables.filter((t) => !NOT_COPIED.has(t)).sort()).toEqual(COPY_TABLES.map((t) => t.name).sort());

    db = await createTestDatabase();
    const pool = createPool(db.settings);
    // Several processes starting at once: the advisory lock lets one migrate; the others find it done.
    const applied = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    await pool.end();
    expect(applied.flat().sort((a, b) => a - b)).toEqual(PG_MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    const rows = await queryDatabase(
      db.url,
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const pgColumns: Record<string, string[]> = {};
    for (const row of rows) (pgColumns[String(row.table_name)] ??= []).push(String(row.column_name));
    for (const columns of Object.values(pgColumns)) columns.sort();
    expect(pgColumns).toEqual(sqliteColumns);
    // Alliance names are unique per server among alliances not removed, in both stores.
    const pgNameIndex = await queryDatabase(
      db.url,
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'alliances' AND indexdef LIKE 'CREATE UNIQUE%' AND indexname NOT LIKE '%_pkey'`,
    );
    for (const definition of [...sqliteNameIndex, ...pgNameIndex.map((r) => String(r.indexdef))]) {
      expect(definition).toMatch(/lower\(.*name.*\).*WHERE.*removed_at IS NULL/is);
    }
    expect(sqliteNameIndex).toHaveLength(1);
    expect(pgNameIndex).toHaveLength(1);
  });
});
