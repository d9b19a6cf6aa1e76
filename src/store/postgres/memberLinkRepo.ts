import { toMemberLink } from '../selfServiceRows.ts';
import type { MemberLinkRecord, MemberLinkRepo } from '../types.ts';
import { withTransaction, type Pool, type Queryable } from './database.ts';

export function createPgMemberLinkRepo(pool: Pool): MemberLinkRepo {
  const one = async (q: Queryable, where: string, values: unknown[]): Promise<MemberLinkRecord | null> => {
    const { rows } = await q.query(`SELECT * FROM member_links WHERE ${where}`, values);
    return rows[0] ? toMemberLink(rows[0]) : null;
  };
  const forUser = (q: Queryable, guildId: string, userId: string) =>
    one(q, 'guild_id = $1 AND user_id = $2', [guildId, userId]);
  const forPlayer = (q: Queryable, guildId: string, fid: string) =>
    one(q, 'guild_id = $1 AND fid = $2', [guildId, fid]);

  return {
    async link({ guildId, game, fid, userId, locale = null }) {
      return withTransaction(pool, async (client) => {
        // The server's row serialises two links of the same server (a player, a user: each taken once).
        await client.query('SELECT id FROM guilds WHERE id = $1 FOR UPDATE', [guildId]);
        const player = await forPlayer(client, guildId, fid);
        if (player && player.userId !== userId) return { linked: false, reason: 'taken', existing: player } as const;
        const user = await forUser(client, guildId, userId);
        if (user && user.fid !== fid) return { linked: false, reason: 'other-player', existing: user } as const;
        if (!player)
          await client.query(
            `INSERT INTO member_links (guild_id, game, fid, user_id, notify, linked_at, locale)
             VALUES ($1, $2, $3, $4, 0, $5, $6)`,
            [guildId, game, fid, userId, Date.now(), locale],
          );
        else if (locale)
          await client.query('UPDATE member_links SET locale = $1 WHERE guild_id = $2 AND fid = $3', [
            locale,
            guildId,
            fid,
          ]);
        return { linked: true, link: (await forPlayer(client, guildId, fid))! } as const;
      });
    },
    forUser: (guildId, userId) => forUser(pool, guildId, userId),
    forPlayer: (guildId, fid) => forPlayer(pool, guildId, fid),
    async unlinkUser(guildId, userId) {
      const { rows } = await pool.query('DELETE FROM member_links WHERE guild_id = $1 AND user_id = $2 RETURNING *', [
        guildId,
        userId,
      ]);
      return rows[0] ? toMemberLink(rows[0]) : null;
    },
    async unlinkPlayer(guildId, fid) {
      const { rows } = await pool.query('DELETE FROM member_links WHERE guild_id = $1 AND fid = $2 RETURNING *', [
        guildId,
        fid,
      ]);
      return rows[0] ? toMemberLink(rows[0]) : null;
    },
    async rememberLocale(guildId, userId, locale) {
      await pool.query('UPDATE member_links SET locale = $1 WHERE guild_id = $2 AND user_id = $3', [
        locale,
        guildId,
        userId,
      ]);
    },
    async setNotify(guildId, userId, on) {
      const { rows } = await pool.query(
        `UPDATE member_links SET notify = $1, dm_closed_at = CASE WHEN $1 = 1 THEN NULL ELSE dm_closed_at END
         WHERE guild_id = $2 AND user_id = $3 RETURNING *`,
        [on ? 1 : 0, guildId, userId],
      );
      return rows[0] ? toMemberLink(rows[0]) : null;
    },
    async markDmClosed(guildId, userId, at) {
      await pool.query(
        'UPDATE member_links SET dm_closed_at = $1 WHERE guild_id = $2 AND user_id = $3 AND dm_closed_at IS NULL',
        [at, guildId, userId],
      );
    },
    async listToNotify(game, fids) {
      if (fids.length === 0) return [];
      const { rows } = await pool.query(
        `SELECT * FROM member_links WHERE game = $1 AND notify = 1 AND dm_closed_at IS NULL AND fid = ANY($2::text[])
         ORDER BY linked_at`,
        [game, [...fids]],
      );
      return rows.map(toMemberLink);
    },
  };
}
