import { num, text } from '../rows.ts';
import { ImportVerificationError } from '../importVerificationError.ts';
import { isFinalLedgerStatus, type ImportBatch, type ImportBatchResult, type ImportCounts } from '../types.ts';
import { type Pool, type PoolClient } from './database.ts';

const counts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0 });
/** Thrown to roll a dry run back after it has counted everything. */
const DRY_RUN = Symbol('dry run');

/**
 * Store.importBatch for PostgreSQL: the same rules as SQLite's (src/store/sqlite/importBatch.ts), in one transaction
 * on one connection; a dry run does everything and rolls back.
 */
export async function runPgImportBatch(pool: Pool, batch: ImportBatch, dryRun: boolean): Promise<ImportBatchResult> {
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const skippedGuilds = await importGuilds(client, batch, result, now);
    const expectedMembers = await importMembers(client, batch, result, skippedGuilds, now);
    await importCodes(client, batch, result, now);
    const expectedLedger = await importLedger(client, batch, result, skippedGuilds, now);
    await verify(client, batch, result, skippedGuilds, expectedMembers, expectedLedger);
    if (dryRun) throw DRY_RUN;
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error === DRY_RUN) return result;
    throw error;
  } finally {
    client.release();
  }
}

async function importGuilds(
  db: PoolClient,
  batch: ImportBatch,
  result: ImportBatchResult,
  now: number,
): Promise<Set<string>> {
  const skipped = new Set<string>();
  for (const guild of batch.guilds) {
    const existing = (await db.query('SELECT * FROM guilds WHERE id = $1 FOR UPDATE', [guild.id])).rows[0];
    if (!existing) {
      await db.query(
        `INSERT INTO guilds (id, game, default_state, auto_redeem, result_channel_id, codes_channel_id, fanout_priority, name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 100, $7, $8, $8)`,
        [
          guild.id,
          guild.game,
          guild.defaultState,
          guild.autoRedeem === false ? 0 : 1,
          guild.resultChannelId,
          guild.codesChannelId,
          guild.name,
          now,
        ],
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
        values.push(incoming);
        sets.push(`${column} = $${values.length}`);
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
    values.push(now, guild.id);
    await db.query(
      `UPDATE guilds SET ${sets.join(', ')}, updated_at = $${values.length - 1} WHERE id = $${values.length}`,
      values,
    );
    result.guilds.updated += 1;
  }
  return skipped;
}

async function importMembers(
  db: PoolClient,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  now: number,
): Promise<string[]> {
  const expected: string[] = [];
  let removedKept = 0;
  let statesKept = 0;
  for (const member of batch.members) {
    if (skippedGuilds.has(member.guildId)) {
      result.members.skipped += 1;
      continue;
    }
    const existing = (
      await db.query('SELECT state, name, removed_at FROM members WHERE guild_id = $1 AND fid = $2 FOR UPDATE', [
        member.guildId,
        member.fid,
      ])
    ).rows[0];
    if (!existing) {
      await db.query(
        'INSERT INTO members (guild_id, fid, state, state_status, name, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [
          member.guildId,
          member.fid,
          member.state,
          member.state === null ? 'unknown' : 'ok',
          member.name,
          batch.source,
          now,
        ],
      );
      result.members.created += 1;
      expected.push(`${member.guildId}:${member.fid}`);
      continue;
    }
    if (existing.removed_at !== null) {
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
    await db.query(
      `UPDATE members SET state = COALESCE(state, $1::integer), state_status = CASE WHEN state IS NULL AND $1::integer IS NOT NULL THEN 'ok' ELSE state_status END,
         name = COALESCE(name, $2) WHERE guild_id = $3 AND fid = $4`,
      [member.state, member.name, member.guildId, member.fid],
    );
    result.members.updated += 1;
  }
  if (removedKept > 0) result.notes.push(`${removedKept} member(s) removed in giftbot were left removed`);
  if (statesKept > 0)
    result.notes.push(`${statesKept} member(s) have another state in giftbot than in the import: giftbot's was kept`);
  return expected;
}

async function importCodes(db: PoolClient, batch: ImportBatch, result: ImportBatchResult, now: number): Promise<void> {
  for (const code of batch.codes) {
    const existing = (await db.query('SELECT status FROM codes WHERE game = $1 AND code = $2', [code.game, code.code]))
      .rows[0];
    if (!existing) {
      await db.query(
        'INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES ($1, $2, $3, $4, $5, $5)',
        [code.game, code.code, code.status, batch.source, now],
      );
      result.codes.created += 1;
    } else if (existing.status === 'new' && code.status !== 'new') {
      await db.query(
        `UPDATE codes SET status = $1, status_changed_at = $2 WHERE game = $3 AND code = $4 AND status = 'new'`,
        [code.status, now, code.game, code.code],
      );
      result.codes.updated += 1;
    } else {
      result.codes.unchanged += 1;
    }
  }
}

async function importLedger(
  db: PoolClient,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  now: number,
): Promise<string[]> {
  const expected: string[] = [];
  for (const row of batch.ledger) {
    if (skippedGuilds.has(row.guildId)) {
      result.ledger.skipped += 1;
      continue;
    }
    if (!isFinalLedgerStatus(row.outcome.status))
      throw new Error(`import ledger rows must be final, got ${row.outcome.status} for ${row.fid}/${row.code}`);
    expected.push(`${row.game}:${row.fid}:${row.code}`);
    const existing = (
      await db.query('SELECT status FROM ledger WHERE game = $1 AND fid = $2 AND code = $3 FOR UPDATE', [
        row.game,
        row.fid,
        row.code,
      ])
    ).rows[0];
    if (existing && isFinalLedgerStatus(existing.status)) {
      result.ledger.unchanged += 1;
      continue;
    }
    await db.query(
      `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, updated_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, $9, $9)
       ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         err_code = excluded.err_code, msg = excluded.msg, updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
      [
        row.game,
        row.fid,
        row.code,
        row.outcome.status,
        row.outcome.reason ?? null,
        row.outcome.errCode ?? null,
        row.outcome.msg ?? null,
        row.guildId,
        now,
      ],
    );
    if (existing) result.ledger.updated += 1;
    else result.ledger.created += 1;
  }
  return expected;
}

async function verify(
  db: PoolClient,
  batch: ImportBatch,
  result: ImportBatchResult,
  skippedGuilds: Set<string>,
  expectedMembers: readonly string[],
  expectedLedger: readonly string[],
): Promise<void> {
  const guildGames = new Map(batch.guilds.filter((g) => !skippedGuilds.has(g.id)).map((g) => [g.id, g.game]));
  for (const [id, game] of guildGames) {
    if ((await db.query('SELECT game FROM guilds WHERE id = $1', [id])).rows[0]?.game === game)
      result.verified.guilds += 1;
  }
  const members = new Set(expectedMembers);
  for (const key of members) {
    const [guildId, fid] = key.split(':') as [string, string];
    if (
      (await db.query('SELECT 1 FROM members WHERE guild_id = $1 AND fid = $2 AND removed_at IS NULL', [guildId, fid]))
        .rows[0]
    )
      result.verified.members += 1;
  }
  const codeKeys = new Set(batch.codes.map((c) => `${c.game}:${c.code}`));
  for (const key of codeKeys) {
    const [game, code] = key.split(':') as [string, string];
    if ((await db.query('SELECT 1 FROM codes WHERE game = $1 AND code = $2', [game, code])).rows[0])
      result.verified.codes += 1;
  }
  const ledgerKeys = new Set(expectedLedger);
  for (const key of ledgerKeys) {
    const [game, fid, code] = key.split(':') as [string, string, string];
    if (
      isFinalLedgerStatus(
        (await db.query('SELECT status FROM ledger WHERE game = $1 AND fid = $2 AND code = $3', [game, fid, code]))
          .rows[0]?.status,
      )
    )
      result.verified.ledger += 1;
  }
  const want = { guilds: guildGames.size, members: members.size, codes: codeKeys.size, ledger: ledgerKeys.size };
  const problems = (['guilds', 'members', 'codes', 'ledger'] as const)
    .filter((key) => result.verified[key] !== want[key])
    .map((key) => `${key}: ${result.verified[key]} found, ${want[key]} expected`);
  if (problems.length > 0)
    throw new ImportVerificationError(`the import did not add up (${problems.join('; ')}); nothing was written`);
}
