import { describe, expect, vi } from 'vitest';
import { membersCommand } from '../../src/cli/commands/membersCommand.ts';
import { createStateDiscovery } from '../../src/members/stateDiscovery.ts';
import type { SimulatorCall } from '../../src/dev/simulator/gameApiSimulator.ts';
import { awaited } from '../support/awaited.ts';
import type { CoreHarness } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import { addAlliance, addMember } from '../support/alliances.ts';

const GUILD = '910000000000000001';
const ALLIANCE_STATE = 245;
const WAIT = { timeout: 30_000, interval: 20 };

/**
 * A fast but real setting: the server allows 20 calls a second and 150 ms between two calls for one player; giftbot
 * is set a little below both (18 a second, 300 ms), as an operator would, so a busy test machine delaying one request
 * more than another cannot make two calls arrive closer than the server counts.
 */
const FAST = {
  sim: { rateLimit: { limit: 20, windowMs: 1_000 }, playerSpacingMs: 150 },
  env: {
    RATE_LIMIT_PER_MINUTE: '18',
    RATE_LIMIT_WINDOW_MS: '1000',
    PLAYER_SPACING_MS: '300',
    STATE_DISCOVERY_RANGE: '10',
  },
};

/** Probes are the calls with a code the store never saw. */
function probeCalls(sim: CoreHarness['sim'], realCodes: readonly string[] = []): SimulatorCall[] {
  return sim.calls.filter((call) => call.cdk !== undefined && !realCodes.includes(call.cdk));
}

function noThrottling(calls: readonly SimulatorCall[]): void {
  expect(calls.filter((call) => call.httpStatus === 429)).toHaveLength(0);
  // TOO FREQUENT: the per-player gap was kept.
  expect(calls.filter((call) => call.errCode === 40019)).toHaveLength(0);
}

async function addPlayers(
  h: CoreHarness,
  specs: { fid: string; real: number | null; known?: number | null; wrong?: boolean }[],
): Promise<void> {
  for (const spec of specs) {
    if (spec.real !== null) h.sim.addPlayer('wos', { fid: spec.fid, kid: spec.real });
    await addMember(h.app.store, GUILD, { fid: spec.fid, state: spec.known ?? null, name: `player ${spec.fid}` });
    if (spec.wrong) await h.app.store.members.setState(GUILD, spec.fid, spec.known ?? null, 'wrong');
  }
}

