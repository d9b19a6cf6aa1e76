import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AllianceRecord, MemberRecord, MemberRepo, NewMember } from '../types.ts';
import { num, transaction } from './database.ts';
import { toAlliance, toMember } from '../rows.ts';

/** Members with their alliance's game: toMember reads both. */
const MEMBER_SELECT = 'SELECT m.*, a.game AS game FROM members m JOIN alliances a ON a.id = m.alliance_id';

type Upserted = { created: boolean; movedFrom: number | null };

export function createMemberRepo(db: DatabaseSync): MemberRepo {
  // Compiled once: an import upserts many rows, and a statement compiled per row holds native memory the garbage
  // collector does not see (100,000 rows peaked at 1.3 GB).
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  const activeAlliance = (allianceId: number): AllianceRecord => {
    const row = prepared('SELECT * FROM alliances WHERE id = ? AND removed_at IS NULL').get(allianceId);
    if (!row) throw new Error(`alliance ${allianceId} does not exist (or was removed)`);
    return toAlliance(row);
  };

  const getActive = (guildId: string, fid: string): MemberRecord | null => {
    const row = prepared(`${MEMBER_SELECT} WHERE m.guild_id = ? AND m.fid = ? AND m.removed_at IS NULL`).get(
      guildId,
      fid,
    );
    return row ? toMember(row) : null;
  };

  // A member given without a state has an unknown one; giving a state marks it ok again. A player on another
  // alliance of the server moves here; one coming from the other game's alliance keeps no state (a state is per game).
  function upsertOne(alliance: AllianceRecord, member: NewMember): Upserted {
    const existing = prepared(
      'SELECT m.*, a.game AS game FROM members m LEFT JOIN alliances a ON a.id = m.alliance_id WHERE m.guild_id = ? AND m.fid = ?',
    ).get(alliance.guildId, member.fid);
    const now = Date.now();
    if (!existing) {
      const state = member.state ?? null;
      prepared(
        `INSERT INTO members (guild_id, alliance_id, fid, state, state_status, name, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        alliance.guildId,
        alliance.id,
        member.fid,
        state,
        state === null ? 'unknown' : 'ok',
        member.name ?? null,
        member.addedBy ?? null,
        now,
      );
      return { created: true, movedFrom: null };
    }
    const wasRemoved = existing.removed_at !== null;
    const previousAlliance = num(existing.alliance_id);
    const movedFrom = !wasRemoved && previousAlliance !== alliance.id ? previousAlliance : null;
    const sameGame = existing.game === alliance.game;
    const knownState = sameGame ? num(existing.state) : null;
    const state = member.state === undefined || member.state === null ? knownState : member.state;
    const stateChanged = member.state !== undefined && member.state !== null && member.state !== knownState;
    const status = stateChanged || !sameGame ? 'ok' : String(existing.state_status);
    prepared(
      `UPDATE members SET alliance_id = ?, state = ?, state_status = ?, name = COALESCE(?, name), removed_at = NULL,
         added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ? END
       WHERE guild_id = ? AND fid = ?`,
    ).run(
      alliance.id,
      state,
      state === null ? 'unknown' : status,
      member.name ?? null,
      now,
      alliance.guildId,
      member.fid,
    );
    return { created: wasRemoved, movedFrom };
  }

  return {
    async add(allianceId, member) {
      const { alliance, result } = transaction(db, () => {
        const alliance = activeAlliance(allianceId);
        return { alliance, result: upsertOne(alliance, member) };
      });
      const added = getActive(alliance.guildId, member.fid);
      if (!added) throw new Error(`member ${member.fid} vanished during add`);
      return { ...result, member: added };
    },
    async addMany(allianceId, members) {
      return transaction(db, () => {
        const alliance = activeAlliance(allianceId);
        let created = 0;
        let updated = 0;
        let moved = 0;
        for (const member of members) {
          const result = upsertOne(alliance, member);
          if (result.created) created += 1;
          else updated += 1;
          if (result.movedFrom !== null) moved += 1;
        }
        return { created, updated, moved };
      });
    },
    async move(guildId, fid, allianceId) {
      return transaction(db, () => {
        const alliance = activeAlliance(allianceId);
        if (alliance.guildId !== guildId)
          throw new Error(`alliance ${allianceId} is not an alliance of server ${guildId}`);
        const current = getActive(guildId, fid);
        if (!current) return null;
        if (current.allianceId !== allianceId) upsertOne(alliance, { fid });
        const member = getActive(guildId, fid);
        if (!member) throw new Error(`member ${fid} vanished during move`);
        return { from: current.allianceId, member };
      });
    },
    async remove(guildId, fid) {
      const result = db
        .prepare('UPDATE members SET removed_at = ? WHERE guild_id = ? AND fid = ? AND removed_at IS NULL')
        .run(Date.now(), guildId, fid);
      return Number(result.changes) > 0;
    },
    async get(guildId, fid) {
      return getActive(guildId, fid);
    },
    async list(guildId, filter = {}) {
      const where = ['m.guild_id = ?', 'm.removed_at IS NULL', 'a.removed_at IS NULL'];
      const values: (string | number)[] = [guildId];
      if (filter.allianceIds) {
        if (filter.allianceIds.length === 0) return [];
        where.push(`m.alliance_id IN (${filter.allianceIds.map(() => '?').join(', ')})`);
        values.push(...filter.allianceIds);
      }
      if (filter.game) {
        where.push('a.game = ?');
        values.push(filter.game);
      }
      return db
        .prepare(`${MEMBER_SELECT} WHERE ${where.join(' AND ')} ORDER BY m.added_at, m.fid`)
        .all(...values)
        .map(toMember);
    },
    async setState(guildId, fid, state, status) {
      db.prepare('UPDATE members SET state = ?, state_status = ? WHERE guild_id = ? AND fid = ?').run(
        state,
        status,
        guildId,
        fid,
      );
    },
    async flagWrongState(game, fid) {
      db.prepare(
        `UPDATE members SET state_status = 'wrong'
         WHERE fid = ? AND alliance_id IN (SELECT id FROM alliances WHERE game = ?)`,
      ).run(fid, game);
    },
  };
}
