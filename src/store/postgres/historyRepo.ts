import { GUILD_HISTORY_SQL, PLAYER_HISTORY_SQL, toHistoryRow } from '../selfServiceRows.ts';
import type { HistoryRepo } from '../types.ts';
import type { Pool } from './database.ts';

/** The shared queries use SQLite's `?N`; PostgreSQL needs `$N` with a type where a parameter is only compared to NULL. */
const pg = (sql: string, types: Record<string, string>): string =>
  sql.replace(/\?(\d)/g, (_, n: string) => `$${n}::${types[n] ?? 'text'}`);

const GUILD_SQL = pg(GUILD_HISTORY_SQL, {});
const PLAYER_SQL = pg(PLAYER_HISTORY_SQL, { '3': 'int' });

export function createPgHistoryRepo(pool: Pool): HistoryRepo {
  return {
    async forPlayer(game, fid, limit) {
      return (await pool.query(PLAYER_SQL, [game, fid, limit])).rows.map(toHistoryRow);
    },
    async forGuild(guildId, filter = {}) {
      return (await pool.query(GUILD_SQL, [guildId, filter.code ?? null])).rows.map(toHistoryRow);
    },
  };
}
