import { DatabaseSync } from 'node:sqlite';
import { StartupError } from '../../ops/startupError.ts';
import { MIGRATIONS } from '../migrations.ts';
import { prepareDatabasePath } from './databasePath.ts';

export { num, text, type Row } from '../rows.ts';

/**
 * Opens the SQLite file with the settings several processes on one host need: WAL (readers never block the writer),
 * a busy timeout (a writer waits for another's short transaction instead of failing) and foreign keys.
 */
export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') prepareDatabasePath(path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec('PRAGMA busy_timeout = 10000');
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `DATABASE_PATH=${path}: SQLite cannot open it (${/not a database/.test(message) ? 'the file is not a SQLite database' : message})`,
      { cause: error },
    );
  }
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies pending migrations; returns the versions applied. */
export function migrate(db: DatabaseSync): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => Number(row.version)),
  );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    transaction(db, () => {
      // Another process may have applied it while we waited for the write lock.
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (again) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
      done.push(migration.version);
    });
  }
  return done;
}

/** Runs fn in a write transaction (BEGIN IMMEDIATE takes the write lock up front, so two claims never interleave). */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
