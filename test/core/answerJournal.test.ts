import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogAnalyser, DEFAULT_LOG_CHECK_OPTIONS } from '../../src/ops/logCheck/logAnalyser.ts';
import { EVENTS } from '../../src/log/events.ts';
import { seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the answer journal: nothing the game said is lost', () => {
  it('a paused holder superseded while its call is in flight: its SUCCESS is journaled, counted in the summary and by logs check', async () => {
    h = await startCoreHarness();
    const [fid] = await seedAlliance(h, { count: 1 });
    h.sim.addCode('wos', 'PAUSED1');
    // The game redeems at once but answers late: meanwhile a newer run takes the fence, as after a long pause.
    h.sim.injectFault({ kind: 'slow', fid: fid!, delayMs: 1_500 });
    const run = h.app.engine.processAutoRedeem(GUILD, giftCode('PAUSED1'), { trigger: 'auto' });
    await vi.waitFor(() => expect(h!.sim.calls.some((call) => call.cdk === 'PAUSED1')).toBe(true), { timeout: 5_000 });
    await h.app.store.ledger.nextFence(GUILD, 'wos', 'PAUSED1');

    const summary = await run;
    expect(h.sim.successes('wos', 'PAUSED1')).toEqual([fid]);
    // The ledger refused the stale write (right) ...
    expect((await h.app.store.ledger.get('wos', fid!, 'PAUSED1'))?.status).not.toBe('success');
    // ... but the answer is kept, with the run and fence that got it.
    const journal = await h.app.store.journal.listForCode('wos', 'PAUSED1');
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({
      fid,
      kind: 'success',
      httpStatus: 200,
      errCode: 20000,
      msg: 'SUCCESS',
      runId: summary.runId,
      fence: summary.fence,
      guildId: GUILD,
    });
    expect(summary.answersNotRecorded).toBe(1);
    expect(summary.message).toContain('1 answer from the game could not be written to the ledger');
    expect(h.logs.events(EVENTS.answerNotRecorded)).toHaveLength(1);

    const analyser = createLogAnalyser({ ...DEFAULT_LOG_CHECK_OPTIONS, now: Date.now() });
    for (const line of h.logs.raw) analyser.addLine(line);
    const problem = analyser.finish().problems.find((p) => p.kind === 'answers-not-recorded');
    expect(problem?.message).toContain('1 answer(s) from the game (1 SUCCESS) were not written to the ledger');
  });

  it('every answer of a normal run is journaled once, in call order', async () => {
    h = await startCoreHarness();
    const fids = await seedAlliance(h, { count: 5 });
    h.sim.addCode('wos', 'JOURNAL5');
    h.sim.injectFault({ kind: 'timeout-retry', fid: fids[2]! });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('JOURNAL5'), { trigger: 'auto' });
    expect(summary.counts.success).toBe(5);
    expect(summary.answersNotRecorded).toBe(0);
    const journal = await h.app.store.journal.listForCode('wos', 'JOURNAL5');
    expect(journal).toHaveLength(h.sim.calls.filter((call) => call.cdk === 'JOURNAL5').length);
    expect(
      journal
        .filter((entry) => entry.kind === 'success')
        .map((entry) => entry.fid)
        .sort(),
    ).toEqual([...fids].sort());
    expect(journal.find((entry) => entry.kind === 'retry-later')).toMatchObject({
      fid: fids[2],
      errCode: 40004,
      msg: 'TIMEOUT RETRY.',
    });
  });
});
