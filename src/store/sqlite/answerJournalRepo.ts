import type { DatabaseSync } from 'node:sqlite';
import type { Game } from '../../game/games.ts';
import type { AnswerJournalRepo } from '../types.ts';
import { toJournalEntry } from '../rows.ts';

/** The answer journal: one INSERT per answer, outside any fenced transaction, so it is never refused as stale. */
export function createAnswerJournalRepo(db: DatabaseSync): AnswerJournalRepo {
  return {
    async append(entry) {
      db.prepare(
        `INSERT INTO answer_journal (run_id, fence, guild_id, game, fid, code, http_status, err_code, msg, kind, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
      );
    },
    async listForCode(game, code) {
      return db
        .prepare('SELECT * FROM answer_journal WHERE game = ? AND code = ? ORDER BY id')
        .all(game, code)
        .map(toJournalEntry);
    },
    async lastCalls(since) {
      return db
        .prepare('SELECT game, fid, MAX(at) AS at FROM answer_journal WHERE at >= ? GROUP BY game, fid')
        .all(since)
        .map((row) => ({ game: row.game as Game, fid: String(row.fid), at: Number(row.at) }));
    },
  };
}
