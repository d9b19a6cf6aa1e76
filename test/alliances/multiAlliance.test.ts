import { describe, expect, vi } from 'vitest';
import { redeemCommand } from '../../src/cli/commands/redeemCommand.ts';
import { createDiscovery } from '../../src/codes/createDiscovery.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import type { Game } from '../../src/game/games.ts';
import { EVENTS } from '../../src/log/events.ts';
import type { RunSummary } from '../../src/redeem/runSummary.ts';
import { addAlliance } from '../support/alliances.ts';
import { awaited } from '../support/awaited.ts';
import { callsPerFid, type CoreHarness } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { feedSource, WAIT } from '../discovery/helpers.ts';

const SERVER = '930000000000000001';
const OTHER_SERVER = '930000000000000002';

/** An alliance with `count` members the simulator knows, in its state. Returns the alliance id and fids. */
async function seed(
  h: CoreHarness,
  spec: { guildId?: string; name: string; game: Game; state: number; count: number; firstFid: number },
) {
  const alliance = await addAlliance(h.app.store, {
    guildId: spec.guildId ?? SERVER,
    name: spec.name,
    game: spec.game,
    defaultState: spec.state,
    autoRedeem: true,
  });
  const fids = Array.from({ length: spec.count }, (_, i) => String(spec.firstFid + i));
  h.sim.addPlayers(
    spec.game,
    fids.map((fid) => ({ fid, kid: spec.state })),
  );
  await h.app.store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state: spec.state })),
  );
  return { id: alliance.id, fids };
}

/** Two Whiteout Survival alliances and one Kingshot alliance in one server. */
async function threeAlliances(h: CoreHarness) {
  const wolves = await seed(h, { name: 'Wolves', game: 'wos', state: 245, count: 5, firstFid: 71_000_001 });
  const bears = await seed(h, { name: 'Bears', game: 'wos', state: 246, count: 4, firstFid: 72_000_001 });
  const kings = await seed(h, { name: 'Kings', game: 'kingshot', state: 9, count: 3, firstFid: 73_000_001 });
  return { wolves, bears, kings };
}

const gameCalls = (h: CoreHarness, game: Game) =>
  h.sim.calls.filter((call) => call.game === game && call.path.endsWith('/gift_code'));

