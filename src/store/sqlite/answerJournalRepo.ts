import type { DatabaseSync } from 'node:sqlite';
import type { Game } from '../../game/games.ts';
import type { AnswerJournalRepo, JournalEntry } from '../types.ts';
import { num, text, type Row } from './database.ts';

function toEntry(row: Row): JournalEntry {
  return {
    id: Number(row.id),
    runId: num(row.run_id),
    fence: Number(row.fence),
    guildId: String(row.guild_id),
    game: row.game as Game,
    fid: String(row.fid),
    code: String(row.code),
    httpStatus: num(row.http_status),
    errCode: num(row.err_code),
    msg: text(row.msg),
    kind: String(row.kind),
    at: Number(row.at),
  };
}

/** The answer journal: one INSERT per answer, outside any fenced transaction, so it is never refused as stale. */
export function createAnswerJournalRepo(db: DatabaseSync): AnswerJournalRepo {
  return {
    async append(entry) {
      db.prepare(
        `INSERT INTO answer_journal (run_id, fence, guild_id, game, fid, code, http_status, err_code, msg, kind, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(entry.runId, entry.fence, entry.guildId, entry.game, entry.fid, entry.code, entry.httpStatus, entry.errCode, entry.msg, entry.kind, entry.at);
    },
    async listForCode(game, code) {
      return db.prepare('SELECT * FROM answer_journal WHERE game = ? AND code = ? ORDER BY id').all(game, code).map(toEntry);
    },
    async lastCalls(since) {
      return db
        .prepare('SELECT game, fid, MAX(at) AS at FROM answer_journal WHERE at >= ? GROUP BY game, fid')
        .all(since)
        .map((row) => ({ game: row.game as Game, fid: String(row.fid), at: Number(row.at) }));
    },
  };
}
