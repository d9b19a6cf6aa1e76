import type { DatabaseSync } from 'node:sqlite';
import type { RunRepo } from '../types.ts';
import { toRun } from '../rows.ts';

export function createRunRepo(db: DatabaseSync): RunRepo {
  const get = (id: number) => {
    const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id);
    return row ? toRun(row) : null;
  };
  return {
    async start(run) {
      const result = db
        .prepare(
          `INSERT INTO runs (guild_id, game, code, alliance_ids, trigger, fence, owner, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.guildId,
          run.game,
          run.code,
          JSON.stringify([...run.allianceIds]),
          run.trigger,
          run.fence,
          run.owner,
          Date.now(),
        );
      const record = get(Number(result.lastInsertRowid));
      if (!record) throw new Error('run vanished after insert');
      return record;
    },
    async finish(id, outcome, counts, message = null) {
      db.prepare('UPDATE runs SET outcome = ?, counts = ?, message = ?, finished_at = ? WHERE id = ?').run(
        outcome,
        JSON.stringify(counts),
        message,
        Date.now(),
        id,
      );
    },
    async get(id) {
      return get(id);
    },
    async listRunning(filter = {}) {
      const rows = filter.owner
        ? db.prepare(`SELECT * FROM runs WHERE outcome = 'running' AND owner = ? ORDER BY id`).all(filter.owner)
        : db.prepare(`SELECT * FROM runs WHERE outcome = 'running' ORDER BY id`).all();
      return rows.map(toRun);
    },
    async markInterrupted(ids) {
      const statement = db.prepare(
        `UPDATE runs SET outcome = 'interrupted', finished_at = ? WHERE id = ? AND outcome = 'running'`,
      );
      for (const id of ids) statement.run(Date.now(), id);
    },
    async listRecent(guildId, limit) {
      return db
        .prepare('SELECT * FROM runs WHERE guild_id = ? ORDER BY id DESC LIMIT ?')
        .all(guildId, limit)
        .map(toRun);
    },
  };
}
