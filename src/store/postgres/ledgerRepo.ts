import type { Game } from '../../game/games.ts';
import { toLedgerRow } from '../rows.ts';
import {
  FOREIGN_CLAIM_STALE_MS,
  isFinalLedgerStatus,
  type ClaimResult,
  type LedgerOutcome,
  type LedgerRepo,
  type LedgerStatus,
  type RecordResult,
  type RunScope,
} from '../types.ts';
import { withTransaction, type Pool, type PoolClient, type Queryable } from './database.ts';
import { FINAL_LEDGER_IN_SQL } from '../sqlLists.ts';

async function currentFence(db: Queryable, guildId: string, game: Game, code: string): Promise<number> {
  const { rows } = await db.query('SELECT fence FROM fences WHERE guild_id = $1 AND game = $2 AND code = $3', [
    guildId,
    game,
    code,
  ]);
  return rows[0] ? Number(rows[0].fence) : 0;
}

/**
 * Inside a transaction: whether the run's fence is still the current one, holding the fence row FOR SHARE until the
 * transaction ends, so a newer run's nextFence (an UPDATE of that row) waits for this claim or record to finish.
 */
async function fenceHolds(client: PoolClient, scope: RunScope): Promise<boolean> {
  const { rows } = await client.query(
    'SELECT fence FROM fences WHERE guild_id = $1 AND game = $2 AND code = $3 FOR SHARE',
    [scope.guildId, scope.game, scope.code],
  );
  return rows[0] !== undefined && Number(rows[0].fence) === scope.fence;
}

