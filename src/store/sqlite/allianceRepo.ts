import type { DatabaseSync } from 'node:sqlite';
import type { AllianceRecord, AllianceRepo } from '../types.ts';
import { ALLIANCE_COLUMNS, toAlliance, toSqlValue } from '../rows.ts';
import { transaction } from './database.ts';

const ACTIVE = 'removed_at IS NULL';

export function createAllianceRepo(db: DatabaseSync): AllianceRepo {
  const get = (id: number): AllianceRecord | null => {
    const row = db.prepare(`SELECT * FROM alliances WHERE id = ? AND ${ACTIVE}`).get(id);
    return row ? toAlliance(row) : null;
  };
  const byName = (guildId: string, name: string): AllianceRecord | null => {
    const row = db
      .prepare(`SELECT * FROM alliances WHERE guild_id = ? AND lower(name) = lower(?) AND ${ACTIVE}`)
      .get(guildId, name.trim());
    return row ? toAlliance(row) : null;
  };

  return {
    async add(alliance) {
      return transaction(db, () => {
        const name = alliance.name.trim();
        const existing = byName(alliance.guildId, name);
        if (existing) return { created: false, reason: 'name-taken', existing } as const;
        const now = Date.now();
        // The legacy guilds.game column is NOT NULL: a new server row takes its first alliance's game.
        db.prepare(
          `INSERT INTO guilds (id, game, auto_redeem, fanout_priority, created_at, updated_at)
           VALUES (?, ?, 1, 100, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(alliance.guildId, alliance.game, now, now);
        const result = db
          .prepare(
            `INSERT INTO alliances (guild_id, name, game, default_state, auto_redeem, result_channel_id,
                                    codes_channel_id, fanout_priority, self_join, language, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
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
            now,
          );
        const created = get(Number(result.lastInsertRowid));
        if (!created) throw new Error('alliance vanished after insert');
        return { created: true, alliance: created } as const;
      });
    },
    async update(id, changes) {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      for (const [key, column] of Object.entries(ALLIANCE_COLUMNS)) {
        const value = changes[key as keyof typeof changes];
        if (value === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(key === 'name' ? String(value).trim() : toSqlValue(value));
      }
      if (sets.length === 0) return get(id);
      return transaction(db, () => {
        const current = get(id);
        if (!current) return null;
        if (changes.name !== undefined) {
          const taken = byName(current.guildId, changes.name);
          if (taken && taken.id !== id) {
            throw new Error(`this server already has an alliance named "${taken.name}"`);
          }
        }
        db.prepare(`UPDATE alliances SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(
          ...values,
          Date.now(),
          id,
        );
        return get(id);
      });
    },
    async get(id) {
      return get(id);
    },
    async byName(guildId, name) {
      return byName(guildId, name);
    },
    async list(filter = {}) {
      const where = [ACTIVE];
      const values: (string | number)[] = [];
      if (filter.guildId !== undefined) {
        where.push('guild_id = ?');
        values.push(filter.guildId);
      }
      if (filter.game) {
        where.push('game = ?');
        values.push(filter.game);
      }
      if (filter.autoRedeem !== undefined) {
        where.push('auto_redeem = ?');
        values.push(filter.autoRedeem ? 1 : 0);
      }
      if (filter.codesChannelId !== undefined) {
        where.push('codes_channel_id = ?');
        values.push(filter.codesChannelId);
      }
      return db
        .prepare(`SELECT * FROM alliances WHERE ${where.join(' AND ')} ORDER BY fanout_priority, created_at, id`)
        .all(...values)
        .map(toAlliance);
    },
    async remove(id) {
      return transaction(db, () => {
        if (!get(id)) return null;
        const now = Date.now();
        const members = Number(
          db.prepare('UPDATE members SET removed_at = ? WHERE alliance_id = ? AND removed_at IS NULL').run(now, id)
            .changes,
        );
        db.prepare('UPDATE alliances SET removed_at = ?, updated_at = ? WHERE id = ?').run(now, now, id);
        return { members };
      });
    },
  };
}
