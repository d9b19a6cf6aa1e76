import { allianceKeyLabel, planImport, type ImportPlan, type ImportSnapshot } from '../importPlan.ts';
import { checkImport, snapshotFromRows, snapshotKeys } from '../importSnapshot.ts';
import { FINAL_LEDGER_IN_SQL } from '../sqlLists.ts';
import type { ImportBatch, ImportBatchResult } from '../types.ts';
import { type Pool, type PoolClient } from './database.ts';

/**
 * Store.importBatch for PostgreSQL: the shared planner (src/store/importPlan.ts) on the rows read in one transaction
 * on one connection (locked, so a bot running meanwhile cannot change them under the plan); a dry run does everything
 * and rolls back.
 */
export async function runPgImportBatch(pool: Pool, batch: ImportBatch, dryRun: boolean): Promise<ImportBatchResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const plan = planImport(batch, await readSnapshot(client, batch, true), dryRun);
    await writePlan(client, plan, batch.source, Date.now());
    checkImport(plan, await readSnapshot(client, batch, false));
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    return plan.result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function readSnapshot(db: PoolClient, batch: ImportBatch, lock: boolean): Promise<ImportSnapshot> {
  const keys = snapshotKeys(batch);
  const forUpdate = lock ? 'FOR UPDATE' : '';
  const ids = keys.guildIds;
  const rows = async (sql: string, values: unknown[]) => (await db.query(sql, values)).rows;
  return snapshotFromRows({
    guilds: await rows(`SELECT id, name FROM guilds WHERE id = ANY($1::text[]) ${forUpdate}`, [ids]),
    alliances: await rows(`SELECT * FROM alliances WHERE guild_id = ANY($1::text[]) ${forUpdate}`, [ids]),
    members: await rows(
      `SELECT guild_id, fid, alliance_id, state, name, removed_at FROM members WHERE guild_id = ANY($1::text[]) ${forUpdate}`,
      [ids],
    ),
    codes: await rows(
      `SELECT c.game, c.code, c.status FROM codes c
       JOIN unnest($1::text[], $2::text[]) AS k(game, code) ON c.game = k.game AND c.code = k.code ${lock ? 'FOR UPDATE OF c' : ''}`,
      [keys.codes.map((k) => k.game), keys.codes.map((k) => k.code)],
    ),
    ledger: await rows(
      `SELECT l.game, l.fid, l.code, l.status FROM ledger l
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(game, fid, code)
         ON l.game = k.game AND l.fid = k.fid AND l.code = k.code ${lock ? 'FOR UPDATE OF l' : ''}`,
      [keys.ledger.map((k) => k.game), keys.ledger.map((k) => k.fid), keys.ledger.map((k) => k.code)],
    ),
  });
}

async function writePlan(db: PoolClient, plan: ImportPlan, source: string, now: number): Promise<void> {
  for (const g of plan.guildInserts)
    await db.query(
      `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, name, created_at, updated_at) VALUES ($1, $2, 1, 100, $3, $4, $4)`,
      [g.id, g.game, g.name, now],
    );
  for (const g of plan.guildNameFills)
    await db.query('UPDATE guilds SET name = $1, updated_at = $2 WHERE id = $3 AND name IS NULL', [g.name, now, g.id]);

  for (const a of plan.allianceInserts) {
    const { rows } = await db.query(
      `INSERT INTO alliances (guild_id, name, game, default_state, auto_redeem, result_channel_id, codes_channel_id,
         fanout_priority, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 100, $8, $8) RETURNING id`,
      [
        a.guildId,
        a.name,
        a.game,
        a.defaultState,
        a.autoRedeem === false ? 0 : 1,
        a.resultChannelId,
        a.codesChannelId,
        now,
      ],
    );
    plan.allianceIds.set(a.key, Number(rows[0]?.id));
  }
  for (const { id, fill } of plan.allianceFills) {
    const columns = Object.keys(fill);
    const values = Object.values(fill);
    await db.query(
      `UPDATE alliances SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')}, updated_at = $${columns.length + 1}
       WHERE id = $${columns.length + 2}`,
      [...values, now, id],
    );
  }

  for (const m of plan.memberInserts) {
    const allianceId = plan.allianceIds.get(m.allianceKey);
    if (allianceId === undefined) throw new Error(`import: no alliance ${allianceKeyLabel(m.allianceKey)}`);
    await db.query(
      `INSERT INTO members (guild_id, alliance_id, fid, state, state_status, name, added_by, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [m.guildId, allianceId, m.fid, m.state, m.state === null ? 'unknown' : 'ok', m.name, source, now],
    );
  }
  for (const m of plan.memberFills)
    await db.query(
      `UPDATE members SET state = COALESCE(state, $1::integer),
         state_status = CASE WHEN state IS NULL AND $1::integer IS NOT NULL THEN 'ok' ELSE state_status END,
         name = COALESCE(name, $2) WHERE guild_id = $3 AND fid = $4`,
      [m.state, m.name, m.guildId, m.fid],
    );

  for (const c of plan.codeInserts)
    await db.query(
      'INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES ($1, $2, $3, $4, $5, $5)',
      [c.game, c.code, c.status, source, now],
    );
  for (const c of plan.codeStatusUpdates)
    await db.query(
      `UPDATE codes SET status = $1, status_changed_at = $2 WHERE game = $3 AND code = $4 AND status = 'new'`,
      [c.status, now, c.game, c.code],
    );

  // A final row is never replaced, even one a running bot wrote since the plan read the ledger.
  for (const r of plan.ledgerUpserts) {
    const o = r.outcome;
    await db.query(
      `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, updated_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, $9, $9)
       ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         err_code = excluded.err_code, msg = excluded.msg, updated_at = excluded.updated_at, finished_at = excluded.finished_at
       WHERE ledger.status NOT IN (${FINAL_LEDGER_IN_SQL})`,
      [r.game, r.fid, r.code, o.status, o.reason ?? null, o.errCode ?? null, o.msg ?? null, r.guildId, now],
    );
  }
}
