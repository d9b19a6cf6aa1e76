import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDiscovery, type Discovery } from '../../src/codes/createDiscovery.ts';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { awaited } from '../support/awaited.ts';
import { feedSource, redeemCalls, seedGuild, WAIT } from './helpers.ts';

const GUILD = '920000000000000001';
const OTHER_GUILD = '920000000000000002';
const CODES_CHANNEL = '920000000000000010';
const GENERAL_CHANNEL = '920000000000000011';
const USER = '920000000000000100';
const OTHER_BOT = '920000000000000101';
const ANNOUNCER = '920000000000000102';
const TEST_FID = '49999999';

let h: CoreHarness | undefined;
let discovery: Discovery | undefined;
let fake: FakeDiscord | undefined;
let client: Client | undefined;
afterEach(async () => {
  await discovery?.stop();
  await client?.destroy();
  await fake?.close();
  await h?.close();
  discovery = undefined;
  client = undefined;
  fake = undefined;
  h = undefined;
});

async function world(env: Record<string, string> = {}) {
  h = await startCoreHarness({
    env: { TEST_PLAYER_WOS: `${TEST_FID}:245`, FEED_POLL_MIN_MS: '1000', FEED_POLL_MAX_MS: '1000', ...env },
  });
  h.sim.addPlayer('wos', { fid: TEST_FID, kid: 245 });
  const members = await seedGuild(h, { id: GUILD, members: 4, firstFid: 51_000_001, codesChannelId: CODES_CHANNEL });
  const others = await seedGuild(h, { id: OTHER_GUILD, members: 3, firstFid: 52_000_001 });
  fake = await startFakeDiscord();
  fake.addGuild({ id: GUILD, name: 'Alliance' });
  fake.addChannel(GUILD, { id: CODES_CHANNEL, name: 'gift-codes' });
  fake.addChannel(GUILD, { id: GENERAL_CHANNEL, name: 'general' });
  fake.addMember(GUILD, { userId: USER, username: 'member' });
  fake.addMember(GUILD, { userId: OTHER_BOT, username: 'otherbot', bot: true });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: fake.apiBase },
  });
  const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
  await client.login(fake.token);
  await ready;
  return { members, others };
}

const post = (content: string, extra: Partial<Parameters<FakeDiscord['postMessage']>[0]> = {}) =>
  fake!.postMessage({ guildId: GUILD, channelId: CODES_CHANNEL, userId: USER, content, ...extra }).id;
const reactionsOn = (id: string, channel = CODES_CHANNEL) =>
  vi.waitFor(
    () => awaited(fake!.reactions(channel, id).length > 0 ? fake!.reactions(channel, id) : null, `a reaction on ${id}`),
    WAIT,
  );

