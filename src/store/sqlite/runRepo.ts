import type { DatabaseSync } from 'node:sqlite';
import type { GiftCode } from '../../game/giftCode.ts';
import type { Game } from '../../game/games.ts';
import type { RunOutcome, RunRecord, RunRepo } from '../types.ts';
import { num, text, type Row } from './database.ts';

function toRun(row: Row): RunRecord {
  const counts = text(row.counts);
  return {
    id: Number(row.id),
    guildId: String(row.guild_id),
    game: row.game as Game,
    // Written only through the engine and intake, which take normalised codes.
    code: String(row.code) as GiftCode,
    trigger: String(row.trigger),
    fence: Number(row.fence),
    owner: String(row.owner),
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    outcome: row.outcome as RunOutcome,
    counts: counts ? (JSON.parse(counts) as Record<string, number>) : null,
    message: text(row.message),
  };
}

export function createRunRepo(db: DatabaseSync): RunRepo {
  const get = (id: number) => {
    const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id);
    return row ? toRun(row) : null;
  };
  return {
    async start(run) {
      const result = db
        .prepare('INSERT INTO runs (guild_id, game, code, trigger, fence, owner, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(run.guildId, run.game, run.code, run.trigger, run.fence, run.owner, Date.now());
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
      const statement = db.prepare(`UPDATE runs SET outcome = 'interrupted', finished_at = ? WHERE id = ? AND outcome = 'running'`);
      for (const id of ids) statement.run(Date.now(), id);
    },
    async listRecent(guildId, limit) {
      return db.prepare('SELECT * FROM runs WHERE guild_id = ? ORDER BY id DESC LIMIT ?').all(guildId, limit).map(toRun);
    },
  };
}
