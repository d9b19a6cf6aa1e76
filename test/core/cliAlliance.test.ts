import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { runCommand } from '../support/runCommand.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const GUILD = '900000000000000201';
const SINGLE = '900000000000000202';

let h: CoreHarness;
beforeAll(async () => {
  h = await startCoreHarness();
  // The CLI owns the database here; the harness app is closed so nothing else writes.
  await h.app.close();
});
afterAll(async () => h.close());

const cli = (...args: string[]) => runCommand(NODE, [LAUNCHER, ...args], { cwd: h.dir, env: h.env });

async function readStore<T>(read: (store: ReturnType<typeof openSqliteStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore(h.env.DATABASE_PATH!);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

// Every step is a real CLI process (a second or more each on a busy machine): the tests take their time.
describe('giftbot alliance', { timeout: 300_000 }, () => {
  it('adds alliances of both games to one server, lists them with their members, refuses a taken name', async () => {
    const north = await cli('alliance', 'add', GUILD, '--name', 'North', '--game', 'wos', '--state', '245');
    expect(north).toMatchObject({ code: 0 });
    expect(north.stdout).toContain(`Added alliance "North" to guild ${GUILD}: wos, state 245, auto-redeem on.`);
    expect(
      (await cli('alliance', 'add', GUILD, '--name', 'South', '--game', 'wos', '--state', '246', '--auto', 'off')).code,
    ).toBe(0);
    expect((await cli('alliance', 'add', GUILD, '--name', 'Kings', '--game', 'kingshot', '--state', '12')).code).toBe(
      0,
    );

    const taken = await cli('alliance', 'add', GUILD, '--name', 'north', '--game', 'wos', '--state', '1');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already has an alliance named "North"');
    const bad = await cli('alliance', 'add', GUILD, '--game', 'chess', '--state', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--name is required');
    expect(bad.stderr).toContain('--game must be wos or kingshot');

    expect((await cli('members', 'add', GUILD, '70000201', '--alliance', 'north', '--no-catch-up')).code).toBe(0);
    const list = await cli('alliance', 'list', GUILD);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual([
      ['NAME', 'GAME', 'STATE', 'AUTO', 'MEMBERS', 'PRIORITY'],
      ['North', 'wos', '245', 'on', '1', '100'],
      ['South', 'wos', '246', 'off', '0', '100'],
      ['Kings', 'kingshot', '12', 'on', '0', '100'],
    ]);
  });

  it('roster commands need --alliance when the server has several: the error names them and nothing changes', async () => {
    const added = await cli('members', 'add', GUILD, '70000202', '--no-catch-up');
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(
      `Guild ${GUILD} has 3 alliances ("North", "South" and "Kings"): say which one with --alliance <name>.`,
    );
    const roster = join(h.dir, 'roster.csv');
    writeFileSync(roster, 'fid,state,name\n70000203,245,Eve\n');
    const imported = await cli('members', 'import', GUILD, roster);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain(
      `Guild ${GUILD} has 3 alliances ("North", "South" and "Kings"): say which one gets these members with --alliance <name>, or add an alliance column`,
    );
    const unknown = await cli('members', 'list', GUILD, '--alliance', 'West');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `Guild ${GUILD} has no alliance named "West". Its alliances: "North", "South" and "Kings".`,
    );
    const noTarget = await cli('members', 'move', GUILD, '70000201');
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--alliance is required');
    expect(await readStore((store) => store.members.get(GUILD, '70000202'))).toBeNull();
    expect(await readStore((store) => store.members.get(GUILD, '70000203'))).toBeNull();
    // guild add is for a server with one alliance
    const guildAdd = await cli('guild', 'add', GUILD, '--game', 'wos', '--state', '245');
    expect(guildAdd.code).toBe(2);
    expect(guildAdd.stderr).toContain('has 3 alliances');
  });

  it('members list and move work per alliance; a move keeps what the player has redeemed', async () => {
    // What the player has redeemed (the ledger is per player and code, whatever roster lists them).
    await readStore((store) =>
      store.ledger.importFinal([
        { game: 'wos', fid: '70000201', code: 'MOVEKEEP', guildId: GUILD, outcome: { status: 'success' } },
      ]),
    );

    const moved = await cli('members', 'move', GUILD, '70000201', '--alliance', 'South');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('Moved member 70000201 from "North" to "South"');
    expect((await cli('members', 'list', GUILD, '--alliance', 'south')).stdout).toMatch(/^70000201\s+state 245/);
    const wrongGame = await cli('members', 'move', GUILD, '70000201', '--alliance', 'Kings');
    expect(wrongGame.code).toBe(2);
    expect(wrongGame.stderr).toContain('plays wos; "Kings" plays kingshot');
    const again = await cli('members', 'move', GUILD, '70000201', '--alliance', 'South');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already in "South"');
    expect((await readStore((store) => store.ledger.get('wos', '70000201', 'MOVEKEEP')))?.status).toBe('success');
  });

  it('members import sends each line to the alliance its column names; an unknown alliance is a bad line', async () => {
    const csv = join(h.dir, 'alliances.csv');
    writeFileSync(csv, 'fid,state,name,alliance\n70000211,245,Ann,North\n70000212,,Bo,south\n70000213,245,Cy,West\n');
    const refused = await cli('members', 'import', GUILD, csv, '--no-catch-up');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('line 4: no alliance named "West" here ("North", "South" and "Kings")');
    expect(refused.stderr).toContain('1 line(s) rejected; nothing was imported');

    const imported = await cli('members', 'import', GUILD, csv, '--skip-invalid', '--no-catch-up');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported 2 member(s) into guild');
    const [ann, bo] = await readStore(async (store) => [
      await store.members.get(GUILD, '70000211'),
      await store.members.get(GUILD, '70000212'),
    ]);
    const alliances = await readStore((store) => store.alliances.list({ guildId: GUILD }));
    const id = (name: string) => alliances.find((a) => a.name === name)?.id;
    expect(ann).toMatchObject({ allianceId: id('North'), state: 245 });
    // A line without a state gets its own alliance's state.
    expect(bo).toMatchObject({ allianceId: id('South'), state: 246 });

    // Lines without an alliance column go to --alliance.
    const plain = join(h.dir, 'plain.csv');
    writeFileSync(plain, '70000214,,Dee\n');
    expect((await cli('members', 'import', GUILD, plain, '--alliance', 'Kings', '--no-catch-up')).code).toBe(0);
    expect(await readStore((store) => store.members.get(GUILD, '70000214'))).toMatchObject({
      allianceId: id('Kings'),
      game: 'kingshot',
      state: 12,
    });
  });

  it('alliance remove takes the roster off and keeps the ledger', async () => {
    const removed = await cli('alliance', 'remove', GUILD, '--name', 'south');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed alliance "South"');
    expect(removed.stdout).toContain('2 member(s) left the roster');
    expect(await readStore((store) => store.alliances.byName(GUILD, 'South'))).toBeNull();
    expect(await readStore((store) => store.members.get(GUILD, '70000201'))).toBeNull();
    expect((await readStore((store) => store.ledger.get('wos', '70000201', 'MOVEKEEP')))?.status).toBe('success');
    const gone = await cli('alliance', 'remove', GUILD, '--name', 'South');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no alliance named "South"');
  });

  it("guild add keeps working on a one-alliance server: it creates, then updates, the server's only alliance", async () => {
    expect((await cli('guild', 'add', SINGLE, '--game', 'wos', '--state', '245', '--name', 'Lions')).code).toBe(0);
    const updated = await cli('guild', 'add', SINGLE, '--game', 'wos', '--state', '250', '--auto', 'off');
    expect(updated.stdout).toContain(`Updated guild ${SINGLE}: wos, state 250, auto-redeem off`);
    expect((await cli('alliance', 'list', SINGLE)).stdout).toMatch(/Lions\s+wos\s+250\s+off\s+0/);
    // One alliance: no --alliance needed.
    expect((await cli('members', 'add', SINGLE, '70000221', '--no-catch-up')).code).toBe(0);
    expect(await readStore((store) => store.members.get(SINGLE, '70000221'))).toMatchObject({ state: 250 });
    const otherGame = await cli('guild', 'add', SINGLE, '--game', 'kingshot', '--state', '3');
    expect(otherGame.code).toBe(2);
    expect(otherGame.stderr).toContain('giftbot alliance add');
  });

  it('answers --help with the alliance usage', async () => {
    const help = await cli('alliance', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^Usage: giftbot alliance add <guildId> --name <text> --game wos\|kingshot --state <kid>/,
    );
  });
});
