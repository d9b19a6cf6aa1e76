import type { DatabaseSync } from 'node:sqlite';
import type { WrongStateRepo } from '../types.ts';

export function createWrongStateRepo(db: DatabaseSync): WrongStateRepo {
  return {
    async record(game, fid, kid, raw = {}) {
      db.prepare(
        `INSERT INTO wrong_states (game, fid, kid, err_code, msg, probed_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (game, fid, kid) DO NOTHING`,
      ).run(game, fid, kid, raw.errCode ?? null, raw.msg ?? null, Date.now());
    },
    async list(game, fid) {
      return db
        .prepare('SELECT kid FROM wrong_states WHERE game = ? AND fid = ? ORDER BY probed_at, kid')
        .all(game, fid)
        .map((row) => Number(row.kid));
    },
    async counts(game, fids) {
      const wanted = new Set(fids);
      const counts = new Map<string, number>();
      const rows = db.prepare('SELECT fid, COUNT(*) AS n FROM wrong_states WHERE game = ? GROUP BY fid').all(game);
      for (const row of rows) {
        const fid = String(row.fid);
        if (wanted.has(fid)) counts.set(fid, Number(row.n));
      }
      return counts;
    },
    async clear(game, fid) {
      return Number(db.prepare('DELETE FROM wrong_states WHERE game = ? AND fid = ?').run(game, fid).changes);
    },
  };
}
