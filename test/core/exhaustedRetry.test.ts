import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActiveRuns } from '../../src/locks/activeRuns.ts';
import { EVENTS } from '../../src/log/events.ts';
import { createRedeemEngine, type RedeemEngine } from '../../src/redeem/engine.ts';
import { callsPerFid, seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
let engine: RedeemEngine | undefined;
afterEach(async () => {
  await engine?.deferredRuns.close();
  await engine?.idle();
  await h?.close();
  h = engine = undefined;
});

/** The harness's real parts with short retry delays: 2 calls per member per run, automatic retries after ~300 ms. */
function shortRetryEngine(harness: CoreHarness): RedeemEngine {
  const { app } = harness;
  return createRedeemEngine({
    store: app.store,
    client: app.client,
    budgetFor: app.budgetFor,
    spacing: app.spacing,
    runLock: app.runLock,
    activeRuns: createActiveRuns(),
    log: harness.logs.log,
    instanceId: 'test-exhausted',
    retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
    exhaustedRetry: { baseDelayMs: 300, maxDelayMs: 600 },
    deferred: { canRun: () => true, baseDelayMs: 100, maxDelayMs: 200 },
  });
}

describe('members left retry-exhausted by an automatic run are retried automatically', () => {
  it('a TIMEOUT RETRY storm longer than a run: the summary says when, and a later run for just those members gets them the code', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 4 });
    h.sim.addCode('wos', 'STORM1');
    // Two members get TIMEOUT RETRY for 4 calls each: two runs' worth of attempts.
    for (const fid of [fids[1]!, fids[3]!]) h.sim.injectFault({ kind: 'timeout-retry', fid, count: 4 });
    engine = shortRetryEngine(h);

    const summary = await engine.processAutoRedeem(GUILD, giftCode('STORM1'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ success: 2, retryExhausted: 2 });
    expect(summary.retryAt).toBeGreaterThan(Date.now() - 1_000);
    expect(summary.message).toMatch(/2 members could not be reached now and will be retried at \d\d:\d\d UTC/);
    expect((await h.app.store.deferredRuns.list()).map((row) => row.fids?.sort())).toEqual([[fids[1], fids[3]].sort()]);

    engine.deferredRuns.start();
    await vi.waitFor(() => expect(h!.sim.successes('wos', 'STORM1').sort()).toEqual([...fids].sort()), {
      timeout: 15_000,
      interval: 50,
    });
    await vi.waitFor(async () => expect(await h!.app.store.deferredRuns.list()).toEqual([]), { timeout: 5_000 });
    // Round 1 left them again (4 faults > 2 attempts), round 2 with a longer delay got them; the others were never re-called.
    const rounds = h.logs.events(EVENTS.retryScheduled).map((line) => line.round);
    expect(rounds).toEqual([1, 2]);
    const perFid = callsPerFid(h.sim, 'STORM1');
    expect(perFid.get(fids[0]!)).toBe(1);
    expect(perFid.get(fids[2]!)).toBe(1);
    expect(perFid.get(fids[1]!)).toBe(5);
  });

  it('the retries end when the code dies meanwhile, and a manual run schedules nothing', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 2 });
    h.sim.addCode('wos', 'STORM2');
    h.sim.injectFault({ kind: 'timeout-retry', fid: fids[0]!, count: 100 });
    engine = shortRetryEngine(h);

    const manual = await engine.processAutoRedeem(GUILD, giftCode('STORM2'), { trigger: 'manual' });
    expect(manual.counts.retryExhausted).toBe(1);
    expect(manual.retryAt).toBeNull();
    expect(await h.app.store.deferredRuns.list()).toEqual([]);

    const auto = await engine.processAutoRedeem(GUILD, giftCode('STORM2'), { trigger: 'auto' });
    expect(auto.retryAt).not.toBeNull();
    await h.app.store.codes.setStatus('wos', 'STORM2', 'expired');
    const callsBefore = h.sim.calls.length;
    engine.deferredRuns.start();
    await vi.waitFor(async () => expect(await h!.app.store.deferredRuns.list()).toEqual([]), {
      timeout: 10_000,
      interval: 50,
    });
    expect(h.sim.calls.length).toBe(callsBefore);
  });
});
