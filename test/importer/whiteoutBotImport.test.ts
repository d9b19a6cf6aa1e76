import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect } from 'vitest';
import { CliError } from '../../src/cli/cliError.ts';
import { importCommand } from '../../src/cli/commands/importCommand.ts';
import { importWhiteoutBot } from '../../src/importer/whiteoutBot/importWhiteoutBot.ts';
import { ImportVerificationError } from '../../src/store/importVerificationError.ts';
import { callsPerFid } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { dumpDatabase, fingerprint, writeWhiteoutBot, type Fixture } from './whiteoutBotFixture.ts';
import { giftCode } from '../../src/game/giftCode.ts';

// Discord ids beyond 2^53: they must arrive digit for digit.
const WOLVES = 1234567890123456789n;
const BEARS = 987654321098765432n;

/**
 * Two alliances with a few hundred members, codes and redemption history, and the broken rows a real bot collects:
 * an alliance without a Discord server, members without a state, a user in an alliance that is gone, a bad id, a
 * code that is not one.
 */
function buildFixture(): Fixture & {
  expected: { alreadyRedeemed1: Set<string>; wolves: string[]; bears: string[]; stateless: string[] };
} {
  const users: Fixture['users'] = [];
  const wolves: string[] = [];
  const bears: string[] = [];
  const stateless: string[] = [];
  for (let i = 0; i < 180; i += 1) {
    const fid = 70_000_000 + i;
    const kid = i < 6 ? null : i < 26 ? 246 : 245;
    users.push({ fid, nickname: `Wolf ${i}`, kid, alliance: '1' });
    wolves.push(String(fid));
    if (kid === null) stateless.push(String(fid));
  }
  for (let i = 0; i < 140; i += 1) {
    const fid = 71_000_000 + i;
    const kid = i === 0 ? 0 : i < 10 ? 311 : 310;
    users.push({ fid, nickname: `Bear ${i}`, kid, alliance: '2' });
    bears.push(String(fid));
    if (kid === 0) stateless.push(String(fid));
  }
  for (let i = 0; i < 5; i += 1) users.push({ fid: 72_000_000 + i, nickname: `Ghost ${i}`, kid: 245, alliance: '3' });
  for (let i = 0; i < 3; i += 1) users.push({ fid: 73_000_000 + i, nickname: `Lost ${i}`, kid: 245, alliance: '99' });
  users.push({ fid: -42, nickname: 'Broken id', kid: 245, alliance: '1' });

  const history: Fixture['history'] = [];
  const alreadyRedeemed1 = new Set<string>();
  // WOSGIFT1: the wolves with a state: 150 redeemed, 10 had it already, 4 left on "TIMEOUT RETRY", 10 never tried.
  wolves.slice(6).forEach((fid, i) => {
    const status = i < 150 ? 'SUCCESS' : i < 160 ? 'RECEIVED' : i < 164 ? 'TIMEOUT_RETRY' : null;
    if (status) history.push({ fid: Number(fid), code: 'WOSGIFT1', status });
    if (i < 160) alreadyRedeemed1.add(fid);
  });
  // The bears: 100 redeemed, 20 same-type, 5 errors.
  bears.slice(1).forEach((fid, i) => {
    const status = i < 100 ? 'SUCCESS' : i < 120 ? 'SAME TYPE EXCHANGE' : i < 125 ? 'ERROR' : null;
    if (status) history.push({ fid: Number(fid), code: 'WOSGIFT1', status });
  });
  wolves.slice(6, 56).forEach((fid) => history.push({ fid: Number(fid), code: 'WOSGIFT2', status: 'SUCCESS' }));
  // History of the alliance without a server: not imported.
  for (let i = 0; i < 5; i += 1) history.push({ fid: 72_000_000 + i, code: 'WOSGIFT1', status: 'SUCCESS' });

  return {
    alliances: [
      {
        id: 1,
        name: 'Frost Wolves',
        discordServerId: WOLVES,
        kid: 245,
        channelId: 1111111111111111111n,
        codeChannelId: 2222222222222222222n,
        autoRedeem: 1,
      },
      { id: 2, name: 'Ice Bears', discordServerId: BEARS, kid: null, channelId: 3333333333333333333n, autoRedeem: 0 },
      { id: 3, name: 'Ghosts', discordServerId: null, kid: 245 },
    ],
    users,
    codes: [
      { code: 'WOSGIFT1', status: 'validated' },
      { code: 'WOSGIFT2', status: 'validated' },
      { code: 'WOSGIFT3', status: 'pending' },
      { code: 'OLDGIFT', status: 'invalid' },
      { code: 'ODDCODE', status: 'weird_status' },
      { code: 'bad code!', status: 'validated' },
    ],
    history,
    expected: { alreadyRedeemed1, wolves, bears, stateless },
  };
}

