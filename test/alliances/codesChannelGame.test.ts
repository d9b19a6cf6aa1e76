import { Client, Events, GatewayIntentBits } from 'discord.js';
import { describe, expect, vi } from 'vitest';
import { startFakeDiscord } from '@giftbot/fake-discord';
import { createDiscovery } from '../../src/codes/createDiscovery.ts';
import { addAlliance } from '../support/alliances.ts';
import { awaited } from '../support/awaited.ts';
import { callsPerFid } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { WAIT } from '../discovery/helpers.ts';

const GUILD = '940000000000000001';
const KINGS_CODES = '940000000000000010';
const USER = '940000000000000100';

describe('a codes channel in a server with alliances of both games', () => {
  it('a code posted in the Kingshot alliance’s codes channel is a Kingshot code: no Whiteout Survival call', async ({
    startCore,
  }) => {
    const h = await startCore();
    const wolves = await addAlliance(h.app.store, { guildId: GUILD, name: 'Wolves', game: 'wos', defaultState: 245 });
    const kings = await addAlliance(h.app.store, {
      guildId: GUILD,
      name: 'Kings',
      game: 'kingshot',
      defaultState: 9,
      codesChannelId: KINGS_CODES,
    });
    await h.app.store.members.addMany(wolves.id, [{ fid: '85000001', state: 245 }]);
    await h.app.store.members.addMany(kings.id, [
      { fid: '86000001', state: 9 },
      { fid: '86000002', state: 9 },
    ]);
    h.sim.addPlayer('wos', { fid: '85000001', kid: 245 });
    h.sim.addPlayers('kingshot', [
      { fid: '86000001', kid: 9 },
      { fid: '86000002', kid: 9 },
    ]);
    h.sim.addCode('wos', 'KSCHAN1');
    h.sim.addCode('kingshot', 'KSCHAN1');

    const fake = await startFakeDiscord();
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: fake.apiBase },
    });
    const discovery = createDiscovery(h.app, { feeds: [] });
    try {
      fake.addGuild({ id: GUILD, name: 'Two games' });
      fake.addChannel(GUILD, { id: KINGS_CODES, name: 'kingshot-codes' });
      fake.addMember(GUILD, { userId: USER, username: 'member' });
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(fake.token);
      await ready;
      discovery.watchChannels(client);
      fake.postMessage({ guildId: GUILD, channelId: KINGS_CODES, userId: USER, content: 'new code: KSCHAN1' });
      await vi.waitFor(async () => {
        const record = await h.app.store.codes.get('kingshot', 'KSCHAN1');
        return awaited(record?.fanoutDoneAt != null && discovery.intake.inProgress().length === 0, 'the fan-out');
      }, WAIT);
    } finally {
      await discovery.stop();
      await client.destroy();
      await fake.close();
    }
    expect(h.sim.successes('kingshot', 'KSCHAN1').sort()).toEqual(['86000001', '86000002']);
    expect(h.sim.calls.filter((call) => call.game === 'wos' && call.cdk === 'KSCHAN1')).toHaveLength(0);
    expect(await h.app.store.codes.get('wos', 'KSCHAN1')).toBeNull();
    expect([...callsPerFid(h.sim, 'KSCHAN1').values()].every((n) => n === 1)).toBe(true);
  });
});
