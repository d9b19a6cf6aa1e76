import { afterEach, describe, expect, it } from 'vitest';
import { createStateDiscovery } from '../../src/members/stateDiscovery.ts';
import { describeAppStatus } from '../../src/status/appStatus.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { addAlliance, addMember } from '../support/alliances.ts';

const GUILD = '910000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('40020 can also mean "no such player": state discovery ends', () => {
  it('an id the game does not know, answered USER INFO ERROR for every state: "no state matches this id: check the id", once, no loop', async () => {
    // The game answers 40020 for an unknown id, like a wrong state.
    h = await startCoreHarness({
      sim: { unknownPlayer: 'user-info-error', playerSpacingMs: 0 },
      env: { STATE_DISCOVERY_RANGE: '3' },
    });
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    h.sim.addPlayer('wos', { fid: '70000001', kid: 245 });
    await addMember(h.app.store, GUILD, { fid: '70000001', state: 245 });
    // A redemption flagged the unknown id's state as wrong.
    await addMember(h.app.store, GUILD, { fid: '79999999', state: 245 });
    await h.app.store.members.setState(GUILD, '79999999', 245, 'wrong');

    const first = await h.app.stateDiscovery.resolve(GUILD);
    const member = first.members.find((m) => m.fid === '79999999');
    expect(member?.outcome).toBe('not-found');
    expect(member?.reason).toContain('no state matches this id: check the id');
    expect(first.message).toContain('1 matched no state (check the id)');
    const probes = h.sim.calls.filter((call) => call.fid === '79999999').length;
    expect(probes).toBe(6); // 242..248 without 245, ruled out by the redemption
    // No longer "wrong state" (reported by every run, searched again at every start): unknown until an admin sets it.
    expect(await h.app.store.members.get(GUILD, '79999999')).toMatchObject({ state: null, stateStatus: 'unknown' });
    expect(await h.app.stateDiscovery.pendingGuilds()).toEqual([]);

    // Asked again: the same answer at once, without a probe.
    const again = await createStateDiscovery({ ...h.app, range: 3 }).resolve(GUILD);
    expect(again.members.find((m) => m.fid === '79999999')?.reason).toContain('no state matches this id: check the id');
    expect(h.sim.calls.filter((call) => call.fid === '79999999').length).toBe(probes);
  });

  it('/giftbot status says state probes wait behind redemptions', async () => {
    h = await startCoreHarness();
    expect(describeAppStatus(await h.app.status())).toContain(
      'State probes wait behind redemptions: they are sent only while no run is redeeming on the same API host.',
    );
  });
});
