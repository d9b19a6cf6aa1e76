import type { DatabaseSync } from 'node:sqlite';
import type { Game } from '../../game/games.ts';
import type { DeferredRunRepo } from '../types.ts';
import { transaction } from './database.ts';
import { toDeferred } from '../rows.ts';

/** Two asks merged: null (everyone) wins, else the union. */
function unite<T>(a: readonly T[] | null, b: readonly T[] | null): T[] | null {
  return a === null || b === null ? null : [...new Set([...a, ...b])];
}

export function createDeferredRunRepo(db: DatabaseSync): DeferredRunRepo {
  const get = (guildId: string, game: Game, code: string) =>
    db.prepare('SELECT * FROM deferred_runs WHERE guild_id = ? AND game = ? AND code = ?').get(guildId, game, code);

  return {
    async defer(run) {
      return transaction(db, () => {
        const existing = get(run.guildId, run.game, run.code);
        if (!existing) {
          db.prepare(
            `INSERT INTO deferred_runs (guild_id, game, code, trigger, fids, alliance_ids, reason, deferred_at, attempts,
                                        next_attempt_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
          ).run(
            run.guildId,
            run.game,
            run.code,
            run.trigger,
            run.fids ? JSON.stringify([...new Set(run.fids)]) : null,
            run.allianceIds ? JSON.stringify([...new Set(run.allianceIds)]) : null,
            run.reason,
            Date.now(),
            run.nextAttemptAt,
          );
        } else {
          const before = toDeferred(existing);
          const fids = unite(before.fids, run.fids);
          const allianceIds = unite(before.allianceIds, run.allianceIds);
          db.prepare(
            `UPDATE deferred_runs SET fids = ?, alliance_ids = ?, reason = ?, next_attempt_at = MIN(next_attempt_at, ?),
               version = version + 1
             WHERE guild_id = ? AND game = ? AND code = ?`,
          ).run(
            fids ? JSON.stringify(fids) : null,
            allianceIds ? JSON.stringify(allianceIds) : null,
            run.reason,
            run.nextAttemptAt,
            run.guildId,
            run.game,
            run.code,
          );
        }
        return toDeferred(get(run.guildId, run.game, run.code)!);
      });
    },
    async claimDue(now, leaseMs, limit) {
      return transaction(db, () => {
        const rows = db
          .prepare('SELECT * FROM deferred_runs WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?')
          .all(now, limit);
        const update = db.prepare(
          'UPDATE deferred_runs SET next_attempt_at = ? WHERE guild_id = ? AND game = ? AND code = ?',
        );
        for (const row of rows)
          update.run(now + leaseMs, row.guild_id as string, row.game as string, row.code as string);
        return rows.map(toDeferred);
      });
    },
    async reschedule(key, nextAttemptAt, reason) {
      db.prepare(
        `UPDATE deferred_runs SET attempts = attempts + 1, next_attempt_at = ?, reason = ? WHERE guild_id = ? AND game = ? AND code = ?`,
      ).run(nextAttemptAt, reason, key.guildId, key.game, key.code);
    },
    async remove(key, version) {
      const result = db
        .prepare('DELETE FROM deferred_runs WHERE guild_id = ? AND game = ? AND code = ? AND version = ?')
        .run(key.guildId, key.game, key.code, version);
      return Number(result.changes) > 0;
    },
    async list() {
      return db.prepare('SELECT * FROM deferred_runs ORDER BY next_attempt_at').all().map(toDeferred);
    },
  };
}
