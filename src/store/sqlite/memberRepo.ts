import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { MemberRepo, NewMember } from '../types.ts';
import { num, transaction } from './database.ts';
import { toMember } from '../rows.ts';

export function createMemberRepo(db: DatabaseSync): MemberRepo {
  // Compiled once: an import upserts many rows, and a statement compiled per row holds native memory the garbage
  // collector does not see (100,000 rows peaked at 1.3 GB).
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  // A member given without a state has an unknown one; giving a state marks it ok again.
  function upsertOne(guildId: string, member: NewMember): boolean {
    const existing = prepared('SELECT * FROM members WHERE guild_id = ? AND fid = ?').get(guildId, member.fid);
    const now = Date.now();
    if (!existing) {
      const state = member.state ?? null;
      prepared(
        `INSERT INTO members (guild_id, fid, state, state_status, name, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        guildId,
        member.fid,
        state,
        state === null ? 'unknown' : 'ok',
        member.name ?? null,
        member.addedBy ?? null,
        now,
      );
      return true;
    }
    const wasRemoved = existing.removed_at !== null;
    const state = member.state === undefined || member.state === null ? num(existing.state) : member.state;
    const stateChanged = member.state !== undefined && member.state !== null && member.state !== num(existing.state);
    const status = stateChanged ? 'ok' : String(existing.state_status);
    prepared(
      `UPDATE members SET state = ?, state_status = ?, name = COALESCE(?, name), removed_at = NULL,
         added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ? END
       WHERE guild_id = ? AND fid = ?`,
    ).run(state, state === null ? 'unknown' : status, member.name ?? null, now, guildId, member.fid);
    return wasRemoved;
  }

  return {
    async add(guildId, member) {
      const created = transaction(db, () => upsertOne(guildId, member));
      const row = db.prepare('SELECT * FROM members WHERE guild_id = ? AND fid = ?').get(guildId, member.fid);
      if (!row) throw new Error(`member ${member.fid} vanished during add`);
      return { created, member: toMember(row) };
    },
    async addMany(guildId, members) {
      return transaction(db, () => {
        let created = 0;
        let updated = 0;
        for (const member of members) {
          if (upsertOne(guildId, member)) created += 1;
          else updated += 1;
        }
        return { created, updated };
      });
    },
    async remove(guildId, fid) {
      const result = db
        .prepare('UPDATE members SET removed_at = ? WHERE guild_id = ? AND fid = ? AND removed_at IS NULL')
        .run(Date.now(), guildId, fid);
      return Number(result.changes) > 0;
    },
    async get(guildId, fid) {
      const row = db
        .prepare('SELECT * FROM members WHERE guild_id = ? AND fid = ? AND removed_at IS NULL')
        .get(guildId, fid);
      return row ? toMember(row) : null;
    },
    async list(guildId) {
      return db
        .prepare('SELECT * FROM members WHERE guild_id = ? AND removed_at IS NULL ORDER BY added_at, fid')
        .all(guildId)
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
         WHERE fid = ? AND guild_id IN (SELECT id FROM guilds WHERE game = ?)`,
      ).run(fid, game);
    },
  };
}
