import { ALLIANCE_COLUMNS, toAlliance } from '../rows.ts';
import type { AllianceRecord, AllianceRepo } from '../types.ts';
import { withTransaction, type Pool, type PoolClient } from './database.ts';

/** PostgreSQL's unique_violation: here, the partial unique index on (guild_id, lower(name)). */
const isNameTaken = (error: unknown) => (error as { code?: string }).code === '23505';

async function byName(db: Pool | PoolClient, guildId: string, name: string): Promise<AllianceRecord | null> {
  const { rows } = await db.query(
    'SELECT * FROM alliances WHERE guild_id = $1 AND lower(name) = lower($2) AND removed_at IS NULL',
    [guildId, name.trim()],
  );
  return rows[0] ? toAlliance(rows[0]) : null;
}

export function createPgAllianceRepo(pool: Pool): AllianceRepo {
  const repo: AllianceRepo = {
    async add(alliance) {
      const name = alliance.name.trim();
      if (name === '') throw new Error('an alliance needs a name');
      const attempt = () =>
        withTransaction(pool, async (client) => {
          const now = Date.now();
          // A new server row takes the first alliance's game in its legacy (no longer read) game column.
          await client.query(
            `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, created_at, updated_at) VALUES ($1, $2, 1, 100, $3, $3)
             ON CONFLICT (id) DO NOTHING`,
            [alliance.guildId, alliance.game, now],
          );
          const existing = await byName(client, alliance.guildId, name);
          if (existing) return { created: false as const, reason: 'name-taken' as const, existing };
          const { rows } = await client.query(
            `INSERT INTO alliances (guild_id, name, game, default_state, auto_redeem, result_channel_id, codes_channel_id,
               fanout_priority, self_join, language, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
            [
              alliance.guildId,
              name,
              alliance.game,
              alliance.defaultState ?? null,
              alliance.autoRedeem === false ? 0 : 1,
              alliance.resultChannelId ?? null,
              alliance.codesChannelId ?? null,
              alliance.fanoutPriority ?? 100,
              alliance.selfJoin ?? 'approve',
              alliance.language ?? null,
              now,
            ],
          );
          return { created: true as const, alliance: toAlliance(rows[0]) };
        });
      try {
        return await attempt();
      } catch (error) {
        // Another process added the same name meanwhile: answer as if we had seen it.
        if (!isNameTaken(error)) throw error;
        const existing = await byName(pool, alliance.guildId, name);
        if (!existing) throw error;
        return { created: false, reason: 'name-taken', existing };
      }
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, column] of Object.entries(ALLIANCE_COLUMNS)) {
        let value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        if (key === 'name') value = String(value).trim();
        values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length > 0) {
        values.push(Date.now(), id);
        try {
          await pool.query(
            `UPDATE alliances SET ${sets.join(', ')}, updated_at = $${values.length - 1}
             WHERE id = $${values.length} AND removed_at IS NULL`,
            values,
          );
        } catch (error) {
          if (isNameTaken(error))
            throw new Error(`this server already has an alliance named "${changes.name}"`, { cause: error });
          throw error;
        }
      }
      return repo.get(id);
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM alliances WHERE id = $1 AND removed_at IS NULL', [id]);
      return rows[0] ? toAlliance(rows[0]) : null;
    },
    byName: (guildId, name) => byName(pool, guildId, name),
    async list(filter = {}) {
      const where = ['removed_at IS NULL'];
      const values: unknown[] = [];
      const add = (column: string, value: unknown) => {
        values.push(value);
        where.push(`${column} = $${values.length}`);
      };
      if (filter.guildId !== undefined) add('guild_id', filter.guildId);
      if (filter.game !== undefined) add('game', filter.game);
      if (filter.autoRedeem !== undefined) add('auto_redeem', filter.autoRedeem ? 1 : 0);
      if (filter.codesChannelId !== undefined) add('codes_channel_id', filter.codesChannelId);
      const { rows } = await pool.query(
        `SELECT * FROM alliances WHERE ${where.join(' AND ')} ORDER BY fanout_priority, created_at, id`,
        values,
      );
      return rows.map(toAlliance);
    },
    async remove(id) {
      // Soft: runs and the ledger keep pointing at it; its members leave the rosters (their history is per player).
      return withTransaction(pool, async (client) => {
        const now = Date.now();
        const found = await client.query(
          'UPDATE alliances SET removed_at = $1, updated_at = $1 WHERE id = $2 AND removed_at IS NULL RETURNING id',
          [now, id],
        );
        if (found.rowCount === 0) return null;
        const members = await client.query(
          'UPDATE members SET removed_at = $1 WHERE alliance_id = $2 AND removed_at IS NULL',
          [now, id],
        );
        return { members: members.rowCount ?? 0 };
      });
    },
  };
  return repo;
}
