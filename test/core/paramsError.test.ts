import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('params error (40001): one member does not stop the run for everyone', () => {
  it('one member gets params error once: retried once, and every member gets the code', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 6 });
    h.sim.addCode('wos', 'PARAMS1');
    h.sim.injectFault({ kind: 'params-error', fid: fids[2]! });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('PARAMS1'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts.success).toBe(6);
    expect(callsPerFid(h.sim, 'PARAMS1').get(fids[2]!)).toBe(2);
    expect(h.logs.events(EVENTS.configError)).toHaveLength(0);
  });

  it('the same member twice: that member is left, the others get the code', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 6 });
    h.sim.addCode('wos', 'PARAMS2');
    h.sim.injectFault({ kind: 'params-error', fid: fids[0]!, count: 10 });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('PARAMS2'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ success: 5, failed: 1 });
    expect(summary.byReason).toMatchObject({ 'failed:params-error': 1 });
    expect(callsPerFid(h.sim, 'PARAMS2').get(fids[0]!)).toBe(2);
    // Not final in the ledger: it may be our request, not the member.
    expect((await h.app.store.ledger.get('wos', fids[0]!, 'PARAMS2'))?.status).toBe('retry');
  });

  it('a second, different member gets it too: the run stops as a configuration problem', async () => {
    h = await startCoreHarness({
      env: { RATE_LIMIT_PER_MINUTE: '5' },
      sim: { rateLimit: { limit: 5, windowMs: 1_000 } },
    });
    const fids = await seedAlliance(h, { count: 30 });
    h.sim.addCode('wos', 'PARAMS3');
    h.sim.injectFault({ kind: 'params-error', count: 100 });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('PARAMS3'), { trigger: 'auto' });
    expect(summary.status).toBe('config-error');
    expect(h.logs.events(EVENTS.configError).length).toBeGreaterThanOrEqual(1);
    expect(summary.counts.notCalled).toBeGreaterThan(0);
    expect(h.sim.calls.filter((call) => call.cdk === 'PARAMS3').length).toBeLessThan(fids.length);
  });
});
