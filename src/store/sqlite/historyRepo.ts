import type { DatabaseSync } from 'node:sqlite';
import { GUILD_HISTORY_SQL, PLAYER_HISTORY_SQL, toHistoryRow } from '../selfServiceRows.ts';
import type { HistoryRepo } from '../types.ts';

export function createHistoryRepo(db: DatabaseSync): HistoryRepo {
  return {
    async forPlayer(game, fid, limit) {
      return db.prepare(PLAYER_HISTORY_SQL).all(game, fid, limit).map(toHistoryRow);
    },
    async forGuild(guildId, filter = {}) {
      return db
        .prepare(GUILD_HISTORY_SQL)
        .all(guildId, filter.code ?? null)
        .map(toHistoryRow);
    },
  };
}
