import type { WrongStateRepo } from '../types.ts';
import type { Pool } from './database.ts';

export function createPgWrongStateRepo(pool: Pool): WrongStateRepo {
  return {
    async record(game, fid, kid, raw = {}) {
      await pool.query(
        `INSERT INTO wrong_states (game, fid, kid, err_code, msg, probed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (game, fid, kid) DO NOTHING`,
        [game, fid, kid, raw.errCode ?? null, raw.msg ?? null, Date.now()],
      );
    },
    async list(game, fid) {
      const { rows } = await pool.query(
        'SELECT kid FROM wrong_states WHERE game = $1 AND fid = $2 ORDER BY probed_at, kid',
        [game, fid],
      );
      return rows.map((row) => Number(row.kid));
    },
    async counts(game, fids) {
      const counts = new Map<string, number>();
      if (fids.length === 0) return counts;
      const { rows } = await pool.query(
        'SELECT fid, COUNT(*) AS n FROM wrong_states WHERE game = $1 AND fid = ANY($2::text[]) GROUP BY fid',
        [game, [...fids]],
      );
      for (const row of rows) counts.set(String(row.fid), Number(row.n));
      return counts;
    },
    async clear(game, fid) {
      return (await pool.query('DELETE FROM wrong_states WHERE game = $1 AND fid = $2', [game, fid])).rowCount ?? 0;
    },
  };
}
