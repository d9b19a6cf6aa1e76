import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { importCommand } from '../../src/cli/commands/importCommand.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import { callsPerFid } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { dumpDatabase, writeWhiteoutBot, type Fixture } from './whiteoutBotFixture.ts';

const SERVER = 1234567890123456789n;

/**
 * One Discord server with three of the old bot's alliances (as a state's server often has), two of them spelled
 * alike: 30 Wolves, 20 Owls, 10 in the second "frost wolves". Half of each redeemed GIFT1 with the old bot.
 */
function threeAlliances(): Fixture & { rosters: Record<string, string[]>; redeemed: Set<string> } {
  const alliances: Fixture['alliances'] = [
    { id: 1, name: 'Frost Wolves', discordServerId: SERVER, kid: 245, channelId: 1111111111111111111n, autoRedeem: 1 },
    { id: 2, name: 'Snow Owls', discordServerId: SERVER, kid: 246, channelId: 2222222222222222222n, autoRedeem: 0 },
    { id: 3, name: 'frost wolves', discordServerId: SERVER, kid: 247 },
  ];
  const sizes = { '1': 30, '2': 20, '3': 10 } as const;
  const users: Fixture['users'] = [];
  const history: Fixture['history'] = [];
  const rosters: Record<string, string[]> = { '1': [], '2': [], '3': [] };
  const redeemed = new Set<string>();
  for (const [alliance, size] of Object.entries(sizes)) {
    const kid = 244 + Number(alliance);
    for (let i = 0; i < size; i += 1) {
      const fid = 80_000_000 + Number(alliance) * 1_000 + i;
      users.push({ fid, nickname: `P${alliance}-${i}`, kid, alliance });
      rosters[alliance]!.push(String(fid));
      if (i % 2 === 0) {
        history.push({ fid, code: 'GIFT1', status: 'SUCCESS' });
        redeemed.add(String(fid));
      }
    }
  }
  return { alliances, users, codes: [{ code: 'GIFT1', status: 'validated' }], history, rosters, redeemed };
}

describe('giftbot import whiteout-bot: several alliances on one server', () => {
  it('keeps each alliance as an alliance, with its name, state, members and history; the dry run lists them', async ({
    startCore,
  }) => {
    const h = await startCore({ sim: { rateLimit: { limit: 100, windowMs: 1_000 } } });
    const fixture = threeAlliances();
    const botFolder = join(h.dir, 'whiteout-bot');
    writeWhiteoutBot(botFolder, fixture);
    const lines: string[] = [];
    const ctx = { app: h.app, out: (line: string) => lines.push(line) };
    const empty = dumpDatabase(h.dbPath);

    expect(await importCommand(['whiteout-bot', botFolder, '--dry-run'], ctx)).toBe(0);
    expect(dumpDatabase(h.dbPath)).toEqual(empty);
    expect(lines).toContain('  alliances:          3 would be new, 0 would be updated, 0 unchanged, 0 skipped');
    expect(lines.filter((line) => line.startsWith('  would create '))).toEqual([
      `  would create "Frost Wolves" on server ${SERVER} (alliance 1 in the old bot)  state 245  30 member(s)`,
      `  would create "Snow Owls" on server ${SERVER} (alliance 2 in the old bot)  state 246  20 member(s)`,
      `  would create "frost wolves (3)" on server ${SERVER} (alliance 3 in the old bot)  state 247  10 member(s)`,
    ]);

    lines.length = 0;
    expect(await importCommand(['whiteout-bot', botFolder], ctx)).toBe(0);
    expect(lines).toContain('  alliances:          3 new, 0 updated, 0 unchanged, 0 skipped');
    expect(lines).toContain('  members:            60 new, 0 updated, 0 unchanged, 0 skipped');

    const guildId = String(SERVER);
    const alliances = await h.app.store.alliances.list({ guildId });
    expect(alliances.map((a) => [a.name, a.game, a.defaultState, a.autoRedeem, a.resultChannelId])).toEqual([
      ['Frost Wolves', 'wos', 245, true, '1111111111111111111'],
      ['Snow Owls', 'wos', 246, false, '2222222222222222222'],
      ['frost wolves (3)', 'wos', 247, true, null],
    ]);
    for (const [i, alliance] of alliances.entries()) {
      const roster = await h.app.store.members.list(guildId, { allianceIds: [alliance.id] });
      expect(roster.map((m) => m.fid).sort()).toEqual(fixture.rosters[String(i + 1)]!.sort());
    }
    expect(await h.app.store.ledger.countByStatus('wos', 'GIFT1')).toMatchObject({ success: 30 });

    // The server's run of the code calls only those the old bot had not served, across the three alliances.
    for (const fid of Object.values(fixture.rosters).flat())
      h.sim.addPlayer('wos', { fid, kid: 244 + Math.floor((Number(fid) - 80_000_000) / 1_000) });
    h.sim.addCode('wos', 'GIFT1');
    const run = await h.app.engine.processAutoRedeem(guildId, giftCode('GIFT1'), { trigger: 'manual' });
    const called = [...callsPerFid(h.sim, 'GIFT1').entries()];
    expect(called.every(([, calls]) => calls === 1)).toBe(true);
    expect(called.map(([fid]) => fid).sort()).toEqual(
      Object.values(fixture.rosters)
        .flat()
        .filter((fid) => !fixture.redeemed.has(fid))
        .sort(),
    );
    expect(run.counts).toMatchObject({ success: 30, skipped: 30 });

    // Run again: the same three alliances, nothing new.
    lines.length = 0;
    expect(await importCommand(['whiteout-bot', botFolder], ctx)).toBe(0);
    expect(lines).toContain('  alliances:          0 new, 0 updated, 3 unchanged, 0 skipped');
    expect(lines.filter((line) => line.startsWith('  added to ')).length).toBe(3);
  });
});
