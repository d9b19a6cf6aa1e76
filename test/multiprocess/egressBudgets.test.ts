import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorCall } from '../../src/dev/simulator/types.ts';
import { analyzeCalls, maxInSlidingWindow } from '../support/cluster/clusterAnalysis.ts';
import { seedCluster, startCluster, type Cluster } from '../support/cluster/clusterHarness.ts';

// The game's limit per client address, and the budget each address gets (a fast window: 20 per 2 s).
const R = 20;
const WINDOW_MS = 2_000;
const CODE = 'EGRESS1';
const MEMBERS = 50;
const A = '127.0.0.2';
const B = '127.0.0.3';
let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Calls per second over the span of `calls`, counting the last window in full (as the shared-budget test does). */
const rate = (calls: readonly SimulatorCall[]): number =>
  calls.length / ((calls.at(-1)!.atMono - calls[0]!.atMono + WINDOW_MS) / 1000);

describe.each(['sqlite', 'postgres'] as const)('one rate budget per egress address (%s)', (store) => {
  it('three processes on two addresses: every member once, 0 429s, each address within its budget, twice the throughput', async () => {
    cluster = await startCluster({
      workers: 0,
      store,
      // The simulator counts its limit per client address, like the game.
      sim: { rateLimit: { limit: R, windowMs: WINDOW_MS }, latencyMs: { min: 5, max: 30 } },
      // Margin sized for a loaded 2-core machine (see sharedBudget.test.ts); two processes share address A.
      env: {
        RATE_LIMIT_PER_MINUTE: String(R),
        RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
        RATE_LIMIT_MARGIN_MS: '400',
        EXPECTED_PROCESSES: '2',
      },
    });
    const [a1, a2, b1] = await Promise.all([
      cluster.spawn('a1', { EGRESS_ADDRESS: A }),
      cluster.spawn('a2', { EGRESS_ADDRESS: A }),
      cluster.spawn('b1', { EGRESS_ADDRESS: B }),
    ]);
    const guilds = await Promise.all(
      [1, 2, 3, 4].map(async (i) => {
        const guildId = `93000000000000000${i}`;
        await seedCluster(cluster!, { guildId, code: CODE, count: MEMBERS, firstFid: 63_000_001 + i * 1_000 });
        return guildId;
      }),
    );
    // Each host serves its own servers (its share of the Discord shards): servers 1-2 on address A, where both of its
    // processes see the code and the lock picks one per server; servers 3-4 on address B. All triggered together.
    const triggers = [
      ...[a1!, a2!].flatMap((worker) =>
        guilds.slice(0, 2).map(async (guildId) => ({
          guildId,
          results: await worker.trigger({ guildId, code: CODE, trigger: 'auto' }),
        })),
      ),
      ...guilds
        .slice(2)
        .map(async (guildId) => ({ guildId, results: await b1!.trigger({ guildId, code: CODE, trigger: 'auto' }) })),
    ];
    const triggered = await Promise.all(triggers);
    // One run per server made the calls; the other process's trigger for servers 1-2 was refused as a duplicate (or,
    // on a loaded machine where it arrived after the run, found every member done and called nobody).
    for (const guildId of guilds) {
      const runs = triggered
        .filter((t) => t.guildId === guildId)
        .flatMap((t) => t.results.map((result) => result.summary));
      expect(
        runs.filter((run) => run.status === 'completed' && run.apiCalls > 0),
        guildId,
      ).toHaveLength(1);
      expect(
        runs.every((run) => run.status === 'duplicate' || run.status === 'completed'),
        guildId,
      ).toBe(true);
    }
    expect(triggered.flatMap((t) => t.results)).toHaveLength(6);

    const calls = cluster.sim.calls.filter((call) => call.cdk === CODE);
    const fromA = calls.filter((call) => call.ip.endsWith(A));
    const fromB = calls.filter((call) => call.ip.endsWith(B));
    const answers = Object.entries(
      Object.groupBy(calls, (call) => `${call.ip} ${call.httpStatus} ${call.msg ?? ''}`),
    ).map(([k, v]) => `${k}: ${v!.length}`);
    console.info(`egress budgets (${store}) answers: ${answers.join('; ')}`);
    // Every member called exactly once, each from its host's address.
    expect(analyzeCalls(cluster.sim.calls, CODE, await cluster.ledger(CODE))).toMatchObject({
      calls: 4 * MEMBERS,
      repeatCalls: 0,
      lostResults: 0,
    });
    expect([fromA.length, fromB.length]).toEqual([2 * MEMBERS, 2 * MEMBERS]);
    expect(calls.filter((call) => call.httpStatus === 429)).toHaveLength(0);
    const busiestA = maxInSlidingWindow(fromA, WINDOW_MS);
    const busiestB = maxInSlidingWindow(fromB, WINDOW_MS);
    expect(busiestA).toBeLessThanOrEqual(R);
    expect(busiestB).toBeLessThanOrEqual(R);
    // Together the two addresses spent more than one address's budget in some window: they did not share one budget.
    const busiestTogether = maxInSlidingWindow(calls, WINDOW_MS);
    expect(busiestTogether).toBeGreaterThan(R);

    const oneAddress = R / (WINDOW_MS / 1000);
    console.info(
      `egress budgets (${store}): ${calls.length} calls, 0 429s; address A (2 processes) ${fromA.length} calls at ${rate(fromA).toFixed(1)}/s, busiest ${WINDOW_MS} ms window ${busiestA}/${R}; ` +
        `address B (1 process) ${fromB.length} calls at ${rate(fromB).toFixed(1)}/s, busiest ${busiestB}/${R}; ` +
        `combined ${rate(calls).toFixed(1)}/s = ${(rate(calls) / rate(fromA)).toFixed(2)} x what address A achieved alone, ` +
        `${(rate(calls) / (2 * oneAddress)).toFixed(2)} of the two addresses' combined budget (${2 * oneAddress}/s); busiest combined window ${busiestTogether}/${2 * R}`,
    );
    for (const [worker, egress] of [
      [a1!, A],
      [a2!, A],
      [b1!, B],
    ] as const) {
      const status = await worker.status();
      expect(status.budgets.map((budget) => [budget.egress, budget.mode])).toEqual(
        status.budgets.map(() => [egress, 'shared']),
      );
    }
    expect(cluster.sqliteBusy()).toBe(0);
  });
});

