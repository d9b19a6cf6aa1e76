/**
 * Fills the ledger with history before a scale row (issue 14: claim and record measured against 1,000,000 rows), in
 * one bulk SQL statement rather than through the store, so it takes seconds: 10 earlier codes for each member of the
 * scale rows' alliances (alliance a, member m: fid 60,000,000 + a × 1,000 + m, as seedAlliances numbers them), every
 * row final. Row n is code PAST{n mod 10} for member n div 10 (100 members per alliance).
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { Config } from '../src/config/config.ts';

const PAST_CODES = 10;
const MEMBERS_PER_ALLIANCE = 100;

/** Returns the time it took, in ms. The tables must exist (the store has been opened, so migrated). */
export async function prefillLedger(config: Config, rows: number): Promise<number> {
  const started = performance.now();
  if (config.postgres) await prefillPostgres(config.postgres.url, rows);
  else prefillSqlite(config.databasePath, rows);
  return performance.now() - started;
}

function prefillSqlite(path: string, rows: number): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const now = Date.now();
    db.exec('BEGIN IMMEDIATE');
    db.prepare(
      `INSERT INTO ledger (game, fid, code, status, err_code, msg, attempts, guild_id, fence, claimed_at, updated_at, finished_at)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       SELECT 'wos',
              CAST(60000000 + ((i / ${PAST_CODES}) / ${MEMBERS_PER_ALLIANCE}) * 1000 + (i / ${PAST_CODES}) % ${MEMBERS_PER_ALLIANCE} AS TEXT),
              'PAST' || (i % ${PAST_CODES}), 'success', 20000, 'SUCCESS.', 1,
              printf('91000000000000%04d', (i / ${PAST_CODES}) / ${MEMBERS_PER_ALLIANCE} + 1), 1, ?, ?, ?
       FROM n`,
    ).run(rows - 1, now, now, now);
    db.exec('COMMIT');
  } finally {
    if (db.isTransaction) db.exec('ROLLBACK');
    db.close();
  }
}

async function prefillPostgres(url: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = Date.now();
    await client.query(
      `INSERT INTO ledger (game, fid, code, status, err_code, msg, attempts, guild_id, fence, claimed_at, updated_at, finished_at)
       SELECT 'wos',
              (60000000 + ((i / ${PAST_CODES}) / ${MEMBERS_PER_ALLIANCE}) * 1000 + (i / ${PAST_CODES}) % ${MEMBERS_PER_ALLIANCE})::text,
              'PAST' || (i % ${PAST_CODES}), 'success', 20000, 'SUCCESS.', 1,
              '91000000000000' || lpad(((i / ${PAST_CODES}) / ${MEMBERS_PER_ALLIANCE} + 1)::text, 4, '0'), 1, $2::bigint, $2::bigint, $2::bigint
       FROM generate_series(0, $1::int - 1) AS i`,
      [rows, now],
    );
    // Fresh statistics, as autovacuum would give a table this size before long: the planner must see 1,000,000 rows.
    await client.query('ANALYZE ledger');
  } finally {
    await client.end();
  }
}
