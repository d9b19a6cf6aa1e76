import { toDeferred } from '../rows.ts';
import type { DeferredRunRepo } from '../types.ts';
import { withTransaction, type Pool } from './database.ts';

export function createPgDeferredRunRepo(pool: Pool): DeferredRunRepo {
  return {
    async defer(run) {
      return withTransaction(pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO deferred_runs (guild_id, game, code, trigger, fids, alliance_ids, reason, deferred_at, attempts, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) ON CONFLICT (guild_id, game, code) DO NOTHING RETURNING *`,
          [
            run.guildId,
            run.game,
            run.code,
            run.trigger,
            run.fids ? JSON.stringify([...new Set(run.fids)]) : null,
            run.allianceIds ? JSON.stringify([...new Set(run.allianceIds)]) : null,
            run.reason,
            Date.now(),
            run.nextAttemptAt,
          ],
        );
        if (inserted.rows[0]) return toDeferred(inserted.rows[0]);
        // Merge with the row already there, locked so two processes deferring together both get merged in.
        const { rows } = await client.query(
          'SELECT * FROM deferred_runs WHERE guild_id = $1 AND game = $2 AND code = $3 FOR UPDATE',
          [run.guildId, run.game, run.code],
        );
        const before = toDeferred(rows[0]);
        // United; null (every member, every alliance) wins.
        const fids = before.fids === null || run.fids === null ? null : [...new Set([...before.fids, ...run.fids])];
        const allianceIds =
          before.allianceIds === null || run.allianceIds === null
            ? null
            : [...new Set([...before.allianceIds, ...run.allianceIds])];
        const updated = await client.query(
          `UPDATE deferred_runs SET fids = $1, alliance_ids = $2, reason = $3, next_attempt_at = LEAST(next_attempt_at, $4),
             version = version + 1
           WHERE guild_id = $5 AND game = $6 AND code = $7 RETURNING *`,
          [
            fids ? JSON.stringify(fids) : null,
            allianceIds ? JSON.stringify(allianceIds) : null,
            run.reason,
            run.nextAttemptAt,
            run.guildId,
            run.game,
            run.code,
          ],
        );
        return toDeferred(updated.rows[0]);
      });
    },
    async claimDue(now, leaseMs, limit) {
      // SKIP LOCKED: processes claiming together take different rows instead of waiting on each other.
      const { rows } = await pool.query(
        `WITH due AS (
           SELECT * FROM deferred_runs WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED
         ), leased AS (
           UPDATE deferred_runs d SET next_attempt_at = $2 FROM due
           WHERE d.guild_id = due.guild_id AND d.game = due.game AND d.code = due.code
         )
         SELECT * FROM due ORDER BY next_attempt_at`,
        [now, now + leaseMs, limit],
      );
      return rows.map(toDeferred);
    },
    async reschedule(key, nextAttemptAt, reason) {
      await pool.query(
        'UPDATE deferred_runs SET attempts = attempts + 1, next_attempt_at = $1, reason = $2 WHERE guild_id = $3 AND game = $4 AND code = $5',
        [nextAttemptAt, reason, key.guildId, key.game, key.code],
      );
    },
    async remove(key, version) {
      const result = await pool.query(
        'DELETE FROM deferred_runs WHERE guild_id = $1 AND game = $2 AND code = $3 AND version = $4',
        [key.guildId, key.game, key.code, version],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async list() {
      const { rows } = await pool.query('SELECT * FROM deferred_runs ORDER BY next_attempt_at');
      return rows.map(toDeferred);
    },
  };
}
