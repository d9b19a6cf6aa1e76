import { describe, expect } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { GUILD_ID, seedAlliance } from '../support/botHarness.ts';
import { it } from '../support/fixtures.ts';
import { addMember } from '../support/alliances.ts';

describe('state searches cut short by a stop', () => {
  it('continue on their own at the next start, without probing ruled-out states again', async ({ startBot }) => {
    const h = await startBot();
    await seedAlliance(h, { count: 3 });
    // A member whose state an earlier search was looking for when the bot stopped: 245 and 246 already ruled out.
    const store = h.bot.app.store;
    await addMember(store, GUILD_ID, { fid: '83000001', state: 245, addedBy: 'test' });
    await store.members.flagWrongState('wos', '83000001');
    await store.wrongStates.record('wos', '83000001', 245);
    await store.wrongStates.record('wos', '83000001', 246);
    h.sim.addPlayer('wos', { fid: '83000001', kid: 244 });
    h.sim.resetCalls();

    await h.restart();
    const deadline = Date.now() + 20_000;
    let member = await h.bot.app.store.members.get(GUILD_ID, '83000001');
    while (member?.state !== 244 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      member = await h.bot.app.store.members.get(GUILD_ID, '83000001');
    }
    expect(member).toMatchObject({ state: 244, stateStatus: 'ok' });
    const probedStates = h.sim.calls.filter((c) => c.fid === '83000001').map((c) => Number(c.kid));
    expect(probedStates).not.toContain(245);
    expect(probedStates).not.toContain(246);
    expect(h.logs.events(EVENTS.stateFound).length).toBeGreaterThan(0);
  });
});
