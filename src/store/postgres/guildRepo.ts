import { toGuild } from '../rows.ts';
import type { GuildRecord, GuildRepo } from '../types.ts';
import { withTransaction, type Pool } from './database.ts';

/** What belongs to the server as a whole; its redeeming settings live on its alliances. */
const COLUMNS: Record<Exclude<keyof GuildRecord, 'id'>, string> = { name: 'name', adminRoleId: 'admin_role_id' };

export function createPgGuildRepo(pool: Pool): GuildRepo {
  const repo: GuildRepo = {
    async ensure(guild) {
      const now = Date.now();
      // The legacy game column is NOT NULL and no longer read; a server's first alliance fills it when it creates the row.
      await pool.query(
        `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, created_at, updated_at) VALUES ($1, 'wos', 1, 100, $2, $2)
         ON CONFLICT (id) DO NOTHING`,
        [guild.id, now],
      );
      const ensured =
        guild.name === undefined ? await repo.get(guild.id) : await repo.update(guild.id, { name: guild.name });
      if (!ensured) throw new Error(`guild ${guild.id} vanished during ensure`);
      return ensured;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, column] of Object.entries(COLUMNS)) {
        const value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        values.push(value);
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
      // The server's alliances, rosters, run history and deferred runs; the ledger and fences stay (they are per player).
      return withTransaction(pool, async (client) => {
        const found = await client.query('SELECT 1 FROM guilds WHERE id = $1 FOR UPDATE', [id]);
        if (found.rowCount === 0) return null;
        const members = (await client.query('DELETE FROM members WHERE guild_id = $1', [id])).rowCount ?? 0;
        // Alliances the server still had (removed ones go too, uncounted).
        const { rows } = await client.query(
          'SELECT COUNT(*) AS n FROM alliances WHERE guild_id = $1 AND removed_at IS NULL',
          [id],
        );
        await client.query('DELETE FROM alliances WHERE guild_id = $1', [id]);
        const alliances = Number(rows[0]?.n ?? 0);
        const runs = (await client.query('DELETE FROM runs WHERE guild_id = $1', [id])).rowCount ?? 0;
        await client.query('DELETE FROM deferred_runs WHERE guild_id = $1', [id]);
        await client.query('DELETE FROM guilds WHERE id = $1', [id]);
        return { alliances, members, runs };
      });
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM guilds WHERE id = $1', [id]);
      return rows[0] ? toGuild(rows[0]) : null;
    },
    async list() {
      const { rows } = await pool.query('SELECT * FROM guilds ORDER BY created_at, id');
      return rows.map(toGuild);
    },
  };
  return repo;
}
