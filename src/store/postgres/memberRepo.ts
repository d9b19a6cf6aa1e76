import { num, toMember } from '../rows.ts';
import type { MemberRecord, MemberRepo, NewMember } from '../types.ts';
import { withTransaction, type Pool, type PoolClient, type Queryable } from './database.ts';

/** A member row with its alliance's game (MemberRecord.game), as toMember reads it. */
const SELECT_MEMBER = 'SELECT m.*, a.game FROM members m JOIN alliances a ON a.id = m.alliance_id';

/** The alliance a member is added to. */
type Target = { guildId: string; allianceId: number; game: string };

async function activeAlliance(db: Queryable, allianceId: number): Promise<Target> {
  const { rows } = await db.query('SELECT guild_id, game FROM alliances WHERE id = $1 AND removed_at IS NULL', [
    allianceId,
  ]);
  if (!rows[0]) throw new Error(`alliance ${allianceId} does not exist (or was removed)`);
  return { guildId: String(rows[0].guild_id), allianceId, game: String(rows[0].game) };
}

async function getMember(db: Queryable, guildId: string, fid: string): Promise<MemberRecord> {
  const { rows } = await db.query(`${SELECT_MEMBER} WHERE m.guild_id = $1 AND m.fid = $2`, [guildId, fid]);
  if (!rows[0]) throw new Error(`member ${fid} vanished during add`);
  return toMember(rows[0]);
}

type Upserted = { created: boolean; movedFrom: number | null };

/**
 * Same rules as SQLite: a member given without a state has an unknown one; giving a state marks it ok again. A player
 * listed by another alliance of the server moves to this one (one roster per server; history is per player); one
 * coming from the other game's alliance keeps no state (a state is per game).
 */
async function upsertOne(client: PoolClient, target: Target, member: NewMember): Promise<Upserted> {
  const { guildId, allianceId, game } = target;
  const { rows } = await client.query(
    `SELECT m.state, m.state_status, m.removed_at, m.alliance_id, a.game FROM members m
     LEFT JOIN alliances a ON a.id = m.alliance_id WHERE m.guild_id = $1 AND m.fid = $2 FOR UPDATE OF m`,
    [guildId, member.fid],
  );
  const existing = rows[0];
  const now = Date.now();
  if (!existing) {
    const state = member.state ?? null;
    const inserted = await client.query(
      `INSERT INTO members (guild_id, alliance_id, fid, state, state_status, name, added_by, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (guild_id, fid) DO NOTHING`,
      [
        guildId,
        allianceId,
        member.fid,
        state,
        state === null ? 'unknown' : 'ok',
        member.name ?? null,
        member.addedBy ?? null,
        now,
      ],
    );
    if (inserted.rowCount === 1) return { created: true, movedFrom: null };
    return upsertOne(client, target, member); // inserted by another process meanwhile: update it instead
  }
  const wasRemoved = existing.removed_at !== null;
  const from = Number(existing.alliance_id);
  const sameGame = existing.game === game;
  const knownState = sameGame ? num(existing.state) : null;
  const state = member.state === undefined || member.state === null ? knownState : member.state;
  const stateChanged = member.state !== undefined && member.state !== null && member.state !== knownState;
  const status = stateChanged || !sameGame ? 'ok' : String(existing.state_status);
  await client.query(
    `UPDATE members SET alliance_id = $1, state = $2, state_status = $3, name = COALESCE($4, name), removed_at = NULL,
       added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE $5 END
     WHERE guild_id = $6 AND fid = $7`,
    [allianceId, state, state === null ? 'unknown' : status, member.name ?? null, now, guildId, member.fid],
  );
  return { created: wasRemoved, movedFrom: !wasRemoved && from !== allianceId ? from : null };
}

export function createPgMemberRepo(pool: Pool): MemberRepo {
  return {
    async add(allianceId, member) {
      return withTransaction(pool, async (client) => {
        const target = await activeAlliance(client, allianceId);
        const upserted = await upsertOne(client, target, member);
        return { ...upserted, member: await getMember(client, target.guildId, member.fid) };
      });
    },
    async addMany(allianceId, members) {
      return withTransaction(pool, async (client) => {
        const target = await activeAlliance(client, allianceId);
        // `moved`: the updated ones that came from another alliance of the server.
        const counts = { created: 0, updated: 0, moved: 0 };
        for (const member of members) {
          const { created, movedFrom } = await upsertOne(client, target, member);
          if (created) counts.created += 1;
          else counts.updated += 1;
          if (movedFrom !== null) counts.moved += 1;
        }
        return counts;
      });
    },
    async move(guildId, fid, allianceId) {
      return withTransaction(pool, async (client) => {
        const target = await activeAlliance(client, allianceId);
        if (target.guildId !== guildId)
          throw new Error(`alliance ${allianceId} is not an alliance of server ${guildId}`);
        const { rows } = await client.query(
          'SELECT alliance_id FROM members WHERE guild_id = $1 AND fid = $2 AND removed_at IS NULL FOR UPDATE',
          [guildId, fid],
        );
        if (!rows[0]) return null;
        const from = Number(rows[0].alliance_id);
        if (from !== allianceId) await upsertOne(client, target, { fid });
        return { from, member: await getMember(client, guildId, fid) };
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
        `${SELECT_MEMBER} WHERE m.guild_id = $1 AND m.fid = $2 AND m.removed_at IS NULL`,
        [guildId, fid],
      );
      return rows[0] ? toMember(rows[0]) : null;
    },
    async list(guildId, filter = {}) {
      const where = ['m.guild_id = $1', 'm.removed_at IS NULL', 'a.removed_at IS NULL'];
      const values: unknown[] = [guildId];
      if (filter.allianceIds !== undefined) {
        values.push([...filter.allianceIds]);
        where.push(`m.alliance_id = ANY($${values.length}::bigint[])`);
      }
      if (filter.game !== undefined) {
        values.push(filter.game);
        where.push(`a.game = $${values.length}`);
      }
      const { rows } = await pool.query(
        `${SELECT_MEMBER} WHERE ${where.join(' AND ')} ORDER BY m.added_at, m.fid`,
        values,
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
        `UPDATE members SET state_status = 'wrong' WHERE fid = $1 AND alliance_id IN (SELECT id FROM alliances WHERE game = $2)`,
        [fid, game],
      );
    },
  };
}
