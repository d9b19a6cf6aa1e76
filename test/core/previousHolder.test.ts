import { describe, expect, vi } from 'vitest';
import { callsPerFid, seedAlliance } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import { EVENTS } from '../../src/log/events.ts';

const GUILD = '900000000000000001';
const CODE = 'INFLIGHT';

/**
 * A run whose lock key an operator deleted keeps the calls it already sent; the next holder must not call before
 * those have landed, or two runs' calls overlap. Here the previous holder is a run record with a fresh claim of an
 * older fence (as a live process on another host would leave it) — the new run waits for its answer.
 */
describe('a new run and the calls of the run before it', () => {
  it('waits for a previous holder’s in-flight call to be answered before its first call', async ({ startCore }) => {
    const h = await startCore({ env: { API_READ_TIMEOUT_MS: '60000', API_CONNECT_TIMEOUT_MS: '1000' } });
    const fids = await seedAlliance(h, { count: 5 });
    h.sim.addCode('wos', CODE);
    const { store } = h.app;
    const fence = await store.ledger.nextFence(GUILD, 'wos', CODE);
    const old = await store.runs.start({
      guildId: GUILD,
      allianceIds: [],
      game: 'wos',
      code: CODE,
      trigger: 'auto',
      fence,
      owner: 'other-host',
    });
    const scope = { guildId: GUILD, game: 'wos' as const, code: CODE, fence, runId: old.id };
    expect(await store.ledger.claim(scope, fids[0]!)).toBe('claimed');

    const run = h.app.engine.processAutoRedeem(GUILD, giftCode(CODE), { trigger: 'manual' });
    await vi.waitFor(() => expect(h.logs.events(EVENTS.runWaitedForPreviousHolder)).toHaveLength(1));
    expect(h.logs.events(EVENTS.runWaitedForPreviousHolder)[0]).toMatchObject({ calls: 1 });
    // Still waiting: the previous holder's call has not come back, so nothing has been sent.
    expect(h.sim.calls.filter((call) => call.cdk === CODE)).toHaveLength(0);

    // Its answer arrives (journaled even though its record will be refused): the new run goes ahead.
    await store.journal.append({
      runId: old.id,
      fence,
      guildId: GUILD,
      game: 'wos',
      fid: fids[0]!,
      code: CODE,
      httpStatus: 200,
      errCode: 20000,
      msg: 'SUCCESS',
      kind: 'success',
      at: Date.now(),
    });
    const summary = await run;
    expect(summary.status).toBe('completed');
    // Its SUCCESS is recorded by the new run (the old one's write is refused by the fence): that player is not called.
    expect(h.logs.events(EVENTS.answersAdopted)[0]).toMatchObject({ answers: 1 });
    expect((await store.ledger.get('wos', fids[0]!, CODE))?.status).toBe('success');
    expect(callsPerFid(h.sim, CODE).get(fids[0]!)).toBeUndefined();
    expect(summary.counts).toMatchObject({ success: 4, skipped: 1 });
  });

  it('does not wait for the claims of a run that has ended (its calls came back before it did)', async ({
    startCore,
  }) => {
    const h = await startCore();
    const fids = await seedAlliance(h, { count: 3 });
    h.sim.addCode('wos', CODE);
    const { store } = h.app;
    const fence = await store.ledger.nextFence(GUILD, 'wos', CODE);
    const ended = await store.runs.start({
      guildId: GUILD,
      allianceIds: [],
      game: 'wos',
      code: CODE,
      trigger: 'auto',
      fence,
      owner: 'x',
    });
    const scope = { guildId: GUILD, game: 'wos' as const, code: CODE, fence, runId: ended.id };
    expect(await store.ledger.claim(scope, fids[0]!)).toBe('claimed');
    await store.runs.finish(ended.id, 'aborted', {});

    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode(CODE), { trigger: 'manual' });
    expect(summary.status).toBe('completed');
    expect(h.logs.events(EVENTS.runWaitedForPreviousHolder)).toHaveLength(0);
  });
});