describe('state discovery', () => {
  it('finds members spread over several states in few probes, within the budget and the per-player gap', async ({
    startCore,
  }) => {
    const h = await startCore(FAST);
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    // Confirmed mates: most in the alliance's state, some in 251, a few in 238.
    const mates = [
      ...Array.from({ length: 20 }, (_, i) => ({ fid: String(61_000_000 + i), real: 245, known: 245 })),
      ...Array.from({ length: 6 }, (_, i) => ({ fid: String(61_100_000 + i), real: 251, known: 251 })),
      ...Array.from({ length: 3 }, (_, i) => ({ fid: String(61_200_000 + i), real: 238, known: 238 })),
    ];
    await addPlayers(h, mates);
    // Members to find, with the number of probes the search order should need for each.
    const cases: {
      fid: string;
      real: number | null;
      known?: number;
      wrong?: boolean;
      expect: { outcome: string; state: number | null; probes: number };
    }[] = [
      ...Array.from({ length: 8 }, (_, i) => ({
        fid: String(62_000_000 + i),
        real: 245,
        expect: { outcome: 'found', state: 245, probes: 1 },
      })),
      ...Array.from({ length: 4 }, (_, i) => ({
        fid: String(62_100_000 + i),
        real: 251,
        expect: { outcome: 'found', state: 251, probes: 2 },
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        fid: String(62_200_000 + i),
        real: 238,
        expect: { outcome: 'found', state: 238, probes: 3 },
      })),
      // 247: no mate there; after 245, 251, 238 the search goes outward: 246, 244, 247.
      ...Array.from({ length: 2 }, (_, i) => ({
        fid: String(62_300_000 + i),
        real: 247,
        expect: { outcome: 'found', state: 247, probes: 6 },
      })),
      // Refused in a redemption with 245: that state is ruled out without a probe, 251 comes first.
      ...Array.from({ length: 2 }, (_, i) => ({
        fid: String(62_400_000 + i),
        real: 251,
        known: 245,
        wrong: true,
        expect: { outcome: 'found', state: 251, probes: 1 },
      })),
      // Outside 245 ± 10: all 21 states in range are tried, then it is reported.
      { fid: '62500000', real: 300, expect: { outcome: 'not-found', state: null, probes: 21 } },
      // Not a player at all: one probe says so.
      { fid: '62600000', real: null, expect: { outcome: 'no-such-player', state: null, probes: 1 } },
    ];
    await addPlayers(h, cases);

    const summary = await h.app.stateDiscovery.resolve(GUILD);

    console.log(
      [
        'probes per member:',
        ...summary.members.map(
          (m) => `  ${m.fid}  ${m.outcome.padEnd(15)} state ${String(m.state ?? '-').padEnd(4)} ${m.probes} probe(s)`,
        ),
      ].join('\n'),
    );
    console.log(summary.message);
    expect(summary.status).toBe('completed');
    const byFid = new Map(summary.members.map((m) => [m.fid, m]));
    for (const c of cases) {
      expect(byFid.get(c.fid), c.fid).toMatchObject(c.expect);
    }
    expect(summary.counts).toEqual({ total: cases.length, found: 19, notFound: 1, noSuchPlayer: 1, unresolved: 0 });
    const expectedProbes = cases.reduce((sum, c) => sum + c.expect.probes, 0);
    expect(summary.probes).toBe(expectedProbes);
    // Mates were never probed; the members' calls are exactly the probes reported.
    const probes = probeCalls(h.sim);
    expect(probes).toHaveLength(expectedProbes);
    expect(probes.some((call) => mates.some((m) => m.fid === call.fid))).toBe(false);
    noThrottling(h.sim.calls);

    // The store now has the states; the search notes are gone for the found ones and kept for the one not found.
    for (const c of cases) {
      const member = await h.app.store.members.get(GUILD, c.fid);
      if (c.expect.outcome === 'found') expect(member).toMatchObject({ state: c.expect.state, stateStatus: 'ok' });
      else expect(member?.stateStatus).not.toBe('ok');
    }
    const ruled = await h.app.store.wrongStates.counts(
      'wos',
      cases.map((c) => c.fid),
    );
    expect([...ruled.entries()]).toEqual([['62500000', 21]]);
    // The impossible code is nobody's business: no code, no ledger row.
    expect(await h.app.store.codes.list()).toHaveLength(0);
  });

  it('a member refused with the wrong state gets the still-valid codes once the state is found', async ({
    startCore,
  }) => {
    const h = await startCore(FAST);
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    const mates = Array.from({ length: 5 }, (_, i) => ({ fid: String(63_000_000 + i), real: 245, known: 245 }));
    await addPlayers(h, [...mates, { fid: '63900000', real: 246, known: 245 }]);
    h.sim.addCode('wos', 'VALIDONE');
    h.sim.addCode('wos', 'OLDONE', { status: 'expired' });

    const run = await h.app.engine.processAutoRedeem(GUILD, giftCode('VALIDONE'), { trigger: 'auto' });
    expect(run.counts).toMatchObject({ success: 5, failed: 1 });
    expect(await h.app.store.members.get(GUILD, '63900000')).toMatchObject({ state: 245, stateStatus: 'wrong' });
    expect(await h.app.store.ledger.get('wos', '63900000', 'VALIDONE')).toMatchObject({
      status: 'failed',
      reason: 'wrong-state',
    });
    await h.app.engine.processAutoRedeem(GUILD, giftCode('OLDONE'), { trigger: 'auto' });
    expect((await h.app.store.codes.get('wos', 'OLDONE'))?.status).toBe('expired');

    const found: string[] = [];
    const summary = await h.app.stateDiscovery.resolve(GUILD, { onMember: (m) => found.push(`${m.fid}:${m.state}`) });

    expect(found).toEqual(['63900000:246']);
    // 245 was ruled out by the redemption's answer: one probe, straight to 246.
    expect(summary.members[0]).toMatchObject({ outcome: 'found', state: 246, probes: 1, previousState: 245 });
    expect(summary.catchUp).toEqual([expect.objectContaining({ code: 'VALIDONE', status: 'completed', success: 1 })]);
    expect(h.sim.successes('wos', 'VALIDONE')).toContain('63900000');
    expect(await h.app.store.ledger.get('wos', '63900000', 'VALIDONE')).toMatchObject({ status: 'success' });
    // The expired code was not tried again for anyone.
    expect(h.sim.calls.filter((call) => call.cdk === 'OLDONE')).toHaveLength(1);
    noThrottling(h.sim.calls);
  });

  it("yields to a redemption run that starts meanwhile: the run's calls all come before the remaining probes", async ({
    startCore,
  }) => {
    const h = await startCore(FAST);
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    const redeemers = Array.from({ length: 20 }, (_, i) => ({ fid: String(64_000_000 + i), real: 245, known: 245 }));
    await addPlayers(h, redeemers);
    // 40 members in 244, no mates there: 245, 246, 244 → 3 probes each, 120 in all (about 7 s of budget).
    const searched = Array.from({ length: 40 }, (_, i) => ({ fid: String(64_100_000 + i), real: 244 }));
    await addPlayers(h, searched);
    h.sim.addCode('wos', 'RUNNOW');

    const discovery = h.app.stateDiscovery.resolve(GUILD, { catchUp: false });
    await vi.waitFor(() => awaited(probeCalls(h.sim, ['RUNNOW']).length >= 30, '30 probes of the search'), WAIT);
    const run = await h.app.engine.processAutoRedeem(GUILD, giftCode('RUNNOW'), { trigger: 'manual' });
    const summary = await discovery;

    expect(run.status).toBe('completed');
    expect(run.counts.success).toBe(20);
    expect(summary.counts).toMatchObject({ total: 40, found: 40 });
    expect(summary.probes).toBe(120);

    const calls = h.sim.calls;
    const runIndexes = calls.flatMap((call, i) => (call.cdk === 'RUNNOW' ? [i] : []));
    expect(runIndexes).toHaveLength(20);
    const first = runIndexes[0]!;
    const last = runIndexes.at(-1)!;
    const probesDuringRun = calls.slice(first, last + 1).filter((call) => call.cdk !== 'RUNNOW').length;
    const probesAfterRun = calls.slice(last + 1).filter((call) => call.cdk !== undefined).length;
    console.log(
      `redemption calls ${first}..${last} of ${calls.length}; probes in between: ${probesDuringRun}; probes after: ${probesAfterRun}`,
    );
    // At most the probes already on their way when the run started (one per discovery worker).
    expect(probesDuringRun).toBeLessThanOrEqual(4);
    expect(probesAfterRun).toBeGreaterThan(0);
    noThrottling(calls);
  });

  it('resumes after a restart without probing a ruled-out state again', async ({ startCore }) => {
    const h = await startCore({ ...FAST, env: { ...FAST.env, STATE_DISCOVERY_RANGE: '20' } });
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    // 255 is the 20th candidate: 245, 246, 244, …, 254, 236, 255.
    const searched = Array.from({ length: 6 }, (_, i) => ({ fid: String(65_000_000 + i), real: 255 }));
    await addPlayers(h, searched);
    const needed = 20 * searched.length;

    const firstRun = h.app.stateDiscovery.resolve(GUILD);
    await vi.waitFor(() => awaited(probeCalls(h.sim).length >= 40, '40 probes of the search'), WAIT);
    await h.app.close();
    const stopped = await firstRun;
    expect(stopped.status).toBe('aborted');
    expect(stopped.counts.unresolved).toBe(searched.length);
    // A real restart takes longer than the game's rate window and per-player gap, which a new process cannot know.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const app = h.restart();
    const ruledBefore = new Map<string, number[]>();
    for (const s of searched) ruledBefore.set(s.fid, await app.store.wrongStates.list('wos', s.fid));
    const ruledOut = [...ruledBefore.values()].reduce((n, kids) => n + kids.length, 0);
    expect(ruledOut).toBeGreaterThanOrEqual(30);
    expect(await app.stateDiscovery.pendingGuilds()).toEqual([GUILD]);
    const callsBefore = h.sim.calls.length;
    const resumed = await app.stateDiscovery.resolve(GUILD);

    expect(resumed.counts).toMatchObject({ found: searched.length, unresolved: 0 });
    // Only what was left: no state ruled out before the restart was probed again.
    const reprobed = h.sim.calls
      .slice(callsBefore)
      .filter((call) => ruledBefore.get(call.fid!)?.includes(Number(call.kid)));
    expect(reprobed).toEqual([]);
    expect(resumed.probes - resumed.transient).toBe(needed - ruledOut);
    for (const s of searched)
      expect(await app.store.members.get(GUILD, s.fid)).toMatchObject({ state: 255, stateStatus: 'ok' });
    expect(await app.stateDiscovery.pendingGuilds()).toEqual([]);
    noThrottling(h.sim.calls);
  });

  it('retries busy answers later without taking them as a verdict', async ({ startCore }) => {
    const h = await startCore(FAST);
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    await addPlayers(h, [
      { fid: '66000001', real: 245 },
      { fid: '66000002', real: 246 },
    ]);
    h.sim.injectFault({ kind: 'timeout-retry', fid: '66000001', count: 2 });
    h.sim.injectFault({ kind: 'http-503', fid: '66000002', count: 1 });
    // Short retry delays for the test; the app's default waits seconds.
    const discovery = createStateDiscovery({
      ...h.app,
      range: 5,
      retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 300 },
    });

    const summary = await discovery.resolve(GUILD);

    expect(summary.members.map((m) => [m.fid, m.outcome, m.state])).toEqual([
      ['66000001', 'found', 245],
      ['66000002', 'found', 246],
    ]);
    expect(summary.transient).toBe(3);
    // Busy answers are not ruled-out states: 245 for the first member was probed again and accepted.
    expect(summary.members[0]?.probes).toBe(3);
    expect(summary.members[1]?.probes).toBe(3);
  });

  it('stops at once when the game refuses the probes as malformed (a sign error), ruling nothing out', async ({
    startCore,
  }) => {
    const h = await startCore({ ...FAST, env: { ...FAST.env, WOS_SIGN_SALT: 'not-the-salt' } });
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    await addPlayers(
      h,
      Array.from({ length: 10 }, (_, i) => ({ fid: String(67_000_000 + i), real: 246 })),
    );

    const summary = await h.app.stateDiscovery.resolve(GUILD);

    expect(summary.status).toBe('config-error');
    expect(summary.message).toContain('malformed');
    expect(summary.probes).toBeLessThanOrEqual(4);
    expect(summary.counts.unresolved).toBe(10);
    expect(
      (
        await h.app.store.wrongStates.counts(
          'wos',
          summary.members.map((m) => m.fid),
        )
      ).size,
    ).toBe(0);
  });

  it('giftbot members resolve prints each member as its search ends, then the summary', async ({ startCore }) => {
    const h = await startCore(FAST);
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    await addPlayers(h, [
      { fid: '69000001', real: 245, known: 245 },
      { fid: '69000002', real: 246 },
      { fid: '69000003', real: null },
    ]);
    const lines: string[] = [];
    const ctx = { app: h.app, out: (line: string) => lines.push(line) };

    await expect(membersCommand(['resolve', GUILD, '--range', 'wide'], ctx)).rejects.toThrow(
      '--range must be a number of states',
    );
    expect(await membersCommand(['resolve', GUILD, '--range', '3'], ctx)).toBe(0);

    expect(lines[0]).toContain(`Looking up states in guild ${GUILD} (alliance state 245)`);
    expect(lines).toContain('  69000002     state 246       2 probes   (unknown before) player 69000002');
    expect(
      lines.some(
        (line) => line.startsWith('  69000003     no such player  1 probe ') && line.includes('check the player id'),
      ),
    ).toBe(true);
    expect(lines).toContain(
      'Looked up 2 members with 3 probes: 1 found; 1 not a player the game knows (check the id).',
    );
    const listed: string[] = [];
    await membersCommand(['list', GUILD], { app: h.app, out: (line) => listed.push(line) });
    expect(listed.at(-1)).toBe(
      `3 member(s). 1 with an unknown state, 0 with a state the game refused: giftbot members resolve ${GUILD}`,
    );
  });

  it('refuses an unknown alliance and a second lookup while one runs', async ({ startCore }) => {
    const h = await startCore(FAST);
    expect((await h.app.stateDiscovery.resolve('123')).status).toBe('refused');
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: ALLIANCE_STATE, autoRedeem: true });
    await addPlayers(
      h,
      Array.from({ length: 3 }, (_, i) => ({ fid: String(68_000_000 + i), real: 248 })),
    );
    const first = h.app.stateDiscovery.resolve(GUILD);
    const second = await h.app.stateDiscovery.resolve(GUILD);
    expect(second.status).toBe('already-running');
    expect((await first).counts.found).toBe(3);
    const nothing = await h.app.stateDiscovery.resolve(GUILD);
    expect(nothing).toMatchObject({ status: 'completed', probes: 0 });
    expect(nothing.message).toContain('nothing to look up');
  });
});
