import type { DatabaseSync } from 'node:sqlite';
import type { GuildRepo } from '../types.ts';
import { GUILD_COLUMNS, toGuild, toSqlValue } from '../rows.ts';
import { transaction } from './database.ts';

export function createGuildRepo(db: DatabaseSync): GuildRepo {
  const repo: GuildRepo = {
    async ensure(guild) {
      const now = Date.now();
      // guilds.game is a legacy NOT NULL column no longer read: a server row made before any alliance says 'wos'.
      const first = db.prepare('SELECT game FROM alliances WHERE guild_id = ? ORDER BY id LIMIT 1').get(guild.id) as
        | { game?: string }
        | undefined;
      db.prepare(
        `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, name, created_at, updated_at)
         VALUES (?, ?, 1, 100, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ).run(guild.id, first?.game ?? 'wos', guild.name ?? null, now, now);
      const updated =
        guild.name !== undefined ? await repo.update(guild.id, { name: guild.name }) : await repo.get(guild.id);
      if (!updated) throw new Error(`guild ${guild.id} vanished during ensure`);
      return updated;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      for (const [key, column] of Object.entries(GUILD_COLUMNS)) {
        const value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(toSqlValue(value));
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
        const alliances = Number(
          db.prepare('SELECT COUNT(*) AS n FROM alliances WHERE guild_id = ? AND removed_at IS NULL').get(id)?.n ?? 0,
        );
        db.prepare('DELETE FROM alliances WHERE guild_id = ?').run(id);
        const runs = Number(db.prepare('DELETE FROM runs WHERE guild_id = ?').run(id).changes);
        db.prepare('DELETE FROM deferred_runs WHERE guild_id = ?').run(id);
        db.prepare('DELETE FROM guilds WHERE id = ?').run(id);
        return { alliances, members, runs };
      });
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM guilds WHERE id = ?').get(id);
      return row ? toGuild(row) : null;
    },
    async list() {
      return db.prepare('SELECT * FROM guilds ORDER BY created_at, id').all().map(toGuild);
    },
  };
  return repo;
}
