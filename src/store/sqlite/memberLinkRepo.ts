import type { DatabaseSync } from 'node:sqlite';
import { toMemberLink } from '../selfServiceRows.ts';
import type { MemberLinkRecord, MemberLinkRepo } from '../types.ts';
import { transaction } from './database.ts';

export function createMemberLinkRepo(db: DatabaseSync): MemberLinkRepo {
  const forUser = (guildId: string, userId: string): MemberLinkRecord | null => {
    const row = db.prepare('SELECT * FROM member_links WHERE guild_id = ? AND user_id = ?').get(guildId, userId);
    return row ? toMemberLink(row) : null;
  };
  const forPlayer = (guildId: string, fid: string): MemberLinkRecord | null => {
    const row = db.prepare('SELECT * FROM member_links WHERE guild_id = ? AND fid = ?').get(guildId, fid);
    return row ? toMemberLink(row) : null;
  };

  return {
    async link({ guildId, game, fid, userId, locale = null }) {
      return transaction(db, () => {
        const player = forPlayer(guildId, fid);
        if (player && player.userId !== userId) return { linked: false, reason: 'taken', existing: player } as const;
        const user = forUser(guildId, userId);
        if (user && user.fid !== fid) return { linked: false, reason: 'other-player', existing: user } as const;
        if (!player)
          db.prepare(
            'INSERT INTO member_links (guild_id, game, fid, user_id, notify, linked_at, locale) VALUES (?, ?, ?, ?, 0, ?, ?)',
          ).run(guildId, game, fid, userId, Date.now(), locale);
        else if (locale)
          db.prepare('UPDATE member_links SET locale = ? WHERE guild_id = ? AND fid = ?').run(locale, guildId, fid);
        return { linked: true, link: forPlayer(guildId, fid)! } as const;
      });
    },
    async forUser(guildId, userId) {
      return forUser(guildId, userId);
    },
    async forPlayer(guildId, fid) {
      return forPlayer(guildId, fid);
    },
    async unlinkUser(guildId, userId) {
      return transaction(db, () => {
        const link = forUser(guildId, userId);
        if (link) db.prepare('DELETE FROM member_links WHERE guild_id = ? AND user_id = ?').run(guildId, userId);
        return link;
      });
    },
    async unlinkPlayer(guildId, fid) {
      return transaction(db, () => {
        const link = forPlayer(guildId, fid);
        if (link) db.prepare('DELETE FROM member_links WHERE guild_id = ? AND fid = ?').run(guildId, fid);
        return link;
      });
    },
    async rememberLocale(guildId, userId, locale) {
      db.prepare('UPDATE member_links SET locale = ? WHERE guild_id = ? AND user_id = ?').run(locale, guildId, userId);
    },
    async setNotify(guildId, userId, on) {
      db.prepare(
        'UPDATE member_links SET notify = ?, dm_closed_at = CASE WHEN ? = 1 THEN NULL ELSE dm_closed_at END WHERE guild_id = ? AND user_id = ?',
      ).run(on ? 1 : 0, on ? 1 : 0, guildId, userId);
      return forUser(guildId, userId);
    },
    async markDmClosed(guildId, userId, at) {
      db.prepare(
        'UPDATE member_links SET dm_closed_at = ? WHERE guild_id = ? AND user_id = ? AND dm_closed_at IS NULL',
      ).run(at, guildId, userId);
    },
    async listToNotify(game, fids) {
      if (fids.length === 0) return [];
      const wanted = new Set(fids);
      return db
        .prepare('SELECT * FROM member_links WHERE game = ? AND notify = 1 AND dm_closed_at IS NULL ORDER BY linked_at')
        .all(game)
        .map(toMemberLink)
        .filter((link) => wanted.has(link.fid));
    },
  };
}
