import { toRun } from '../rows.ts';
import type { RunRepo } from '../types.ts';
import type { Pool } from './database.ts';

export function createPgRunRepo(pool: Pool): RunRepo {
  const get = async (id: number) => {
    const { rows } = await pool.query('SELECT * FROM runs WHERE id = $1', [id]);
    return rows[0] ? toRun(rows[0]) : null;
  };
  return {
    async start(run) {
      const { rows } = await pool.query(
        `INSERT INTO runs (guild_id, game, code, alliance_ids, trigger, fence, owner, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          run.guildId,
          run.game,
          run.code,
          JSON.stringify([...new Set(run.allianceIds)]),
          run.trigger,
          run.fence,
          run.owner,
          Date.now(),
        ],
      );
      return toRun(rows[0]);
    },
    async finish(id, outcome, counts, message = null) {
      await pool.query('UPDATE runs SET outcome = $1, counts = $2, message = $3, finished_at = $4 WHERE id = $5', [
        outcome,
        JSON.stringify(counts),
        message,
        Date.now(),
        id,
      ]);
    },
    get,
    async listRunning(filter = {}) {
      const { rows } = filter.owner
        ? await pool.query(`SELECT * FROM runs WHERE outcome = 'running' AND owner = $1 ORDER BY id`, [filter.owner])
        : await pool.query(`SELECT * FROM runs WHERE outcome = 'running' ORDER BY id`);
      return rows.map(toRun);
    },
    async markInterrupted(ids) {
      if (ids.length === 0) return;
      await pool.query(
        `UPDATE runs SET outcome = 'interrupted', finished_at = $1 WHERE id = ANY($2::bigint[]) AND outcome = 'running'`,
        [Date.now(), [...ids]],
      );
    },
    async listRecent(guildId, limit) {
      const { rows } = await pool.query('SELECT * FROM runs WHERE guild_id = $1 ORDER BY id DESC LIMIT $2', [
        guildId,
        limit,
      ]);
      return rows.map(toRun);
    },
  };
}