describe('giftbot import whiteout-bot', () => {
  it('brings alliances, members, states, codes and history over in one go, and the next run calls only who still needs the code', async ({
    startCore,
  }) => {
    const h = await startCore({ sim: { rateLimit: { limit: 50, windowMs: 1_000 } } });
    const fixture = buildFixture();
    const botFolder = join(h.dir, 'whiteout-bot');
    writeWhiteoutBot(botFolder, fixture);
    const before = fingerprint(botFolder);

    const report = await importWhiteoutBot(h.app.store, botFolder, { log: h.app.log });

    // The source is left exactly as it was: same bytes, no -wal or -shm files added.
    expect(fingerprint(botFolder)).toEqual(before);
    expect(report.result).toMatchObject({
      dryRun: false,
      guilds: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
      alliances: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
      members: { created: 320, updated: 0, unchanged: 0, skipped: 0 },
      codes: { created: 5, updated: 0, unchanged: 0, skipped: 0 },
      ledger: { created: 150 + 10 + 100 + 20 + 50, updated: 0, unchanged: 0, skipped: 0 },
      verified: { guilds: 2, alliances: 2, members: 320, codes: 5, ledger: 330 },
    });
    expect(report.historyNotFinal).toEqual({ TIMEOUT_RETRY: 4, ERROR: 5 });
    const problems = Object.fromEntries(report.problems.map((p) => [p.kind, p.count]));
    expect(problems).toEqual({
      'alliance-without-server': 1,
      'alliance-state-inferred': 1,
      'member-without-state': 7,
      'user-unknown-alliance': 3,
      'user-bad-fid': 1,
      'code-bad-format': 1,
      'code-status-unknown': 1,
      'history-not-imported': 5,
    });

    const wolves = await h.app.store.alliances.byName(String(WOLVES), 'Frost Wolves');
    expect(wolves).toMatchObject({
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
      resultChannelId: '1111111111111111111',
      codesChannelId: '2222222222222222222',
      name: 'Frost Wolves',
    });
    // No state of its own: the one most of its members are in.
    expect(await h.app.store.alliances.byName(String(BEARS), 'Ice Bears')).toMatchObject({
      defaultState: 310,
      autoRedeem: false,
      resultChannelId: '3333333333333333333',
      name: 'Ice Bears',
    });
    const wolfRoster = await h.app.store.members.list(String(WOLVES));
    const bearRoster = await h.app.store.members.list(String(BEARS));
    expect(wolfRoster.map((m) => m.fid).sort()).toEqual([...fixture.expected.wolves].sort());
    expect(bearRoster.map((m) => m.fid).sort()).toEqual([...fixture.expected.bears].sort());
    const byFid = new Map([...wolfRoster, ...bearRoster].map((m) => [m.fid, m]));
    expect(byFid.get('70000000')).toMatchObject({ state: null, stateStatus: 'unknown', name: 'Wolf 0' });
    expect(byFid.get('70000010')).toMatchObject({ state: 246, stateStatus: 'ok' });
    expect(byFid.get('70000100')).toMatchObject({ state: 245, stateStatus: 'ok', addedBy: 'import:whiteout-bot' });
    expect(byFid.get('71000000')).toMatchObject({ state: null, stateStatus: 'unknown' });
    expect(byFid.get('71000005')).toMatchObject({ state: 311 });
    expect(
      [...byFid.values()]
        .filter((m) => m.state === null)
        .map((m) => m.fid)
        .sort(),
    ).toEqual([...fixture.expected.stateless].sort());

    const codes = Object.fromEntries((await h.app.store.codes.list({ game: 'wos' })).map((c) => [c.code, c.status]));
    expect(codes).toEqual({
      WOSGIFT1: 'valid',
      WOSGIFT2: 'valid',
      WOSGIFT3: 'new',
      OLDGIFT: 'invalid',
      ODDCODE: 'new',
    });
    expect(await h.app.store.ledger.countByStatus('wos', 'WOSGIFT1')).toMatchObject({
      success: 250,
      already: 30,
      pending: 0,
      retry: 0,
      failed: 0,
    });
    expect(await h.app.store.ledger.get('wos', '71000110', 'WOSGIFT1')).toMatchObject({
      status: 'already',
      reason: 'same-type',
      errCode: 40011,
      msg: 'SAME TYPE EXCHANGE',
    });

    // A redemption run now: nobody the old bot already served is called; everyone else with a state is.
    for (const m of [...wolfRoster, ...bearRoster])
      if (m.state !== null) h.sim.addPlayer('wos', { fid: m.fid, kid: m.state });
    h.sim.addCode('wos', 'WOSGIFT1');
    const run = await h.app.engine.processAutoRedeem(String(WOLVES), giftCode('WOSGIFT1'), { trigger: 'manual' });
    const called = new Set(callsPerFid(h.sim, 'WOSGIFT1').keys());
    const shouldCall = wolfRoster
      .filter((m) => m.state !== null && !fixture.expected.alreadyRedeemed1.has(m.fid))
      .map((m) => m.fid);
    expect([...called].sort()).toEqual([...shouldCall].sort());
    expect([...called].some((fid) => fixture.expected.alreadyRedeemed1.has(fid))).toBe(false);
    expect(run.counts).toMatchObject({ success: 14, skipped: 160 + 6 });
    expect(run.byReason).toMatchObject({ 'skipped:already-final': 160, 'skipped:state-unknown': 6 });
  });

  it('--dry-run prints what would change and writes nothing; a second import changes nothing', async ({
    startCore,
  }) => {
    const h = await startCore();
    const botFolder = join(h.dir, 'whiteout-bot');
    writeWhiteoutBot(botFolder, buildFixture());
    const lines: string[] = [];
    const ctx = { app: h.app, out: (line: string) => lines.push(line) };
    const empty = dumpDatabase(h.dbPath);

    expect(await importCommand(['whiteout-bot', botFolder, '--dry-run'], ctx)).toBe(0);
    expect(dumpDatabase(h.dbPath)).toEqual(empty);
    expect(lines).toContain('Dry run: nothing was written. The import would do this:');
    expect(lines).toContain('  members:            320 would be new, 0 would be updated, 0 unchanged, 0 skipped');
    expect(lines).toContain(
      `  would create "Frost Wolves" on server ${WOLVES} (alliance 1 in the old bot)  state 245  180 member(s) (6 without a state)`,
    );
    expect(
      lines.some((line) => line.startsWith('  - members without a state') && line.includes(': 7 — 70000000, 70000001')),
    ).toBe(true);
    expect(lines.at(-1)).toBe('Run again without --dry-run to import.');

    lines.length = 0;
    expect(await importCommand(['whiteout-bot', botFolder], ctx)).toBe(0);
    expect(lines).toContain('  members:            320 new, 0 updated, 0 unchanged, 0 skipped');
    expect(lines).toContain(
      `Next: find the missing states with giftbot members resolve ${WOLVES} and giftbot members resolve ${BEARS}.`,
    );
    const afterFirst = dumpDatabase(h.dbPath);
    expect(afterFirst.members).toHaveLength(320);

    lines.length = 0;
    expect(await importCommand(['whiteout-bot', botFolder], ctx)).toBe(0);
    expect(dumpDatabase(h.dbPath)).toEqual(afterFirst);
    expect(lines).toContain('  servers:            0 new, 0 updated, 2 unchanged, 0 skipped');
    expect(lines).toContain('  alliances:          0 new, 0 updated, 2 unchanged, 0 skipped');
    expect(lines).toContain('  members:            0 new, 0 updated, 320 unchanged, 0 skipped');
    expect(lines).toContain(
      '  redemption history: 0 new, 0 updated, 330 unchanged, 0 skipped  (members never called again for these)',
    );
  });

  it('never overwrites what giftbot already knows, and fills in what it does not', async ({ startCore }) => {
    const h = await startCore();
    const botFolder = join(h.dir, 'whiteout-bot');
    writeWhiteoutBot(botFolder, buildFixture());
    // Set up in giftbot before the move: another result channel, auto-redeem off, a member moved to another state, one
    // without a state, one removed on purpose.
    const added = await h.app.store.alliances.add({
      guildId: String(WOLVES),
      // Matched to the old bot's "Frost Wolves" whatever the case.
      name: 'frost wolves',
      game: 'wos',
      defaultState: 245,
      autoRedeem: false,
      resultChannelId: '4444444444444444444',
    });
    if (!added.created) throw new Error('alliance exists already');
    const wolvesId = added.alliance.id;
    await h.app.store.members.add(wolvesId, { fid: '70000100', state: 250, name: 'Renamed' });
    await h.app.store.members.add(wolvesId, { fid: '70000101', state: null });
    await h.app.store.members.add(wolvesId, { fid: '70000102', state: 245 });
    await h.app.store.members.remove(String(WOLVES), '70000102');
    // A kingshot alliance of the bears' name on their server: not merged into a wos import.
    await h.app.store.alliances.add({ guildId: String(BEARS), name: 'Ice Bears', game: 'kingshot', defaultState: 1 });

    const report = await importWhiteoutBot(h.app.store, botFolder);

    expect(report.result.guilds).toEqual({ created: 0, updated: 0, unchanged: 2, skipped: 0 });
    expect(report.result.alliances).toEqual({ created: 0, updated: 1, unchanged: 0, skipped: 1 });
    expect(await h.app.store.alliances.get(wolvesId)).toMatchObject({
      autoRedeem: false,
      resultChannelId: '4444444444444444444',
      codesChannelId: '2222222222222222222',
      name: 'frost wolves',
    });
    expect(await h.app.store.members.get(String(WOLVES), '70000100')).toMatchObject({ state: 250, name: 'Renamed' });
    expect(await h.app.store.members.get(String(WOLVES), '70000101')).toMatchObject({
      state: 245,
      stateStatus: 'ok',
      name: 'Wolf 101',
    });
    expect(await h.app.store.members.get(String(WOLVES), '70000102')).toBeNull();
    expect(await h.app.store.members.list(String(BEARS))).toEqual([]);
    expect(report.result.notes).toEqual(
      expect.arrayContaining([
        `alliance "Ice Bears" of server ${BEARS} is a kingshot alliance in giftbot, not wos: it and its members were left alone`,
        `alliance "Frost Wolves" of server ${WOLVES}: kept giftbot's result channel 4444444444444444444 (the import says 1111111111111111111)`,
        `alliance "Frost Wolves" of server ${WOLVES}: kept giftbot's auto-redeem off (the import says on)`,
        '1 member(s) removed in giftbot were left removed',
        "1 member(s) have another state in giftbot than in the import: giftbot's was kept",
      ]),
    );
  });

  it('reads an older version of the bot (fewer columns and tables) with alliances mapped by hand', async ({
    startCore,
  }) => {
    const h = await startCore();
    const botFolder = join(h.dir, 'old-bot');
    writeWhiteoutBot(botFolder, buildFixture(), { old: true });
    const lines: string[] = [];

    const code = await importCommand(['whiteout-bot', botFolder, '--guild', `1=${WOLVES}`], {
      app: h.app,
      out: (line) => lines.push(line),
    });

    expect(code).toBe(0);
    expect((await h.app.store.members.list(String(WOLVES))).length).toBe(180);
    // No state stored for the alliance in this version: the most common among its members.
    expect((await h.app.store.alliances.byName(String(WOLVES), 'Frost Wolves'))?.defaultState).toBe(245);
    expect(Object.fromEntries((await h.app.store.codes.list()).map((c) => [c.code, c.status]))).toMatchObject({
      WOSGIFT1: 'new',
      OLDGIFT: 'new',
    });
    expect(lines).toContain(
      '  - alliance_list in alliance.sqlite has no discord_server_id, kid column (an older version of the bot): read as empty',
    );
    expect(lines).toContain(
      '  - gift_codes in giftcode.sqlite has no validation_status column (an older version of the bot): read as empty',
    );
    expect(
      lines.some(
        (line) =>
          line.includes('alliances without a Discord server') && line.includes('alliance 2 (Ice Bears), 140 member(s)'),
      ),
    ).toBe(true);
  });

  it("refuses a folder that is not the bot's, and rolls everything back when the counts do not add up", async ({
    startCore,
  }) => {
    const h = await startCore();
    const ctx = { app: h.app, out: () => undefined };
    const emptyFolder = join(h.dir, 'nothing-here');
    mkdirSync(emptyFolder);
    await expect(importCommand(['whiteout-bot', emptyFolder], ctx)).rejects.toThrow(CliError);
    await expect(importCommand(['whiteout-bot', emptyFolder], ctx)).rejects.toThrow(
      /neither users.sqlite nor alliance.sqlite.*Nothing was imported/,
    );
    await expect(importCommand(['whiteout-bot'], ctx)).rejects.toThrow(/folder is required/);
    await expect(importCommand(['elsewhere', emptyFolder], ctx)).rejects.toThrow(/Unknown import source/);

    const botFolder = join(h.dir, 'whiteout-bot');
    writeWhiteoutBot(botFolder, buildFixture());
    // Something in the database loses a row as it is written (a stand-in for any broken write).
    const other = new DatabaseSync(h.dbPath);
    other.exec(
      `CREATE TRIGGER lose_one AFTER INSERT ON members WHEN NEW.fid = '70000050' BEGIN DELETE FROM members WHERE fid = NEW.fid; END`,
    );
    other.close();
    const before = dumpDatabase(h.dbPath);

    await expect(importWhiteoutBot(h.app.store, botFolder)).rejects.toThrow(ImportVerificationError);
    await expect(importWhiteoutBot(h.app.store, botFolder)).rejects.toThrow(
      'the import did not add up (members: 319 found, 320 expected); nothing was written',
    );
    expect(dumpDatabase(h.dbPath)).toEqual(before);
  });
});
