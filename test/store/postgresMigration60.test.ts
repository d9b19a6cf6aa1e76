import { afterEach, describe, expect, it } from 'vitest';
import { createPool, migrate, type Pool } from '../../src/store/postgres/database.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { createPostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase | undefined;
let pool: Pool | undefined;
afterEach(async () => {
  await pool?.end();
  pool = undefined;
  await db?.drop();
  db = undefined;
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

async function counts(p: Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await p.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n);
  return out;
}

const dump = async (p: Pool, table: string, order: string) =>
  (await p.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;

/** A database as giftbot left it before alliances (schema 50): three servers, their rosters, history of every kind. */
async function seedSchema50(p: Pool): Promise<void> {
  await p.query(`
    INSERT INTO guilds (id, game, default_state, auto_redeem, result_channel_id, codes_channel_id, admin_role_id,
                        fanout_priority, name, created_at, updated_at) VALUES
      ('g1', 'wos', 245, 1, 'r1', 'c1', 'admin', 10, '  Frost Wolves ', 1000, 1000),
      ('g2', 'wos', 246, 1, NULL, NULL, NULL, 100, '', 2000, 2000),
      ('g3', 'kingshot', 7, 0, 'r3', NULL, NULL, 5, NULL, 3000, 3000);
    INSERT INTO members (guild_id, fid, state, state_status, name, added_by, added_at, removed_at) VALUES
      ('g1', '101', 245, 'ok', 'A', 'cli', 1, NULL),
      ('g1', '102', NULL, 'unknown', NULL, NULL, 2, NULL),
      ('g1', '103', 245, 'ok', NULL, NULL, 3, 50),
      ('g2', '101', 246, 'wrong', NULL, NULL, 4, NULL),
      ('g2', '201', 246, 'ok', NULL, NULL, 5, NULL),
      ('g3', '301', 7, 'ok', NULL, NULL, 6, NULL);
    INSERT INTO codes (game, code, status, source, first_seen_at, status_changed_at) VALUES
      ('wos', 'GIFT1', 'valid', 'feed:x', 1, 1), ('kingshot', 'KS1', 'used-up', 'cli', 2, 2);
    INSERT INTO ledger (game, fid, code, status, err_code, msg, attempts, guild_id, fence, updated_at, finished_at) VALUES
      ('wos', '101', 'GIFT1', 'success', 20000, 'SUCCESS', 1, 'g1', 1, 10, 10),
      ('wos', '102', 'GIFT1', 'retry', NULL, NULL, 2, 'g1', 1, 11, NULL),
      ('wos', '201', 'GIFT1', 'already', 40008, 'RECEIVED.', 1, 'g2', 1, 12, 12),
      ('kingshot', '301', 'KS1', 'failed', 40005, 'USED.', 1, 'g3', 1, 13, 13);
    INSERT INTO fences (guild_id, game, code, fence) VALUES ('g1', 'wos', 'GIFT1', 1), ('g2', 'wos', 'GIFT1', 1);
    INSERT INTO runs (guild_id, game, code, trigger, fence, owner, started_at, finished_at, outcome, counts) VALUES
      ('g1', 'wos', 'GIFT1', 'auto', 1, 'host', 5, 9, 'completed', '{"success":1}'),
      ('g2', 'wos', 'GIFT1', 'manual', 1, 'host', 6, NULL, 'running', NULL);
    INSERT INTO deferred_runs (guild_id, game, code, trigger, fids, reason, deferred_at, next_attempt_at) VALUES
      ('g1', 'wos', 'GIFT2', 'auto', '["102"]', 'redis down', 7, 8);
    INSERT INTO wrong_states (game, fid, kid, probed_at) VALUES ('wos', '102', 12, 1);
    INSERT INTO answer_journal (fence, guild_id, game, fid, code, kind, at) VALUES
      (1, 'g1', 'wos', '101', 'GIFT1', 'success', 10), (1, 'g3', 'kingshot', '301', 'KS1', 'final-member', 13);
  `);
}

describe('PostgreSQL migration 60 (alliances) on a database from before it', () => {
  it('makes each server one alliance with its settings and roster, and keeps every count and every history row', async () => {
    db = await createTestDatabase();
    pool = createPool(db.settings);
    await migrate(
      pool,
      PG_MIGRATIONS.filter((m) => m.version <= 50),
    );
    await seedSchema50(pool);
    const before = await counts(pool);
    const ledgerBefore = await dump(pool, 'ledger', 'game, fid, code');
    const codesBefore = await dump(pool, 'codes', 'game, code');

    expect(await migrate(pool)).toEqual(PG_MIGRATIONS.filter((m) => m.version > 50).map((m) => m.version));

    expect(await counts(pool)).toEqual(before);
    expect(await dump(pool, 'ledger', 'game, fid, code')).toEqual(ledgerBefore);
    expect(await dump(pool, 'codes', 'game, code')).toEqual(codesBefore);
    const store = createPostgresStore(pool);
    const alliances = await store.alliances.list();
    expect(alliances.map((a) => [a.guildId, a.name, a.game])).toEqual([
      ['g3', 'main', 'kingshot'],
      ['g1', 'Frost Wolves', 'wos'],
      ['g2', 'main', 'wos'],
    ]);
    expect(alliances[1]).toMatchObject({
      defaultState: 245,
      autoRedeem: true,
      resultChannelId: 'r1',
      codesChannelId: 'c1',
      fanoutPriority: 10,
    });
    expect(alliances[0]).toMatchObject({
      defaultState: 7,
      autoRedeem: false,
      resultChannelId: 'r3',
      fanoutPriority: 5,
    });
    expect(await store.guilds.get('g1')).toEqual({ id: 'g1', name: '  Frost Wolves ', adminRoleId: 'admin' });
    // Every roster entry (removed ones too) belongs to its server's alliance; the rosters read as before.
    const orphans = await pool.query('SELECT COUNT(*) AS n FROM members WHERE alliance_id IS NULL');
    expect(Number(orphans.rows[0]?.n)).toBe(0);
    expect((await store.members.list('g1')).map((m) => [m.fid, m.allianceId, m.game])).toEqual([
      ['101', alliances[1]!.id, 'wos'],
      ['102', alliances[1]!.id, 'wos'],
    ]);
    expect(await store.members.get('g2', '101')).toMatchObject({ stateStatus: 'wrong', allianceId: alliances[2]!.id });
    expect((await store.members.list('g3'))[0]).toMatchObject({ fid: '301', game: 'kingshot' });
    // A deferred run from before covers every alliance, as it covered the whole server.
    expect((await store.deferredRuns.list())[0]).toMatchObject({ fids: ['102'], allianceIds: null });
    expect((await store.runs.listRunning()).map((r) => r.guildId)).toEqual(['g2']);
    // The ledger still answers for the players, so nobody is called again.
    expect([...(await store.ledger.finalFids('wos', 'GIFT1', ['101', '102', '201']))].sort()).toEqual(['101', '201']);
  });
});
