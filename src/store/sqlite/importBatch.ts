import type { DatabaseSync } from 'node:sqlite';
import { allianceKeyLabel, planImport, type ImportPlan, type ImportSnapshot } from '../importPlan.ts';
import { checkImport, snapshotFromRows, snapshotKeys } from '../importSnapshot.ts';
import { ImportVerificationError } from '../importVerificationError.ts';
import { FINAL_LEDGER_IN_SQL } from '../sqlLists.ts';
import type { ImportBatch, ImportBatchResult } from '../types.ts';
import type { Row } from './database.ts';

export { ImportVerificationError };

/**
 * Store.importBatch for SQLite: read the batch's rows, let the shared planner (src/store/importPlan.ts) decide, write
 * the plan, read again and check. Synchronous from BEGIN to COMMIT on purpose: nothing else on this connection can
 * interleave with the import (an async body would let other callers' statements slip into our transaction).
 */
export function runImportBatch(db: DatabaseSync, batch: ImportBatch, dryRun: boolean): ImportBatchResult {
  db.exec('BEGIN IMMEDIATE');
  try {
    const plan = planImport(batch, readSnapshot(db, batch), dryRun);
    writePlan(db, plan, batch.source, Date.now());
    checkImport(plan, readSnapshot(db, batch));
    db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
    return plan.result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function readSnapshot(db: DatabaseSync, batch: ImportBatch): ImportSnapshot {
  const keys = snapshotKeys(batch);
  const ids = JSON.stringify(keys.guildIds);
  const inGuilds = 'IN (SELECT value FROM json_each(?))';
  const code = db.prepare('SELECT game, code, status FROM codes WHERE game = ? AND code = ?');
  const ledger = db.prepare('SELECT game, fid, code, status FROM ledger WHERE game = ? AND fid = ? AND code = ?');
  return snapshotFromRows({
    guilds: db.prepare(`SELECT id, name FROM guilds WHERE id ${inGuilds}`).all(ids),
    alliances: db.prepare(`SELECT * FROM alliances WHERE guild_id ${inGuilds}`).all(ids),
    members: db
      .prepare(`SELECT guild_id, fid, alliance_id, state, name, removed_at FROM members WHERE guild_id ${inGuilds}`)
      .all(ids),
    codes: keys.codes.map((c) => code.get(c.game, c.code)).filter((row) => row !== undefined) as Row[],
    ledger: keys.ledger.map((l) => ledger.get(l.game, l.fid, l.code)).filter((row) => row !== undefined) as Row[],
  });
}

function writePlan(db: DatabaseSync, plan: ImportPlan, source: string, now: number): void {
  const insertGuild = db.prepare(
    `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, name, created_at, updated_at) VALUES (?, ?, 1, 100, ?, ?, ?)`,
  );
  for (const g of plan.guildInserts) insertGuild.run(g.id, g.game, g.name, now, now);
  const fillName = db.prepare('UPDATE guilds SET name = ?, updated_at = ? WHERE id = ? AND name IS NULL');
  for (const g of plan.guildNameFills) fillName.run(g.name, now, g.id);

  const insertAlliance = db.prepare(
    `INSERT INTO alliances (guild_id, name, game, default_state, auto_redeem, result_channel_id, codes_channel_id,
       fanout_priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 100, ?, ?) RETURNING id`,
  );
  for (const a of plan.allianceInserts) {
    const row = insertAlliance.get(
      a.guildId,
      a.name,
      a.game,
      a.defaultState,
      a.autoRedeem === false ? 0 : 1,
      a.resultChannelId,
      a.codesChannelId,
      now,
      now,
    );
    plan.allianceIds.set(a.key, Number(row?.id));
  }
  for (const { id, fill } of plan.allianceFills) {
    const columns = Object.keys(fill);
    db.prepare(`UPDATE alliances SET ${columns.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`).run(
      ...Object.values(fill),
      now,
      id,
    );
  }

  const insertMember = db.prepare(
    `INSERT INTO members (guild_id, alliance_id, fid, state, state_status, name, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const m of plan.memberInserts) {
    const allianceId = plan.allianceIds.get(m.allianceKey);
    if (allianceId === undefined) throw new Error(`import: no alliance for ${allianceKeyLabel(m.allianceKey)}`);
    insertMember.run(m.guildId, allianceId, m.fid, m.state, m.state === null ? 'unknown' : 'ok', m.name, source, now);
  }
  const fillMember = db.prepare(
    `UPDATE members SET state = COALESCE(state, ?), state_status = CASE WHEN state IS NULL AND ? IS NOT NULL THEN 'ok' ELSE state_status END,
       name = COALESCE(name, ?) WHERE guild_id = ? AND fid = ?`,
  );
  for (const m of plan.memberFills) fillMember.run(m.state, m.state, m.name, m.guildId, m.fid);

  const insertCode = db.prepare(
    `INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  for (const c of plan.codeInserts) insertCode.run(c.game, c.code, c.status, source, now, now);
  const updateCode = db.prepare(
    `UPDATE codes SET status = ?, status_changed_at = ? WHERE game = ? AND code = ? AND status = 'new'`,
  );
  for (const c of plan.codeStatusUpdates) updateCode.run(c.status, now, c.game, c.code);

  // A final row is never replaced, even one written since the plan read the ledger.
  const upsertLedger = db.prepare(
    `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, updated_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?)
     ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
       err_code = excluded.err_code, msg = excluded.msg, updated_at = excluded.updated_at, finished_at = excluded.finished_at
     WHERE ledger.status NOT IN (${FINAL_LEDGER_IN_SQL})`,
  );
  for (const r of plan.ledgerUpserts) {
    const o = r.outcome;
    upsertLedger.run(
      r.game,
      r.fid,
      r.code,
      o.status,
      o.reason ?? null,
      o.errCode ?? null,
      o.msg ?? null,
      r.guildId,
      now,
      now,
    );
  }
}
