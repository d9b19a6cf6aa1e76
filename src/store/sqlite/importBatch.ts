import type { DatabaseSync } from 'node:sqlite';
import { isFinalLedgerStatus, type ImportBatch, type ImportBatchResult, type ImportCounts } from '../types.ts';
import { num, text } from './database.ts';

import { ImportVerificationError } from '../importVerificationError.ts';

export { ImportVerificationError };

const counts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0 });

/**
 * Store.importBatch for SQLite. Synchronous from BEGIN to COMMIT on purpose: nothing else on this connection can
 * interleave with the import (an async body would let other callers' statements slip into our transaction).
 */
export function runImportBatch(db: DatabaseSync, batch: ImportBatch, dryRun: boolean): ImportBatchResult {
  const result: ImportBatchResult = {
    dryRun,
    guilds: counts(),
    members: counts(),
    codes: counts(),
    ledger: counts(),
    notes: [],
    verified: { guilds: 0, members: 0, codes: 0, ledger: 0 },
  };
  const now = Date.now();
  db.exec('BEGIN IMMEDIATE');
  try {
    const skippedGuilds = importGuilds(db, batch, result, now);
    const expectedMembers = importMembers(db, batch, result, skippedGuilds, now);
    importCodes(db, batch, result, now);
    const expectedLedger = importLedger(db, batch, result, skippedGuilds, now);
    verify(db, batch, result, skippedGuilds, expectedMembers, expectedLedger);
    db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function importGuilds(db: DatabaseSync, batch: ImportBatch, result: ImportBatchResult, now: number): Set<string> {
  const skipped = new Set<string>();
  const select = db.prepare('SELECT * FROM guilds WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO guilds (id, game, default_state, auto_redeem, result_channel_id, codes_channel_id, fanout_priority, name, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 100, ?, ?, ?)`,
  );
  for (const guild of batch.guilds) {
    const existing = select.get(guild.id);
    if (!existing) {
      insert.run(
        guild.id,
        guild.game,
        guild.defaultState,
        guild.autoRedeem === false ? 0 : 1,
        guild.resultChannelId,
        guild.codesChannelId,
        guild.name,
        now,
        now,
      );
      result.guilds.created += 1;
      continue;
    }
    if (existing.game !== guild.game) {
      skipped.add(guild.id);
      result.guilds.skipped += 1;
      result.notes.push(
        `guild ${guild.id} is set up for ${String(existing.game)} in giftbot, not ${guild.game}: it and its members were left alone`,
      );
      continue;
    }
    // Only what giftbot does not know yet; a setting the admin made in giftbot stays.
    const fills: [column: string, current: unknown, incoming: string | number | null, label: string][] = [
      ['default_state', existing.default_state, guild.defaultState, 'default state'],
      ['result_channel_id', existing.result_channel_id, guild.resultChannelId, 'result channel'],
      ['codes_channel_id', existing.codes_channel_id, guild.codesChannelId, 'codes channel'],
      ['name', existing.name, guild.name, 'name'],
    ];
    const sets: string[] = [];
    const values: (string | number)[] = [];
    for (const [column, current, incoming, label] of fills) {
      if (incoming === null) continue;
      if (current === null || current === undefined) {
        sets.push(`${column} = ?`);
        values.push(incoming);
      } else if (String(current) !== String(incoming)) {
        result.notes.push(
          `guild ${guild.id}: kept giftbot's ${label} ${String(current)} (the import says ${incoming})`,
        );
      }
    }
    if (guild.autoRedeem !== null && (Number(existing.auto_redeem) === 1) !== guild.autoRedeem) {
      result.notes.push(
        `guild ${guild.id}: kept giftbot's auto-redeem ${Number(existing.auto_redeem) === 1 ? 'on' : 'off'} (the import says ${guild.autoRedeem ? 'on' : 'off'})`,
      );
    }
    if (sets.length === 0) {
      result.guilds.unchanged += 1;
      continue;
    }
    db.prepare(`UPDATE guilds SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...values, now, guild.id);
    result.guilds.updated += 1;
  }
  return skipped;
}

/** Returns the (guild, fid) keys that must be on the roster afterwards. */
function importMembers(
  db: DatabaseSync,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  now: number,
): string[] {
  const expected: string[] = [];
  const select = db.prepare('SELECT state, name, removed_at FROM members WHERE guild_id = ? AND fid = ?');
  const insert = db.prepare(
    `INSERT INTO members (guild_id, fid, state, state_status, name, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  let removedKept = 0;
  let statesKept = 0;
  for (const member of batch.members) {
    if (skippedGuilds.has(member.guildId)) {
      result.members.skipped += 1;
      continue;
    }
    const existing = select.get(member.guildId, member.fid);
    if (!existing) {
      insert.run(
        member.guildId,
        member.fid,
        member.state,
        member.state === null ? 'unknown' : 'ok',
        member.name,
        batch.source,
        now,
      );
      result.members.created += 1;
      expected.push(`${member.guildId}:${member.fid}`);
      continue;
    }
    if (existing.removed_at !== null) {
      // Removed in giftbot on purpose: an import of old data does not bring them back.
      removedKept += 1;
      result.members.skipped += 1;
      continue;
    }
    expected.push(`${member.guildId}:${member.fid}`);
    const currentState = num(existing.state);
    const fillState = currentState === null && member.state !== null;
    const fillName = text(existing.name) === null && member.name !== null;
    if (currentState !== null && member.state !== null && currentState !== member.state) statesKept += 1;
    if (!fillState && !fillName) {
      result.members.unchanged += 1;
      continue;
    }
    db.prepare(
      `UPDATE members SET state = COALESCE(state, ?), state_status = CASE WHEN state IS NULL AND ? IS NOT NULL THEN 'ok' ELSE state_status END,
         name = COALESCE(name, ?) WHERE guild_id = ? AND fid = ?`,
    ).run(member.state, member.state, member.name, member.guildId, member.fid);
    result.members.updated += 1;
  }
  if (removedKept > 0) result.notes.push(`${removedKept} member(s) removed in giftbot were left removed`);
  if (statesKept > 0)
    result.notes.push(`${statesKept} member(s) have another state in giftbot than in the import: giftbot's was kept`);
  return expected;
}

function importCodes(db: DatabaseSync, batch: ImportBatch, result: ImportBatchResult, now: number): void {
  const select = db.prepare('SELECT status FROM codes WHERE game = ? AND code = ?');
  const insert = db.prepare(
    `INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE codes SET status = ?, status_changed_at = ? WHERE game = ? AND code = ? AND status = 'new'`,
  );
  for (const code of batch.codes) {
    const existing = select.get(code.game, code.code);
    if (!existing) {
      insert.run(code.game, code.code, code.status, batch.source, now, now);
      result.codes.created += 1;
    } else if (existing.status === 'new' && code.status !== 'new') {
      // giftbot had not checked it yet; the old bot had.
      update.run(code.status, now, code.game, code.code);
      result.codes.updated += 1;
    } else {
      result.codes.unchanged += 1;
    }
  }
}

/** Returns the ledger keys that must be final afterwards. */
function importLedger(
  db: DatabaseSync,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  now: number,
): string[] {
  const expected: string[] = [];
  const select = db.prepare('SELECT status FROM ledger WHERE game = ? AND fid = ? AND code = ?');
  const upsert = db.prepare(
    `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, updated_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?)
     ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
       err_code = excluded.err_code, msg = excluded.msg, updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
  );
  for (const row of batch.ledger) {
    if (skippedGuilds.has(row.guildId)) {
      result.ledger.skipped += 1;
      continue;
    }
    if (!isFinalLedgerStatus(row.outcome.status))
      throw new Error(`import ledger rows must be final, got ${row.outcome.status} for ${row.fid}/${row.code}`);
    expected.push(`${row.game}:${row.fid}:${row.code}`);
    const existing = select.get(row.game, row.fid, row.code);
    if (existing && isFinalLedgerStatus(existing.status)) {
      result.ledger.unchanged += 1;
      continue;
    }
    upsert.run(
      row.game,
      row.fid,
      row.code,
      row.outcome.status,
      row.outcome.reason ?? null,
      row.outcome.errCode ?? null,
      row.outcome.msg ?? null,
      row.guildId,
      now,
      now,
    );
    if (existing) result.ledger.updated += 1;
    else result.ledger.created += 1;
  }
  return expected;
}

function verify(
  db: DatabaseSync,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  expectedMembers: readonly string[],
  expectedLedger: readonly string[],
): void {
  const problems: string[] = [];
  const guildGames = new Map(batch.guilds.filter((g) => !skippedGuilds.has(g.id)).map((g) => [g.id, g.game]));
  const guildStmt = db.prepare('SELECT game FROM guilds WHERE id = ?');
  for (const [id, game] of guildGames) {
    if (guildStmt.get(id)?.game === game) result.verified.guilds += 1;
  }
  const memberStmt = db.prepare('SELECT 1 FROM members WHERE guild_id = ? AND fid = ? AND removed_at IS NULL');
  for (const key of new Set(expectedMembers)) {
    const [guildId, fid] = key.split(':') as [string, string];
    if (memberStmt.get(guildId, fid)) result.verified.members += 1;
  }
  const codeStmt = db.prepare('SELECT 1 FROM codes WHERE game = ? AND code = ?');
  const codeKeys = new Set(batch.codes.map((c) => `${c.game}:${c.code}`));
  for (const key of codeKeys) {
    const [game, code] = key.split(':') as [string, string];
    if (codeStmt.get(game, code)) result.verified.codes += 1;
  }
  const ledgerStmt = db.prepare(`SELECT status FROM ledger WHERE game = ? AND fid = ? AND code = ?`);
  for (const key of new Set(expectedLedger)) {
    const [game, fid, code] = key.split(':') as [string, string, string];
    if (isFinalLedgerStatus(ledgerStmt.get(game, fid, code)?.status)) result.verified.ledger += 1;
  }
  const want = {
    guilds: guildGames.size,
    members: new Set(expectedMembers).size,
    codes: codeKeys.size,
    ledger: new Set(expectedLedger).size,
  };
  for (const key of ['guilds', 'members', 'codes', 'ledger'] as const) {
    if (result.verified[key] !== want[key])
      problems.push(`${key}: ${result.verified[key]} found, ${want[key]} expected`);
  }
  if (problems.length > 0)
    throw new ImportVerificationError(`the import did not add up (${problems.join('; ')}); nothing was written`);
}
