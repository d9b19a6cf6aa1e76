import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { COPY_TABLES } from '../../src/store/postgres/copyTables.ts';
import { MigrateError, migrateSqliteToPostgres } from '../../src/store/postgres/migrateFromSqlite.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const CLI = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const GUILD = '900000000000000001';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
async function harness(store: 'sqlite' | 'postgres'): Promise<CoreHarness> {
  const h = await startCoreHarness({ store });
  cleanups.push(() => h.close());
  return h;
}
async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
function sqliteCounts(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Object.fromEntries(
      COPY_TABLES.map((t) => [t.name, Number(db.prepare(`SELECT COUNT(*) AS n FROM ${t.name}`).get()?.n)]),
    );
  } finally {
    db.close();
  }
}
async function pgCounts(url: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of COPY_TABLES) {
    const present = await queryDatabase(url, 'SELECT to_regclass($1) IS NOT NULL AS present', [`public.${t.name}`]);
    counts[t.name] = present[0]?.present
      ? Number((await queryDatabase(url, `SELECT COUNT(*) AS n FROM ${t.name}`))[0]?.n)
      : 0;
  }
  return counts;
}
function cli(dbPath: string, args: string[]) {
  const result = spawnSync(NODE, [CLI, 'db', 'migrate-to', ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('giftbot db migrate-to', () => {
  it('dry run writes nothing; the copy checks every count; a re-run changes nothing; the copy redeems with 0 calls for final members', async () => {
    // A SQLite bot with history: 20 members redeemed a code, one player's wrong states, a deferred run.
    const old = await harness('sqlite');
    const fids = await seedAlliance(old, { count: 20 });
    old.sim.addCode('wos', 'GIFTA');
    expect((await old.app.engine.processAutoRedeem(GUILD, giftCode('GIFTA'), { trigger: 'auto' })).counts.success).toBe(
      20,
    );
    await old.app.store.wrongStates.record('wos', fids[0]!, 12, { errCode: 40004, msg: 'USER INFO ERROR' });
    // A second alliance in the server, of the other game, with its own roster.
    const kingshot = await old.app.store.alliances.add({
      guildId: GUILD,
      name: 'Kings',
      game: 'kingshot',
      defaultState: 7,
    });
    if (!kingshot.created) throw new Error('the Kings alliance exists already');
    await old.app.store.members.addMany(kingshot.alliance.id, [
      { fid: '80000001', state: 7 },
      { fid: '80000002', state: 7 },
    ]);
    await old.app.store.deferredRuns.defer({
      guildId: GUILD,
      game: 'wos',
      code: 'LATER',
      trigger: 'auto',
      fids: null,
      allianceIds: null,
      reason: 'redis down',
      nextAttemptAt: Date.now() + 3_600_000,
    });
    await old.app.close();
    const before = fileHash(old.dbPath);
    const source = sqliteCounts(old.dbPath);
    expect(source).toMatchObject({
      guilds: 1,
      alliances: 2,
      members: 22,
      ledger: 20,
      fences: 1,
      runs: 1,
      deferred_runs: 1,
      wrong_states: 1,
    });

    // The target: a PostgreSQL bot that has started once (schema, no data).
    const next = await harness('postgres');
    const url = next.env.DATABASE_URL!;
    const dry = cli(old.dbPath, [url, '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout).tables.map((t: { table: string; source: number }) => [t.table, t.source])).toEqual(
      Object.entries(source),
    );
    expect(Object.values(await pgCounts(url)).every((n) => n === 0)).toBe(true);

    const real = cli(old.dbPath, [url]);
    expect(real.stderr).toBe('');
    expect(real.status).toBe(0);
    expect(real.stdout).toContain('ledger: 20 copied (20 in SQLite, 20 in PostgreSQL)');
    expect(await pgCounts(url)).toEqual(source);
    const ledger = await queryDatabase(
      url,
      `SELECT status, err_code, msg FROM ledger WHERE status = 'success' AND err_code = 20000 AND msg = 'SUCCESS'`,
    );
    expect(ledger).toHaveLength(20);
    expect(fileHash(old.dbPath)).toBe(before);
    // Alliances come over with their ids, so the rosters still point at the right one.
    const rosters = await queryDatabase(
      url,
      `SELECT a.name, a.game, COUNT(m.fid) AS members FROM alliances a JOIN members m ON m.alliance_id = a.id
       GROUP BY a.id, a.name, a.game ORDER BY a.id`,
    );
    expect(rosters.map((r) => [r.game, Number(r.members)])).toEqual([
      ['wos', 20],
      ['kingshot', 2],
    ]);
    expect(rosters[1]?.name).toBe('Kings');

    // Again: refused without --merge, nothing new with it.
    const refused = cli(old.dbPath, [url]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('already holds data');
    const merged = cli(old.dbPath, [url, '--merge', '--json']);
    expect(merged.status).toBe(0);
    expect(
      JSON.parse(merged.stdout).tables.every(
        (t: { inserted: number; updated: number }) => t.inserted === 0 && t.updated === 0,
      ),
    ).toBe(true);
    expect(await pgCounts(url)).toEqual(source);

    // The real engine on the PostgreSQL copy: members already final are not called; a new member is.
    next.sim.addPlayers(
      'wos',
      [...fids, '60000001'].map((fid) => ({ fid, kid: 245 })),
    );
    next.sim.addCode('wos', 'GIFTA');
    const [alliance] = await next.app.store.alliances.list({ guildId: GUILD });
    await next.app.store.members.add(alliance!.id, { fid: '60000001', state: 245 });
    // The server has alliances of both games now: the code's game is named.
    const summary = await next.app.engine.processAutoRedeem(GUILD, giftCode('GIFTA'), {
      trigger: 'manual',
      game: 'wos',
    });
    expect(summary.status).toBe('completed');
    expect(summary.counts.skipped).toBe(20);
    expect(next.sim.calls.filter((c) => c.cdk === 'GIFTA').map((c) => c.fid)).toEqual(['60000001']);
    // Fences and run ids go on from the copied ones.
    expect(await next.app.store.ledger.currentFence(GUILD, 'wos', 'GIFTA')).toBe(2);
    expect(summary.runId).toBeGreaterThan(1);
  });

  it('a broken source row is reported and nothing is half-copied', async () => {
    const old = await harness('sqlite');
    await seedAlliance(old, { count: 5 });
    await old.app.close();
    // A member of a server that does not exist (written with foreign keys off, as an old bug or a hand edit could).
    const raw = new DatabaseSync(old.dbPath);
    raw.exec('PRAGMA foreign_keys = OFF');
    raw
      .prepare(
        `INSERT INTO members (guild_id, alliance_id, fid, state, state_status, added_at)
         VALUES ('123456789012345678', (SELECT MIN(id) FROM alliances), '777', 1, 'ok', 0)`,
      )
      .run();
    raw.close();
    const target = await database();
    const attempt = migrateSqliteToPostgres({ sqlitePath: old.dbPath, target: target.settings });
    await expect(attempt).rejects.toThrow(MigrateError);
    await expect(attempt).rejects.toThrow(/copying members failed: .*foreign key.*123456789012345678/);
    expect(Object.values(await pgCounts(target.url)).every((n) => n === 0)).toBe(true);
  });

  it('counts that do not add up roll everything back', async () => {
    const old = await harness('sqlite');
    await seedAlliance(old, { count: 5 });
    await old.app.close();
    const target = await database();
    const attempt = migrateSqliteToPostgres({
      sqlitePath: old.dbPath,
      target: target.settings,
      // A row lost between copy and commit (what a concurrent writer or a bad conversion would do).
      afterCopy: async (client) =>
        void (await client.query(`DELETE FROM members WHERE fid = (SELECT MIN(fid) FROM members)`)),
    });
    await expect(attempt).rejects.toThrow(
      /members: 4 rows in PostgreSQL, 5 expected \(5 in SQLite\)\. Nothing was copied/,
    );
    expect(Object.values(await pgCounts(target.url)).every((n) => n === 0)).toBe(true);
  });

  it('--merge keeps what the target has and never downgrades a final ledger row', async () => {
    const old = await harness('sqlite');
    await seedAlliance(old, { count: 1 });
    await old.app.close();
    const sqlite = openSqliteStore(old.dbPath);
    await sqlite.ledger.importFinal([
      {
        game: 'wos',
        fid: 'A',
        code: 'C',
        guildId: GUILD,
        outcome: { status: 'already', errCode: 40008, msg: 'RECEIVED.' },
      },
      {
        game: 'wos',
        fid: 'B',
        code: 'C',
        guildId: GUILD,
        outcome: { status: 'success', errCode: 20000, msg: 'SUCCESS' },
      },
    ]);
    await sqlite.close();
    const next = await harness('postgres');
    const scope = {
      guildId: GUILD,
      game: 'wos' as const,
      code: 'C',
      fence: await next.app.store.ledger.nextFence(GUILD, 'wos', 'C'),
      runId: 1,
    };
    await next.app.store.guilds.ensure({ id: GUILD });
    await next.app.store.ledger.claim(scope, 'A');
    await next.app.store.ledger.record(scope, 'A', { status: 'success', errCode: 20000, msg: 'SUCCESS' });
    await next.app.store.ledger.claim(scope, 'B'); // pending in the target: the source's final result replaces it
    const report = await migrateSqliteToPostgres({
      sqlitePath: old.dbPath,
      target: { ...next.app.config.postgres! },
      merge: true,
    });
    expect(report.tables.find((t) => t.table === 'ledger')).toMatchObject({ inserted: 0, updated: 1, kept: 1 });
    expect(await next.app.store.ledger.get('wos', 'A', 'C')).toMatchObject({ status: 'success', msg: 'SUCCESS' });
    expect(await next.app.store.ledger.get('wos', 'B', 'C')).toMatchObject({ status: 'success', errCode: 20000 });
    expect(await next.app.store.ledger.currentFence(GUILD, 'wos', 'C')).toBe(1);
  });

  it('a SQLite database from before alliances, migrated, copies its alliances with every count checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-migrate-to-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'giftbot.sqlite');
    // Schema 50 with two servers of two games and their rosters, then opened once by this version (migration 60).
    const raw = new DatabaseSync(path);
    raw.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const migration of MIGRATIONS.filter((m) => m.version < 60)) {
      raw.exec(migration.sql);
      raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, 1);
    }
    raw.exec(`INSERT INTO guilds (id, game, default_state, auto_redeem, fanout_priority, name, created_at, updated_at) VALUES
      ('${GUILD}', 'wos', 245, 1, 100, 'Wolves', 1, 1), ('900000000000000002', 'kingshot', 7, 0, 100, NULL, 2, 2)`);
    raw.exec(`INSERT INTO members (guild_id, fid, state, state_status, added_at) VALUES
      ('${GUILD}', '1', 245, 'ok', 1), ('${GUILD}', '2', 245, 'ok', 1), ('900000000000000002', '3', 7, 'ok', 1)`);
    raw.exec(`INSERT INTO ledger (game, fid, code, status, attempts, guild_id, fence, updated_at) VALUES
      ('wos', '1', 'OLD1', 'success', 1, '${GUILD}', 1, 1)`);
    raw.close();
    await openSqliteStore(path).close();
    const source = sqliteCounts(path);
    expect(source).toMatchObject({ guilds: 2, alliances: 2, members: 3, ledger: 1 });

    const target = await database();
    const report = await migrateSqliteToPostgres({ sqlitePath: path, target: target.settings });
    expect(report.tables.find((t) => t.table === 'alliances')).toMatchObject({
      source: 2,
      inserted: 2,
      targetAfter: 2,
    });
    expect(await pgCounts(target.url)).toEqual(source);
    const rosters = await queryDatabase(
      target.url,
      `SELECT a.guild_id, a.name, a.game, string_agg(m.fid, ',' ORDER BY m.fid) AS fids
       FROM alliances a JOIN members m ON m.alliance_id = a.id GROUP BY a.id ORDER BY a.id`,
    );
    expect(rosters).toEqual([
      { guild_id: GUILD, name: 'Wolves', game: 'wos', fids: '1,2' },
      { guild_id: '900000000000000002', name: 'main', game: 'kingshot', fids: '3' },
    ]);

    // A merge from another database whose alliance ids are other alliances here: refused, nothing copied.
    const other = await harness('sqlite');
    await other.app.store.alliances.add({ guildId: '900000000000000009', name: 'Elsewhere', game: 'wos' });
    await other.app.close();
    const attempt = migrateSqliteToPostgres({ sqlitePath: other.dbPath, target: target.settings, merge: true });
    await expect(attempt).rejects.toThrow(
      /alliance id\(s\) 1 \("Elsewhere" of 900000000000000009\) are other alliances/,
    );
    expect(await pgCounts(target.url)).toEqual(source);
  });
});
