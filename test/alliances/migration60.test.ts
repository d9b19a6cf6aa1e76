import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const TABLES = [
  'guilds',
  'members',
  'codes',
  'ledger',
  'fences',
  'runs',
  'deferred_runs',
  'wrong_states',
  'answer_journal',
];

/** A database as giftbot left it before alliances: every migration up to 50, then rows of every kind. */
function databaseBefore60(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (const migration of MIGRATIONS.filter((m) => m.version < 60)) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, 1);
  }
  const guild = db.prepare(
    `INSERT INTO guilds (id, game, default_state, auto_redeem, result_channel_id, codes_channel_id, fanout_priority, name,
                         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
  );
  guild.run('g-wos', 'wos', 245, 1, 'results-1', 'codes-1', 5, '  Iron Wolves ');
  guild.run('g-ks', 'kingshot', 77, 0, null, null, 100, null);
  guild.run('g-blank', 'wos', null, 1, null, null, 100, '   ');
  const member = db.prepare(
    `INSERT INTO members (guild_id, fid, state, state_status, added_at, removed_at) VALUES (?, ?, 245, 'ok', 1, ?)`,
  );
  for (let i = 0; i < 5; i++) member.run('g-wos', String(100 + i), i === 4 ? 2 : null);
  member.run('g-ks', '100', null);
  db.exec(`INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES
    ('wos', 'OLD1', 'valid', 'feed', 1, 1), ('kingshot', 'OLD2', 'used-up', 'cli', 1, 1)`);
  db.exec(`INSERT INTO ledger (game, fid, code, status, attempts, guild_id, fence, updated_at) VALUES
    ('wos', '100', 'OLD1', 'success', 1, 'g-wos', 1, 1), ('wos', '101', 'OLD1', 'retry', 1, 'g-wos', 1, 1)`);
  db.exec(`INSERT INTO fences VALUES ('g-wos', 'wos', 'OLD1', 1)`);
  db.exec(`INSERT INTO runs (guild_id, game, code, trigger, fence, owner, started_at, outcome, counts) VALUES
    ('g-wos', 'wos', 'OLD1', 'auto', 1, 'host', 1, 'completed', '{"success":1}')`);
  db.exec(`INSERT INTO deferred_runs (guild_id, game, code, trigger, fids, deferred_at, next_attempt_at) VALUES
    ('g-wos', 'wos', 'OLD1', 'manual', '["101"]', 1, 1)`);
  db.exec(`INSERT INTO wrong_states (game, fid, kid, probed_at) VALUES ('wos', '102', 244, 1)`);
  db.exec(
    `INSERT INTO answer_journal (fence, guild_id, game, fid, code, kind, at) VALUES (1, 'g-wos', 'wos', '100', 'OLD1', 'success', 1)`,
  );
  db.close();
}

function counts(path: string): Record<string, number> {
  const db = new DatabaseSync(path);
  const result = Object.fromEntries(
    TABLES.map((table) => [table, Number(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n)]),
  );
  db.close();
  return result;
}

describe('migration 60: each server becomes one alliance', () => {
  it('keeps every row and puts each server’s settings and roster into its one alliance', async () => {
    dir = mkdtempSync(join(tmpdir(), 'giftbot-m60-'));
    const path = join(dir, 'giftbot.sqlite');
    databaseBefore60(path);
    const before = counts(path);

    const store = openSqliteStore(path);
    try {
      expect(counts(path)).toEqual(before);
      const alliances = await store.alliances.list();
      expect(alliances.map((a) => [a.guildId, a.name, a.game])).toEqual([
        ['g-wos', 'Iron Wolves', 'wos'],
        ['g-blank', 'main', 'wos'],
        ['g-ks', 'main', 'kingshot'],
      ]);
      expect(alliances[0]).toMatchObject({
        defaultState: 245,
        autoRedeem: true,
        resultChannelId: 'results-1',
        codesChannelId: 'codes-1',
        fanoutPriority: 5,
      });
      expect(alliances[2]).toMatchObject({ defaultState: 77, autoRedeem: false, resultChannelId: null });
      const wolves = await store.members.list('g-wos');
      expect(wolves).toHaveLength(4);
      expect(wolves.every((m) => m.allianceId === alliances[0]!.id && m.game === 'wos')).toBe(true);
      expect(await store.members.get('g-ks', '100')).toMatchObject({ allianceId: alliances[2]!.id, game: 'kingshot' });
      expect(await store.guilds.get('g-wos')).toEqual({ id: 'g-wos', name: '  Iron Wolves ', adminRoleId: null });
      expect((await store.runs.listRecent('g-wos', 5))[0]).toMatchObject({ allianceIds: [], counts: { success: 1 } });
      expect(await store.deferredRuns.list()).toMatchObject([{ fids: ['101'], allianceIds: null }]);
      expect(await store.ledger.get('wos', '100', 'OLD1')).toMatchObject({ status: 'success' });
    } finally {
      await store.close();
    }
  });
});

describe('alliances in the SQLite store', () => {
  it('names are unique per server regardless of case; a player moves between alliances; removal keeps history', async () => {
    dir = mkdtempSync(join(tmpdir(), 'giftbot-alliances-'));
    const store = openSqliteStore(join(dir, 'giftbot.sqlite'));
    try {
      const wolves = await store.alliances.add({ guildId: 'g1', name: 'Wolves', game: 'wos', defaultState: 245 });
      const bears = await store.alliances.add({ guildId: 'g1', name: 'Bears', game: 'wos', defaultState: 245 });
      const kings = await store.alliances.add({ guildId: 'g1', name: 'Kings', game: 'kingshot', defaultState: 9 });
      if (!wolves.created || !bears.created || !kings.created) throw new Error('set-up');
      expect(await store.alliances.add({ guildId: 'g1', name: ' wolves ', game: 'wos' })).toMatchObject({
        created: false,
        reason: 'name-taken',
        existing: { id: wolves.alliance.id },
      });
      expect((await store.alliances.add({ guildId: 'g2', name: 'Wolves', game: 'wos' })).created).toBe(true);
      await expect(store.alliances.update(bears.alliance.id, { name: 'WOLVES' })).rejects.toThrow(/already has/);
      expect((await store.alliances.byName('g1', 'KINGS'))?.id).toBe(kings.alliance.id);

      expect(await store.members.add(wolves.alliance.id, { fid: '1', state: 245 })).toMatchObject({
        created: true,
        movedFrom: null,
      });
      expect(await store.members.add(bears.alliance.id, { fid: '1' })).toMatchObject({
        created: false,
        movedFrom: wolves.alliance.id,
        member: { allianceId: bears.alliance.id, state: 245, game: 'wos' },
      });
      expect(await store.members.addMany(wolves.alliance.id, [{ fid: '1' }, { fid: '2' }])).toEqual({
        created: 1,
        updated: 1,
        moved: 1,
      });
      await store.members.add(kings.alliance.id, { fid: '3', state: 9 });
      expect((await store.members.list('g1', { game: 'wos' })).map((m) => m.fid)).toEqual(['1', '2']);
      expect((await store.members.list('g1', { allianceIds: [kings.alliance.id] })).map((m) => m.fid)).toEqual(['3']);
      expect(await store.members.move('g1', '2', bears.alliance.id)).toMatchObject({ from: wolves.alliance.id });

      await store.members.flagWrongState('kingshot', '1');
      expect((await store.members.get('g1', '1'))?.stateStatus).toBe('ok');

      expect(await store.alliances.remove(bears.alliance.id)).toEqual({ members: 1 });
      expect(await store.members.get('g1', '2')).toBeNull();
      expect((await store.alliances.list({ guildId: 'g1' })).map((a) => a.name)).toEqual(['Wolves', 'Kings']);
      // The name is free again once the alliance is removed.
      expect((await store.alliances.add({ guildId: 'g1', name: 'bears', game: 'wos' })).created).toBe(true);
      expect(await store.guilds.remove('g1')).toEqual({ alliances: 3, members: 3, runs: 0 });
      expect(await store.alliances.list({ guildId: 'g1' })).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
