import type { Game } from '../../game/games.ts';
import { toCode } from '../rows.ts';
import type { CodeRepo } from '../types.ts';
import type { Pool } from './database.ts';
import { FINAL_CODE_IN_SQL } from '../sqlLists.ts';

export function createPgCodeRepo(pool: Pool): CodeRepo {
  const get = async (game: Game, code: string) => {
    const { rows } = await pool.query('SELECT * FROM codes WHERE game = $1 AND code = $2', [game, code]);
    return rows[0] ? toCode(rows[0]) : null;
  };
  return {
    async add(game, code, source) {
      const now = Date.now();
      const result = await pool.query(
        `INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES ($1, $2, 'new', $3, $4, $4)
         ON CONFLICT (game, code) DO NOTHING`,
        [game, code, source, now],
      );
      const record = await get(game, code);
      if (!record) throw new Error(`code ${code} vanished during add`);
      return { created: (result.rowCount ?? 0) > 0, code: record };
    },
    get,
    async setStatus(game, code, status, raw = {}) {
      await pool.query(
        `UPDATE codes SET status = $1, status_changed_at = $2,
           validation_err_code = COALESCE($3, validation_err_code), validation_msg = COALESCE($4, validation_msg)
         WHERE game = $5 AND code = $6`,
        [status, Date.now(), raw.errCode ?? null, raw.msg ?? null, game, code],
      );
    },
    async reopenForRecheck(game, code) {
      const result = await pool.query(
        `UPDATE codes SET status = 'new', status_changed_at = $1, fanout_done_at = NULL, recheck_count = recheck_count + 1
         WHERE game = $2 AND code = $3 AND status IN (${FINAL_CODE_IN_SQL}) AND recheck_count = 0`,
        [Date.now(), game, code],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async markFanoutStarted(game, code) {
      await pool.query('UPDATE codes SET fanout_started_at = $1 WHERE game = $2 AND code = $3', [
        Date.now(),
        game,
        code,
      ]);
    },
    async markFanoutDone(game, code) {
      await pool.query('UPDATE codes SET fanout_done_at = $1 WHERE game = $2 AND code = $3', [Date.now(), game, code]);
    },
    async list(filter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.game) {
        values.push(filter.game);
        where.push(`game = $${values.length}`);
      }
      if (filter.statuses && filter.statuses.length > 0) {
        values.push([...filter.statuses]);
        where.push(`status = ANY($${values.length}::text[])`);
      }
      const { rows } = await pool.query(
        `SELECT * FROM codes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_seen_at DESC, code`,
        values,
      );
      return rows.map(toCode);
    },
  };
}