describe('several alliances in one server', () => {
  it('a WOS code from a feed reaches every member of both WOS alliances once; the Kingshot API gets no call', async ({
    startCore,
  }) => {
    const h = await startCore({
      env: { FEED_POLL_MIN_MS: '1000', FEED_POLL_MAX_MS: '1000', FEED_TIMEOUT_MS: '1500' },
    });
    const { wolves, bears, kings } = await threeAlliances(h);
    h.sim.setFeed('community', { format: 'community', codes: [], apiKey: 'k' });
    const discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'community', 'wos', { apiKey: 'k' })] });
    try {
      discovery.start();
      h.sim.addCode('wos', 'MULTI1');
      h.sim.addCode('kingshot', 'MULTI1');
      h.sim.setFeed('community', { format: 'community', codes: ['MULTI1'], apiKey: 'k' });
      await vi.waitFor(async () => {
        const record = await h.app.store.codes.get('wos', 'MULTI1');
        return awaited(record?.fanoutDoneAt != null && discovery.intake.inProgress().length === 0, 'the fan-out');
      }, WAIT);
    } finally {
      await discovery.stop();
    }

    const perFid = callsPerFid(h.sim, 'MULTI1');
    expect([...perFid.keys()].sort()).toEqual([...wolves.fids, ...bears.fids].sort());
    expect([...perFid.values()].every((n) => n === 1)).toBe(true);
    expect(h.sim.successes('wos', 'MULTI1').sort()).toEqual([...wolves.fids, ...bears.fids].sort());
    expect(gameCalls(h, 'kingshot')).toHaveLength(0);
    for (const fid of kings.fids) expect(perFid.has(fid)).toBe(false);
    // One automatic run for the server (after the one-member check of the new code), covering both WOS alliances.
    const runs = (await h.app.store.runs.listRecent(SERVER, 10)).filter((run) => run.trigger === 'auto');
    expect(runs.map((run) => [run.trigger, run.outcome, [...run.allianceIds].sort()])).toEqual([
      ['auto', 'completed', [wolves.id, bears.id].sort()],
    ]);
  });

  it('a run limited to one alliance calls only its members; the summary breaks the run down per alliance', async ({
    startCore,
  }) => {
    const h = await startCore();
    const { wolves, bears } = await threeAlliances(h);
    h.sim.addCode('wos', 'ONLYWOLF');
    const summary = await h.app.engine.processAutoRedeem(SERVER, giftCode('ONLYWOLF'), {
      trigger: 'manual',
      allianceIds: [wolves.id],
    });
    expect(summary.status).toBe('completed');
    expect([...callsPerFid(h.sim, 'ONLYWOLF').keys()].sort()).toEqual(wolves.fids);
    expect(summary.alliances).toMatchObject([{ allianceId: wolves.id, name: 'Wolves', counts: { success: 5 } }]);
    expect(summary.members.every((m) => m.allianceId === wolves.id)).toBe(true);

    h.sim.addCode('wos', 'BOTHWOS');
    const both = await h.app.engine.processAutoRedeem(SERVER, giftCode('BOTHWOS'), { trigger: 'manual', game: 'wos' });
    expect(both.alliances.map((a) => [a.name, a.counts.total, a.counts.success])).toEqual([
      ['Wolves', 5, 5],
      ['Bears', 4, 4],
    ]);
    expect(both.alliances[1]!.message).toBe('BOTHWOS: 4 of 4 members have it (4 new, 0 already had it).');
    expect(gameCalls(h, 'kingshot')).toHaveLength(0);
    expect(bears.fids.every((fid) => h.sim.successes('wos', 'BOTHWOS').includes(fid))).toBe(true);
  });

  it('a second trigger for the other alliance during a run is queued, then runs for that alliance', async ({
    startCore,
  }) => {
    const h = await startCore();
    const { wolves, bears } = await threeAlliances(h);
    h.sim.addCode('wos', 'QUEUED1');
    h.sim.injectFault({ kind: 'slow', delayMs: 1_500, count: 1 }); // the first call (the probe) hangs a while
    const first = h.app.engine.processAutoRedeem(SERVER, giftCode('QUEUED1'), {
      trigger: 'manual',
      allianceIds: [wolves.id],
    });
    await vi.waitFor(() => awaited(h.app.activeRuns.list().length === 1, 'the first run'), WAIT);
    const second = await h.app.engine.processAutoRedeem(SERVER, giftCode('QUEUED1'), {
      trigger: 'manual',
      allianceIds: [bears.id],
    });
    expect(second.status).toBe('duplicate');
    expect(second.message).toContain('Bears will get it right after that run');
    expect((await first).status).toBe('completed');
    await h.app.engine.idle();

    const perFid = callsPerFid(h.sim, 'QUEUED1');
    expect([...perFid.keys()].sort()).toEqual([...wolves.fids, ...bears.fids].sort());
    expect([...perFid.values()].every((n) => n === 1)).toBe(true);
    const runs = await h.app.store.runs.listRecent(SERVER, 10);
    expect(runs.map((run) => [run.trigger, run.allianceIds]).reverse()).toEqual([
      ['manual', [wolves.id]],
      ['rerun', [bears.id]],
    ]);
    expect(h.logs.events(EVENTS.rerunQueued)).toHaveLength(1);
    // A second trigger for an alliance the run covers is a duplicate, as before.
    expect(h.logs.events(EVENTS.duplicateSkipped)).toHaveLength(0);
  });

  it('a player listed in two alliances of two servers is called once', async ({ startCore }) => {
    const h = await startCore();
    const { wolves } = await threeAlliances(h);
    const shared = wolves.fids[0]!;
    const other = await seed(h, {
      guildId: OTHER_SERVER,
      name: 'Foxes',
      game: 'wos',
      state: 245,
      count: 2,
      firstFid: 74_000_001,
    });
    await h.app.store.members.add(other.id, { fid: shared, state: 245 });
    h.sim.addCode('wos', 'TWICE1');
    const runs = await Promise.all([
      h.app.engine.processAutoRedeem(SERVER, giftCode('TWICE1'), { trigger: 'auto', game: 'wos' }),
      h.app.engine.processAutoRedeem(OTHER_SERVER, giftCode('TWICE1'), { trigger: 'auto' }),
    ]);
    expect(runs.map((run) => run.status)).toEqual(['completed', 'completed']);
    expect(callsPerFid(h.sim, 'TWICE1').get(shared)).toBe(1);
    expect(h.sim.successes('wos', 'TWICE1').filter((fid) => fid === shared)).toHaveLength(1);
  });

  it('a code typed for a server with both games needs the game or the alliance: refused, nothing sent', async ({
    startCore,
  }) => {
    const h = await startCore();
    await threeAlliances(h);
    h.sim.addCode('wos', 'WHICH1');
    const refused = await h.app.engine.processAutoRedeem(SERVER, giftCode('WHICH1'), { trigger: 'manual' });
    expect(refused.status).toBe('refused');
    expect(refused.message).toBe(
      'This server has alliances of both games (Whiteout Survival: "Wolves", "Bears"; Kingshot: "Kings"): say which game the code is for (game: wos or kingshot), or name the alliance.',
    );
    const kings = await h.app.store.alliances.byName(SERVER, 'kings');
    const mismatch = await h.app.engine.processAutoRedeem(SERVER, giftCode('WHICH1'), {
      trigger: 'manual',
      game: 'wos',
      allianceIds: [kings!.id],
    });
    expect(mismatch).toMatchObject({ status: 'refused' });
    expect(mismatch.message).toContain('"Kings" is a Kingshot alliance, not Whiteout Survival');
    expect(h.sim.calls.filter((call) => call.cdk === 'WHICH1')).toHaveLength(0);
    expect(await h.app.store.codes.get('wos', 'WHICH1')).toBeNull();
    expect(await h.app.store.codes.get('kingshot', 'WHICH1')).toBeNull();
  });

  it('CLI redeem: --game or --alliance picks the alliances, --json carries the breakdown, mistakes exit non-zero', async ({
    startCore,
  }) => {
    const h = await startCore();
    const { bears } = await threeAlliances(h);
    h.sim.addCode('wos', 'CLIMULTI');
    const cli = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      let code: number;
      try {
        code = await redeemCommand(args, { app: h.app, out: (l) => out.push(l), err: (l) => err.push(l) });
      } catch (error) {
        err.push((error as Error).message);
        code = (error as { exitCode?: number }).exitCode ?? 1;
      }
      return { code, out, err };
    };

    const ambiguous = await cli([SERVER, 'CLIMULTI']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err.join('\n')).toContain('alliances of both games');
    const unknown = await cli([SERVER, 'CLIMULTI', '--alliance', 'Owls']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.join('\n')).toContain('has no alliance named "Owls" (its alliances: Wolves, Bears, Kings)');
    const badGame = await cli([SERVER, 'CLIMULTI', '--game', 'chess']);
    expect(badGame.code).toBe(2);
    expect(h.sim.calls.filter((call) => call.cdk === 'CLIMULTI')).toHaveLength(0);

    const one = await cli([SERVER, 'CLIMULTI', '--alliance', 'bears', '--json']);
    expect(one.code).toBe(0);
    const summary = JSON.parse(one.out[0]!) as RunSummary;
    expect(summary.alliances).toMatchObject([
      { allianceId: bears.id, name: 'Bears', counts: { total: 4, success: 4 } },
    ]);
    expect([...callsPerFid(h.sim, 'CLIMULTI').keys()].sort()).toEqual(bears.fids);

    const rest = await cli([SERVER, 'CLIMULTI', '--game', 'wos']);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain(
      '  alliance "Bears": Nothing to send for CLIMULTI: all 4 members were skipped (4 done in an earlier run).',
    );
    expect(rest.out.some((line) => line.startsWith('  alliance "Wolves": CLIMULTI: 5 of 5 members have it'))).toBe(
      true,
    );
    expect(gameCalls(h, 'kingshot')).toHaveLength(0);
  });
});
