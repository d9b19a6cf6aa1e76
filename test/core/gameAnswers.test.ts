import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { giftCode } from '../../src/game/giftCode.ts';

// Whole runs against the simulator answering the way other bots now see the game (issue 12): the cost in calls is
// what an operator notices (budget, time), the ledger what the members notice.
const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const callsFor = (code: string) => h!.sim.calls.filter((c) => c.cdk === code).length;

describe('the game answering in the variants other bots see', () => {
  it('a numeric msg: 10 members cost 10 calls, every member redeemed once, raw answers kept', async () => {
    h = await startCoreHarness({ sim: { answerStyle: { msg: 'number' } } });
    const fids = await seedAlliance(h, { count: 10 });
    h.sim.addCode('wos', 'NUMERIC1');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('NUMERIC1'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ success: 10, failed: 0, retryExhausted: 0 });
    expect(callsFor('NUMERIC1')).toBe(10);
    expect(h.sim.successes('wos', 'NUMERIC1').sort()).toEqual([...fids].sort());
    const row = await h.app.store.ledger.get('wos', fids[0]!, 'NUMERIC1');
    expect(row).toMatchObject({ status: 'success', errCode: 20000, msg: '20000' });
  });

  it('a numeric msg on a dead code: one call, the run stops and the code is marked', async () => {
    h = await startCoreHarness({ sim: { answerStyle: { msg: 'number' } } });
    await seedAlliance(h, { count: 10 });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('NOSUCH01'), { trigger: 'auto' });
    expect(summary.status).toBe('code-invalid');
    expect(callsFor('NOSUCH01')).toBe(1);
    expect((await h.app.store.codes.get('wos', 'NOSUCH01'))?.status).toBe('invalid');
  });

  it('errCode and no `code` field on a dead code: one call in total, not a retry per member', async () => {
    h = await startCoreHarness({ sim: { answerStyle: { errCodeKey: 'errCode', omitCode: true } } });
    await seedAlliance(h, { count: 10 });
    h.sim.addCode('wos', 'OLDONE1', { status: 'expired' });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('OLDONE1'), { trigger: 'auto' });
    expect(summary.status).toBe('code-invalid');
    expect(callsFor('OLDONE1')).toBe(1);
    expect((await h.app.store.codes.get('wos', 'OLDONE1'))?.status).toBe('expired');
    expect(h.logs.events(EVENTS.memberRetry)).toEqual([]);
  });

  it('HTTP 404 (the endpoint is gone): the run stops as a configuration problem after one call, nothing final written', async () => {
    h = await startCoreHarness();
    await seedAlliance(h, { count: 10 });
    h.sim.addCode('wos', 'GONE404');
    h.sim.injectFault({ kind: 'http-404', count: 1_000 });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('GONE404'), { trigger: 'auto' });
    expect(summary.status).toBe('config-error');
    expect(callsFor('GONE404')).toBe(1);
    expect(summary.message).toMatch(/HTTP 404.*endpoint.*WOS_API_BASE/);
    expect(h.logs.events(EVENTS.configError)[0]).toMatchObject({ level: 'error', reason: 'endpoint-gone' });
    const rows = await h.app.store.ledger.listForCode('wos', 'GONE404');
    expect(rows.every((r) => r.status !== 'success' && r.status !== 'failed')).toBe(true);
  });

  it('a 20 MB answer: read up to the cap, taken as garbage and retried; the member gets the code on the retry', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 5 });
    h.sim.addCode('wos', 'BIGBODY1');
    h.sim.injectFault({ kind: 'huge-body', fid: fids[0]!, sizeBytes: 20 * 1024 * 1024 });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('BIGBODY1'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ success: 5, failed: 0 });
    // The padded "SUCCESS" was not believed: the member was called again and the game really redeemed it.
    expect(callsPerFid(h.sim, 'BIGBODY1').get(fids[0]!)).toBe(2);
    expect(h.sim.successes('wos', 'BIGBODY1')).toContain(fids[0]!);
    expect(h.logs.events(EVENTS.memberRetry).map((r) => r.reason)).toEqual(['garbage']);
    // The client stopped reading near the cap (socket buffers let a few MB more through), not at 20 MB.
    const big = h.sim.calls.find((c) => c.fault === 'huge-body')!;
    await vi.waitFor(() => expect(big.bodyBytesSent).toBeDefined());
    expect(big.bodyBytesSent!).toBeLessThan(12 * 1024 * 1024);
  });
});