describe('per-player spacing across processes', () => {
  it('a player one process has just called is not called by another before the gap: no TOO FREQUENT.', async () => {
    // The game's gap, and giftbot's with a margin for the calls' uneven travel time (as 2.5 s against the game's 2 s).
    const GAME_GAP_MS = 1_000;
    cluster = await startCluster({
      workers: 2,
      sim: { playerSpacingMs: GAME_GAP_MS },
      env: { PLAYER_SPACING_MS: '1500' },
    });
    // The same five players are members of two servers; each server redeems its own code in its own process, at once.
    const fids = await seedCluster(cluster, {
      guildId: '930000000000000011',
      code: 'SPACEA',
      count: 5,
      firstFid: 64_000_001,
    });
    await seedCluster(cluster, { guildId: '930000000000000012', code: 'SPACEB', count: 5, firstFid: 64_000_001 });
    const [w1, w2] = cluster.workers;
    const results = (
      await Promise.all([
        w1!.trigger({ guildId: '930000000000000011', code: 'SPACEA', trigger: 'auto' }),
        w2!.trigger({ guildId: '930000000000000012', code: 'SPACEB', trigger: 'auto' }),
      ])
    ).flat();
    expect(results.map((result) => result.summary.status)).toEqual(['completed', 'completed']);
    const calls = cluster.sim.calls.filter((call) => call.cdk === 'SPACEA' || call.cdk === 'SPACEB');
    expect(calls.filter((call) => call.msg === 'TOO FREQUENT.')).toHaveLength(0);
    expect(calls).toHaveLength(2 * fids.length);
    for (const code of ['SPACEA', 'SPACEB'])
      expect((await cluster.ledger(code)).every((row) => row.status === 'success')).toBe(true);
  });
});
