import { describe, expect, vi } from 'vitest';
import { giftCode } from '../../src/game/giftCode.ts';
import { awaited } from '../support/awaited.ts';
import { callsPerFid, seedAlliance } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { WAIT } from '../discovery/helpers.ts';

const GUILD = '900000000000000001';

describe('the bot removed from a server', () => {
  it('stops the server’s automatic runs, refuses new ones until it is added again, and keeps its data', async ({
    startCore,
  }) => {
    const h = await startCore({ sim: { latencyMs: 50 }, env: { RATE_LIMIT_PER_MINUTE: '10' } });
    const fids = await seedAlliance(h, { count: 30 });
    h.sim.addCode('wos', 'LEFT1');
    const running = h.app.engine.processAutoRedeem(GUILD, giftCode('LEFT1'), { trigger: 'auto' });
    await vi.waitFor(() => awaited(h.sim.successes('wos', 'LEFT1').length >= 2, 'the first calls'), WAIT);

    expect(h.app.engine.serverLeft(GUILD)).toBe(1);
    const stopped = await running;
    expect(stopped.status).toBe('aborted');
    expect(stopped.message).toContain('The bot was removed from this server');
    expect(stopped.counts.notCalled).toBeGreaterThan(0);
    const called = callsPerFid(h.sim, 'LEFT1').size;
    expect(called).toBeLessThan(fids.length);

    const refused = await h.app.engine.processAutoRedeem(GUILD, giftCode('LEFT1'), { trigger: 'auto' });
    expect(refused).toMatchObject({ status: 'refused' });
    expect(refused.message).toContain('no longer in this server');
    expect(callsPerFid(h.sim, 'LEFT1').size).toBe(called);
    expect(await h.app.store.members.list(GUILD)).toHaveLength(fids.length);

    h.app.engine.serverJoined(GUILD);
    const again = await h.app.engine.processAutoRedeem(GUILD, giftCode('LEFT1'), { trigger: 'auto' });
    expect(again.status).toBe('completed');
    expect(h.sim.successes('wos', 'LEFT1').sort()).toEqual(fids);
    expect([...callsPerFid(h.sim, 'LEFT1').values()].every((n) => n === 1)).toBe(true);
  });
});
