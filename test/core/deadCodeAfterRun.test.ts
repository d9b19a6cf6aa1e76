import { afterEach, describe, expect, it } from 'vitest';
import { seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The calls the simulator saw for a code, and those that reached its code check (not stopped by the player's gap). */
function callsFor(code: string) {
  const calls = h!.sim.calls.filter((call) => call.cdk === code);
  return {
    all: calls,
    reachedCheck: calls.filter((call) => call.errCode !== 40019),
    tooFrequentFids: new Set(calls.filter((call) => call.errCode === 40019).map((call) => call.fid)),
  };
}

describe('a dead code right after another run over the same players costs one call', () => {
  it('the game spaces players wider than giftbot knows: the probe that met TOO FREQUENT keeps the gate and waits', async () => {
    // giftbot is configured without spacing; the game wants 1.5 s per player.
    h = await startCoreHarness({ sim: { playerSpacingMs: 1_500 } });
    await seedAlliance(h, { count: 8 });
    h.sim.addCode('wos', 'LIVE1');
    expect((await h.app.engine.processAutoRedeem(GUILD, giftCode('LIVE1'), { trigger: 'auto' })).counts.success).toBe(
      8,
    );

    const dead = await h.app.engine.processAutoRedeem(GUILD, giftCode('DEADONE1'), { trigger: 'auto' });
    expect(dead.status).toBe('code-invalid');
    const { all, reachedCheck, tooFrequentFids } = callsFor('DEADONE1');
    expect(reachedCheck).toHaveLength(1);
    expect(reachedCheck[0]?.errCode).toBe(40014);
    // Only the probe itself met the player's gap, and it was tried again rather than another member.
    expect(tooFrequentFids.size).toBeLessThanOrEqual(1);
    expect(all.length).toBeLessThanOrEqual(2);
  });

  it('after a restart the spacing is known from the journal: no TOO FREQUENT at all, one call', async () => {
    h = await startCoreHarness({ sim: { playerSpacingMs: 1_000 }, env: { PLAYER_SPACING_MS: '1500' } });
    await seedAlliance(h, { count: 8 });
    h.sim.addCode('wos', 'LIVE2');
    expect((await h.app.engine.processAutoRedeem(GUILD, giftCode('LIVE2'), { trigger: 'auto' })).counts.success).toBe(
      8,
    );
    await h.app.close();
    const restarted = h.restart();

    const dead = await restarted.engine.processAutoRedeem(GUILD, giftCode('DEADONE2'), { trigger: 'auto' });
    expect(dead.status).toBe('code-invalid');
    const { all, reachedCheck } = callsFor('DEADONE2');
    expect(all).toHaveLength(1);
    expect(reachedCheck[0]?.errCode).toBe(40014);
  });
});
