import { describe, expect } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { GameApiSimulator, SimulatorOptions } from '../../src/dev/simulator/gameApiSimulator.ts';
import { it, type Starter } from '../support/fixtures.ts';
import { BODY, redeem, sleep } from './helpers.ts';

describe('per-player spacing (TOO FREQUENT.)', () => {
  async function start(
    startSim: Starter<SimulatorOptions, GameApiSimulator>,
    playerSpacingMs?: number,
  ): Promise<GameApiSimulator> {
    const sim = await startSim({ rateLimit: false, ...(playerSpacingMs === undefined ? {} : { playerSpacingMs }) });
    sim.addPlayers('wos', [
      { fid: '3001', kid: 5 },
      { fid: '3002', kid: 5 },
    ]);
    sim.addCode('wos', 'ONE');
    sim.addCode('wos', 'TWO');
    return sim;
  }

  it('refuses a second request for the same fid inside the spacing, redeems nothing, and lets it through after', async ({
    startSim,
  }) => {
    const s = await start(startSim, 600);
    const t0 = performance.now();
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.success);
    const early = await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'TWO' });
    expect(early.status).toBe(200);
    expect(early.text).toBe(BODY.tooFrequent);
    expect(s.successes('wos', 'TWO')).toEqual([]);

    // Another player is not affected.
    expect((await redeem(s, 'wos', { fid: '3002', kid: 5, cdk: 'TWO' })).text).toBe(BODY.success);

    // The refused request does not restart the spacing: waiting it out from the first request is enough.
    await sleep(Math.max(0, 600 + 150 - (performance.now() - t0)));
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'TWO' })).text).toBe(BODY.success);
    expect(s.successes('wos', 'TWO')).toEqual(['3002', '3001']);
  });

  it('is checked after the sign and before the player, so it applies to unknown fids too', async ({ startSim }) => {
    const s = await start(startSim, 600);
    expect((await redeem(s, 'wos', { fid: '3999', kid: 5, cdk: 'ONE' })).text).toBe(BODY.roleNotExist);
    expect((await redeem(s, 'wos', { fid: '3999', kid: 5, cdk: 'ONE' })).text).toBe(BODY.tooFrequent);
    // Bad signs and params do not touch the spacing.
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' }, { salt: 'bad' })).text).toBe(BODY.signError);
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.success);
  });

  it('defaults to 2000 ms and is off with 0', async ({ startSim }) => {
    const s = await start(startSim);
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.success);
    expect((await redeem(s, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.tooFrequent);
    await s.close();

    const off = await start(startSim, 0);
    expect((await redeem(off, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.success);
    expect((await redeem(off, 'wos', { fid: '3001', kid: 5, cdk: 'ONE' })).text).toBe(BODY.received);
    expect((await redeem(off, 'wos', { fid: '3001', kid: 5, cdk: 'TWO' })).text).toBe(BODY.success);
  });
});
