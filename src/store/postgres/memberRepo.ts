import { num, toMember } from '../rows.ts';
import type { MemberRepo, NewMember } from '../types.ts';
import { withTransaction, type Pool, type PoolClient } from './database.ts';

/** Same rules as SQLite: a member given without a state has an unknown one; giving a state marks it ok again. */
async function upsertOne(client: PoolClient, guildId: string, member: NewMember): Promise<boolean> {
  const { rows } = await client.query(
    'SELECT state, state_status, removed_at FROM members WHERE guild_id = $1 AND fid = $2 FOR UPDATE',
    [guildId, member.fid],
  );
  const existing = rows[0];
  const now = Date.now();
  if (!existing) {
    const state = member.state ?? null;
    const inserted = await client.query(
      `INSERT INTO members (guild_id, fid, state, state_status, name, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (guild_id, fid) DO NOTHING`,
      [guildId, member.fid, state, state === null ? 'unknown' : 'ok', member.name ?? null, member.addedBy ?? null, now],
    );
    if (inserted.rowCount === 1) return true;
    return upsertOne(client, guildId, member); // inserted by another process meanwhile: update it instead
  }
  const wasRemoved = existing.removed_at !== null;
  const state = member.state === undefined || member.state === null ? num(existing.state) : member.state;
  const stateChanged = member.state !== undefined && member.state !== null && member.state !== num(existing.state);
  const status = stateChanged ? 'ok' : String(existing.state_status);
  await client.query(
    `UPDATE members SET state = $1, state_status = $2, name = COALESCE($3, name), removed_at = NULL,
       added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE $4 END
     WHERE guild_id = $5 AND fid = $6`,
    [state, state === null ? 'unknown' : status, member.name ?? null, now, guildId, member.fid],
  );
  return wasRemoved;
}

export function createPgMemberRepo(pool: Pool): MemberRepo {
  return {
    async add(guildId, member) {
      const created = await withTransaction(pool, (client) => upsertOne(client, guildId, member));
      const { rows } = await pool.query('SELECT * FROM members WHERE guild_id = $1 AND fid = $2', [
        guildId,
        member.fid,
      ]);
      if (!rows[0]) throw new Error(`member ${member.fid} vanished during add`);
      return { created, member: toMember(rows[0]) };
    },
    async addMany(guildId, members) {
      return withTransaction(pool, async (client) => {
        let created = 0;
        let updated = 0;
        for (const member of members) {
          if (await upsertOne(client, guildId, member)) created += 1;
          else updated += 1;
        }
        return { created, updated };
      });
    },
    async remove(guildId, fid) {
      const result = await pool.query(
        'UPDATE members SET removed_at = $1 WHERE guild_id = $2 AND fid = $3 AND removed_at IS NULL',
        [Date.now(), guildId, fid],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async get(guildId, fid) {
      const { rows } = await pool.query(
        'SELECT * FROM members WHERE guild_id = $1 AND fid = $2 AND removed_at IS NULL',
        [guildId, fid],
      );
      return rows[0] ? toMember(rows[0]) : null;
    },
    async list(guildId) {
      const { rows } = await pool.query(
        'SELECT * FROM members WHERE guild_id = $1 AND removed_at IS NULL ORDER BY added_at, fid',
        [guildId],
      );
      return rows.map(toMember);
    },
    async setState(guildId, fid, state, status) {
      await pool.query('UPDATE members SET state = $1, state_status = $2 WHERE guild_id = $3 AND fid = $4', [
        state,
        status,
        guildId,
        fid,
      ]);
    },
    async flagWrongState(game, fid) {
      await pool.query(
        `UPDATE members SET state_status = 'wrong' WHERE fid = $1 AND guild_id IN (SELECT id FROM guilds WHERE game = $2)`,
        [fid, game],
      );
    },
  };
}
