import { DiscordAPIError, type Client } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '@giftbot/fake-discord';
import { login, MEMBER_USER_ID, startWorld } from './helpers.ts';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

describe('fake Discord: direct messages', () => {
  it("records the bot's DMs to a user, one DM channel per user; closed DMs answer 50007", async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    await client.users.send(MEMBER_USER_ID, 'Gift code **VIP888** was redeemed for you.');
    await client.users.send(MEMBER_USER_ID, { content: 'And **GIFT2**.' });
    expect(fake.directMessages(MEMBER_USER_ID).map((m) => m.content)).toEqual([
      'Gift code **VIP888** was redeemed for you.',
      'And **GIFT2**.',
    ]);
    expect(fake.calls.filter((c) => c.path === '/users/@me/channels')).toHaveLength(1); // discord.js caches the channel
    expect(fake.channelMessages(fake.directMessages(MEMBER_USER_ID)[0]!.channelId)).toHaveLength(2);

    fake.closeDirectMessages(MEMBER_USER_ID);
    const refused = await client.users.send(MEMBER_USER_ID, 'Hello?').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ code: 50007, status: 403 });
    expect(fake.directMessages(MEMBER_USER_ID)).toHaveLength(2);
    expect(fake.unhandled).toEqual([]);
  });
});
