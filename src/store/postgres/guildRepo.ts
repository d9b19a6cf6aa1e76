import { GUILD_COLUMNS, toGuild } from '../rows.ts';
import type { GuildRepo } from '../types.ts';
import { withTransaction, type Pool } from './database.ts';

export function createPgGuildRepo(pool: Pool): GuildRepo {
  const repo: GuildRepo = {
    async upsert(guild) {
      const now = Date.now();
      await pool.query(
        `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, created_at, updated_at) VALUES ($1, $2, 1, 100, $3, $3)
         ON CONFLICT (id) DO NOTHING`,
        [guild.id, guild.game, now],
      );
      const { id, ...changes } = guild;
      const updated = await repo.update(id, changes);
      if (!updated) throw new Error(`guild ${id} vanished during upsert`);
      return updated;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, column] of Object.entries(GUILD_COLUMNS)) {
        const value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length > 0) {
        values.push(Date.now(), id);
        await pool.query(
          `UPDATE guilds SET ${sets.join(', ')}, updated_at = $${values.length - 1} WHERE id = $${values.length}`,
          values,
        );
      }
      return repo.get(id);
    },
    async remove(id) {
      // The server's alliance, roster, run history and deferred runs; the ledger and fences stay (they are per player).
      return withTransaction(pool, async (client) => {
        const found = await client.query('SELECT 1 FROM guilds WHERE id = $1 FOR UPDATE', [id]);
        if (found.rowCount === 0) return null;
        const members = (await client.query('DELETE FROM members WHERE guild_id = $1', [id])).rowCount ?? 0;
        const runs = (await client.query('DELETE FROM runs WHERE guild_id = $1', [id])).rowCount ?? 0;
        await client.query('DELETE FROM deferred_runs WHERE guild_id = $1', [id]);
        await client.query('DELETE FROM guilds WHERE id = $1', [id]);
        return { members, runs };
      });
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM guilds WHERE id = $1', [id]);
      return rows[0] ? toGuild(rows[0]) : null;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.game) {
        values.push(filter.game);
        where.push(`game = $${values.length}`);
      }
      if (filter.autoRedeem !== undefined) {
        values.push(filter.autoRedeem ? 1 : 0);
        where.push(`auto_redeem = $${values.length}`);
      }
      const { rows } = await pool.query(
        `SELECT * FROM guilds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fanout_priority, created_at, id`,
        values,
      );
      return rows.map(toGuild);
    },
  };
  return repo;
}
