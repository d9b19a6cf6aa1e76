import type { DatabaseSync } from 'node:sqlite';
import type { Game } from '../../game/games.ts';
import type { CodeRepo } from '../types.ts';
import { toCode } from '../rows.ts';
import { FINAL_CODE_IN_SQL } from '../sqlLists.ts';

export function createCodeRepo(db: DatabaseSync): CodeRepo {
  const get = (game: Game, code: string) => {
    const row = db.prepare('SELECT * FROM codes WHERE game = ? AND code = ?').get(game, code);
    return row ? toCode(row) : null;
  };
  return {
    async add(game, code, source) {
      const now = Date.now();
      const result = db
        .prepare(
          `INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at)
           VALUES (?, ?, 'new', ?, ?, ?) ON CONFLICT (game, code) DO NOTHING`,
        )
        .run(game, code, source, now, now);
      const record = get(game, code);
      if (!record) throw new Error(`code ${code} vanished during add`);
      return { created: Number(result.changes) > 0, code: record };
    },
    async get(game, code) {
      return get(game, code);
    },
    async setStatus(game, code, status, raw = {}) {
      db.prepare(
        `UPDATE codes SET status = ?, status_changed_at = ?,
           validation_err_code = COALESCE(?, validation_err_code), validation_msg = COALESCE(?, validation_msg)
         WHERE game = ? AND code = ?`,
      ).run(status, Date.now(), raw.errCode ?? null, raw.msg ?? null, game, code);
    },
    async reopenForRecheck(game, code) {
      const result = db
        .prepare(
          `UPDATE codes SET status = 'new', status_changed_at = ?, fanout_done_at = NULL, recheck_count = recheck_count + 1
           WHERE game = ? AND code = ? AND status IN (${FINAL_CODE_IN_SQL}) AND recheck_count = 0`,
        )
        .run(Date.now(), game, code);
      return Number(result.changes) > 0;
    },
    async markFanoutStarted(game, code) {
      db.prepare('UPDATE codes SET fanout_started_at = ? WHERE game = ? AND code = ?').run(Date.now(), game, code);
    },
    async markFanoutDone(game, code) {
      db.prepare('UPDATE codes SET fanout_done_at = ? WHERE game = ? AND code = ?').run(Date.now(), game, code);
    },
    async list(filter = {}) {
      const where: string[] = [];
      const values: string[] = [];
      if (filter.game) {
        where.push('game = ?');
        values.push(filter.game);
      }
      if (filter.statuses && filter.statuses.length > 0) {
        where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
        values.push(...filter.statuses);
      }
      const sql = `SELECT * FROM codes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_seen_at DESC, code`;
      return db
        .prepare(sql)
        .all(...values)
        .map(toCode);
    },
  };
}