export function createPgLedgerRepo(pool: Pool): LedgerRepo {
  return {
    async nextFence(guildId, game, code) {
      // One statement: the database makes the increment atomic across every host.
      const { rows } = await pool.query(
        `INSERT INTO fences (guild_id, game, code, fence) VALUES ($1, $2, $3, 1)
         ON CONFLICT (guild_id, game, code) DO UPDATE SET fence = fences.fence + 1 RETURNING fence`,
        [guildId, game, code],
      );
      return Number(rows[0].fence);
    },
    currentFence: (guildId, game, code) => currentFence(pool, guildId, game, code),
    claim: (scope, fid) => withTransaction(pool, (client) => claimRow(client, scope, fid)),
    record: (scope, fid, outcome) => withTransaction(pool, (client) => recordRow(client, scope, fid, outcome)),
    async unclaim(scope, fid) {
      await withTransaction(pool, async (client) => {
        if (!(await fenceHolds(client, scope))) return;
        const { rows } = await client.query(
          'SELECT status, fence, run_id, attempts FROM ledger WHERE game = $1 AND fid = $2 AND code = $3 FOR UPDATE',
          [scope.game, fid, scope.code],
        );
        const existing = rows[0];
        if (
          !existing ||
          existing.status !== 'pending' ||
          Number(existing.fence) !== scope.fence ||
          Number(existing.run_id) !== scope.runId
        )
          return;
        if (Number(existing.attempts) <= 1) {
          await client.query('DELETE FROM ledger WHERE game = $1 AND fid = $2 AND code = $3', [
            scope.game,
            fid,
            scope.code,
          ]);
        } else {
          await client.query(
            `UPDATE ledger SET status = 'retry', attempts = attempts - 1, claimed_at = NULL, updated_at = $4
             WHERE game = $1 AND fid = $2 AND code = $3`,
            [scope.game, fid, scope.code, Date.now()],
          );
        }
      });
    },
    async get(game, fid, code) {
      const { rows } = await pool.query('SELECT * FROM ledger WHERE game = $1 AND fid = $2 AND code = $3', [
        game,
        fid,
        code,
      ]);
      return rows[0] ? toLedgerRow(rows[0]) : null;
    },
    async listForCode(game, code) {
      const { rows } = await pool.query('SELECT * FROM ledger WHERE game = $1 AND code = $2 ORDER BY fid', [
        game,
        code,
      ]);
      return rows.map(toLedgerRow);
    },
    async finalFids(game, code, fids) {
      if (fids.length === 0) return new Set();
      const { rows } = await pool.query(
        `SELECT fid FROM ledger WHERE game = $1 AND code = $2 AND fid = ANY($3::text[]) AND status IN (${FINAL_LEDGER_IN_SQL})`,
        [game, code, [...fids]],
      );
      return new Set(rows.map((row) => String(row.fid)));
    },
    async importFinal(rows) {
      return withTransaction(pool, async (client) => {
        let written = 0;
        const now = Date.now();
        for (const row of rows) {
          // The WHERE on the conflict branch keeps a final row: it is never overwritten, whatever arrives.
          const result = await client.query(
            `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, updated_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, $9, $9)
             ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
               err_code = excluded.err_code, msg = excluded.msg, updated_at = excluded.updated_at, finished_at = excluded.finished_at
             WHERE ledger.status NOT IN (${FINAL_LEDGER_IN_SQL})`,
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
          written += result.rowCount ?? 0;
        }
        return written;
      });
    },
    async reopenWrongState(game, fid) {
      const result = await pool.query(
        `UPDATE ledger SET status = 'retry', finished_at = NULL, updated_at = $3
         WHERE game = $1 AND fid = $2 AND status = 'failed' AND reason = 'wrong-state'`,
        [game, fid, Date.now()],
      );
      return result.rowCount ?? 0;
    },
    async countByStatus(game, code) {
      const counts: Record<LedgerStatus, number> = { pending: 0, retry: 0, success: 0, already: 0, failed: 0 };
      const { rows } = await pool.query(
        'SELECT status, COUNT(*) AS n FROM ledger WHERE game = $1 AND code = $2 GROUP BY status',
        [game, code],
      );
      for (const row of rows) counts[row.status as LedgerStatus] = Number(row.n);
      return counts;
    },
  };
}

/**
 * Claims the member's row under the run's fence. The new row is inserted first (ON CONFLICT DO NOTHING: of two hosts
 * inserting together, the second waits for the first to commit and inserts nothing); an existing row is locked FOR
 * UPDATE and decided on while locked.
 */
async function claimRow(client: PoolClient, scope: RunScope, fid: string): Promise<ClaimResult> {
  if (!(await fenceHolds(client, scope))) return 'stale-fence';
  const now = Date.now();
  const inserted = await client.query(
    `INSERT INTO ledger (game, fid, code, status, attempts, guild_id, fence, run_id, claimed_at, updated_at)
     VALUES ($1, $2, $3, 'pending', 1, $4, $5, $6, $7, $7) ON CONFLICT (game, fid, code) DO NOTHING`,
    [scope.game, fid, scope.code, scope.guildId, scope.fence, scope.runId, now],
  );
  if (inserted.rowCount === 1) return 'claimed';
  const { rows } = await client.query(
    'SELECT status, guild_id, claimed_at FROM ledger WHERE game = $1 AND fid = $2 AND code = $3 FOR UPDATE',
    [scope.game, fid, scope.code],
  );
  const existing = rows[0];
  if (!existing) return 'claimed-elsewhere'; // removed (unclaimed) between the two statements: the caller retries
  if (isFinalLedgerStatus(existing.status)) return 'final';
  const foreignLiveClaim =
    existing.status === 'pending' &&
    existing.guild_id !== scope.guildId &&
    now - Number(existing.claimed_at ?? 0) < FOREIGN_CLAIM_STALE_MS;
  if (foreignLiveClaim) return 'claimed-elsewhere';
  await client.query(
    `UPDATE ledger SET status = 'pending', attempts = attempts + 1, guild_id = $4, fence = $5, run_id = $6,
       claimed_at = $7, updated_at = $7 WHERE game = $1 AND fid = $2 AND code = $3`,
    [scope.game, fid, scope.code, scope.guildId, scope.fence, scope.runId, now],
  );
  return 'claimed';
}

/** Writes a call's outcome under the run's fence in one conditional upsert: a final row matches nothing and stays. */
async function recordRow(
  client: PoolClient,
  scope: RunScope,
  fid: string,
  outcome: LedgerOutcome,
): Promise<RecordResult> {
  if (!(await fenceHolds(client, scope))) return 'stale-fence';
  const now = Date.now();
  const result = await client.query(
    `INSERT INTO ledger (game, fid, code, status, reason, err_code, msg, attempts, guild_id, fence, run_id, updated_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12)
     ON CONFLICT (game, fid, code) DO UPDATE SET status = excluded.status, reason = excluded.reason,
       err_code = excluded.err_code, msg = excluded.msg, guild_id = excluded.guild_id, fence = excluded.fence,
       run_id = excluded.run_id, updated_at = excluded.updated_at, finished_at = excluded.finished_at
     WHERE ledger.status NOT IN (${FINAL_LEDGER_IN_SQL})`,
    [
      scope.game,
      fid,
      scope.code,
      outcome.status,
      outcome.reason ?? null,
      outcome.errCode ?? null,
      outcome.msg ?? null,
      scope.guildId,
      scope.fence,
      scope.runId,
      now,
      isFinalLedgerStatus(outcome.status) ? now : null,
    ],
  );
  return result.rowCount === 1 ? 'recorded' : 'already-final';
}
