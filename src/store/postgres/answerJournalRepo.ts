import type { Game } from '../../game/games.ts';
import type { AnswerJournalRepo } from '../types.ts';
import type { Pool } from './database.ts';
import { toJournalEntry } from '../rows.ts';

/** The answer journal on PostgreSQL: one INSERT per answer, outside any fenced transaction, never refused as stale. */
export function createPgAnswerJournalRepo(pool: Pool): AnswerJournalRepo {
  return {
    async append(entry) {
      await pool.query(
        `INSERT INTO answer_journal (run_id, fence, guild_id, game, fid, code, http_status, err_code, msg, kind, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          entry.runId,
          entry.fence,
          entry.guildId,
          entry.game,
          entry.fid,
          entry.code,
          entry.httpStatus,
          entry.errCode,
          entry.msg,
          entry.kind,
          entry.at,
        ],
      );
    },
    async listForCode(game, code) {
      const { rows } = await pool.query('SELECT * FROM answer_journal WHERE game = $1 AND code = $2 ORDER BY id', [
        game,
        code,
      ]);
      return rows.map(toJournalEntry);
    },
    async lastCalls(since) {
      const { rows } = await pool.query(
        'SELECT game, fid, MAX(at) AS at FROM answer_journal WHERE at >= $1 GROUP BY game, fid',
        [since],
      );
      return rows.map((row) => ({ game: row.game as Game, fid: String(row.fid), at: Number(row.at) }));
    },
  };
}
