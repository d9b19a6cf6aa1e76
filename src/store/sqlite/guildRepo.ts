import type { DatabaseSync } from 'node:sqlite';
import type { GuildRepo } from '../types.ts';
import { GUILD_COLUMNS, toGuild } from '../rows.ts';
import { transaction } from './database.ts';

function toSql(value: unknown): string | number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as string | number | null;
}

export function createGuildRepo(db: DatabaseSync): GuildRepo {
  const repo: GuildRepo = {
    async upsert(guild) {
      const now = Date.now();
      db.prepare(
        `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, created_at, updated_at)
         VALUES (?, ?, 1, 100, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ).run(guild.id, guild.game, now, now);
      const { id, ...changes } = guild;
      const updated = await repo.update(id, changes);
      if (!updated) throw new Error(`guild ${id} vanished during upsert`);
      return updated;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      for (const [key, column] of Object.entries(GUILD_COLUMNS)) {
        if (!(key in changes)) continue;
        const value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(toSql(value));
      }
      if (sets.length > 0) {
        db.prepare(`UPDATE guilds SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...values, Date.now(), id);
      }
      return repo.get(id);
    },
    async remove(id) {
      return transaction(db, () => {
        if (!db.prepare('SELECT 1 FROM guilds WHERE id = ?').get(id)) return null;
        const members = Number(db.prepare('DELETE FROM members WHERE guild_id = ?').run(id).changes);
        const runs = Number(db.prepare('DELETE FROM runs WHERE guild_id = ?').run(id).changes);
        db.prepare('DELETE FROM deferred_runs WHERE guild_id = ?').run(id);
        db.prepare('DELETE FROM guilds WHERE id = ?').run(id);
        return { members, runs };
      });
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM guilds WHERE id = ?').get(id);
      return row ? toGuild(row) : null;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const values: (string | number)[] = [];
      if (filter.game) {
        where.push('game = ?');
        values.push(filter.game);
      }
      if (filter.autoRedeem !== undefined) {
        where.push('auto_redeem = ?');
        values.push(filter.autoRedeem ? 1 : 0);
      }
      const sql = `SELECT * FROM guilds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fanout_priority, created_at, id`;
      return db
        .prepare(sql)
        .all(...values)
        .map(toGuild);
    },
  };
  return repo;
}