describe('the codes channel', () => {
  it('a posted code is redeemed everywhere and answered ✅; known 🔁; dead ❌; chat, other channels and other bots are left alone', async () => {
    const { members, others } = await world();
    discovery = createDiscovery(h!.app, { feeds: [] });
    discovery.watchChannels(client!);
    h!.sim.addCode('wos', 'CHAN2026');
    h!.sim.addCode('wos', 'OLDCHAN1', { status: 'expired' });

    const fresh = post('CHAN2026');
    expect(await reactionsOn(fresh)).toEqual(['✅']);
    await vi.waitFor(
      async () => awaited((await h!.app.store.codes.get('wos', 'CHAN2026'))?.fanoutDoneAt != null, 'the fan-out'),
      WAIT,
    );
    expect(h!.sim.successes('wos', 'CHAN2026').sort()).toEqual([TEST_FID, ...members, ...others].sort());
    expect(await h!.app.store.codes.get('wos', 'CHAN2026')).toMatchObject({
      source: `channel:${GUILD}`,
      status: 'valid',
    });

    const again = post('Code: **CHAN2026** (posted twice)');
    expect(await reactionsOn(again)).toEqual(['🔁']);

    const dead = post('', { embeds: [{ title: 'Gift code', description: 'Code: OLDCHAN1' }] });
    expect(await reactionsOn(dead)).toEqual(['❌']);
    const deadAgain = post('OLDCHAN1');
    expect(await reactionsOn(deadAgain)).toEqual(['❌']);
    expect(redeemCalls(h!, 'OLDCHAN1')).toHaveLength(1);

    // An announcement crossposted from a followed channel is a bot message that counts.
    h!.sim.addCode('wos', 'CROSS001');
    const crossposted = fake!.postMessage({
      guildId: GUILD,
      channelId: CODES_CHANNEL,
      userId: ANNOUNCER,
      content: '',
      crosspost: true,
      embeds: [{ title: 'New code!', fields: [{ name: 'Code', value: 'CROSS001' }] }],
    });
    expect(await reactionsOn(crossposted.id)).toEqual(['✅']);

    // Left alone: chat, another bot, another channel.
    const chat = post('thanks everyone, got it');
    const bot = fake!.postMessage({
      guildId: GUILD,
      channelId: CODES_CHANNEL,
      userId: OTHER_BOT,
      content: 'BOTCODE1',
      bot: true,
    }).id;
    const elsewhere = fake!.postMessage({
      guildId: GUILD,
      channelId: GENERAL_CHANNEL,
      userId: USER,
      content: 'GENERAL1',
    }).id;
    // A marker message handled after them shows they were seen and ignored.
    const marker = post('CHAN2026');
    await reactionsOn(marker);
    expect(fake!.reactions(CODES_CHANNEL, chat)).toEqual([]);
    expect(fake!.reactions(CODES_CHANNEL, bot)).toEqual([]);
    expect(fake!.reactions(GENERAL_CHANNEL, elsewhere)).toEqual([]);
    expect(await h!.app.store.codes.get('wos', 'BOTCODE1')).toBeNull();
    expect(await h!.app.store.codes.get('wos', 'GENERAL1')).toBeNull();
    expect(fake!.unhandled).toEqual([]);
  });

  it('the same code from two feeds and the channel at the same moment: one run per alliance, every member called once', async () => {
    const { members, others } = await world();
    h!.sim.addCode('wos', 'SAMETIME');
    h!.sim.setFeed('one', { format: 'community', codes: ['SAMETIME'] });
    h!.sim.setFeed('two', { format: 'list', codes: ['SAMETIME'] });
    discovery = createDiscovery(h!.app, {
      feeds: [feedSource(h!, 'one', 'wos'), feedSource(h!, 'two', 'wos', { format: 'list' })],
    });
    discovery.watchChannels(client!);
    discovery.start();
    const posted = post('SAMETIME');

    await vi.waitFor(
      async () => awaited((await h!.app.store.codes.get('wos', 'SAMETIME'))?.fanoutDoneAt != null, 'the fan-out'),
      WAIT,
    );
    await vi.waitFor(
      () => awaited(h!.sim.feedRequests('one') >= 1 && h!.sim.feedRequests('two') >= 1, 'both feeds polled'),
      WAIT,
    );
    expect(['✅', '🔁']).toContain((await reactionsOn(posted))[0]);
    for (const guildId of [GUILD, OTHER_GUILD]) {
      expect((await h!.app.store.runs.listRecent(guildId, 10)).map((r) => r.trigger)).toEqual(['auto']);
    }
    const perFid = callsPerFid(h!.sim, 'SAMETIME');
    expect([...perFid.keys()].sort()).toEqual([TEST_FID, ...members, ...others].sort());
    expect([...perFid.values()].every((n) => n === 1)).toBe(true);
    expect(h!.logs.events(EVENTS.codeDiscovered)).toHaveLength(1);
    expect(h!.logs.events(EVENTS.codeFanout).filter((l) => l.phase === 'started')).toHaveLength(1);
  });
});
