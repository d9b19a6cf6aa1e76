import { AttachmentBuilder, Events, GatewayIntentBits, MessageFlags } from 'discord.js';
import type { Client, Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '@giftbot/fake-discord';
import { GUILD_ID, login, MEMBER_USER_ID, NEWS_CHANNEL_ID, startWorld, TEXT_CHANNEL_ID } from './helpers.ts';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

function textChannel(c: Client, id = TEXT_CHANNEL_ID) {
  const channel = c.channels.cache.get(id);
  if (!channel?.isSendable()) throw new Error(`channel ${id} not sendable`);
  return channel;
}

describe('fake Discord: channel messages', () => {
  it('records channel.send, message.edit and message.react', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const channel = textChannel(client);
    const sent = await channel.send({
      content: 'New code: VIP888',
      embeds: [{ title: 'VIP888', fields: [{ name: 'Game', value: 'WOS' }] }],
    });
    const edited = await sent.edit('New code: VIP888 — redeeming 0/40');
    expect(edited.editedTimestamp).not.toBeNull();
    await sent.react('✅');
    await sent.react('🎁');

    expect(fake.calls.slice(1).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      `POST /channels/${TEXT_CHANNEL_ID}/messages 200`,
      `PATCH /channels/${TEXT_CHANNEL_ID}/messages/${sent.id} 200`,
      `PUT /channels/${TEXT_CHANNEL_ID}/messages/${sent.id}/reactions/✅/@me 204`,
      `PUT /channels/${TEXT_CHANNEL_ID}/messages/${sent.id}/reactions/🎁/@me 204`,
    ]);
    expect(fake.channelMessages(TEXT_CHANNEL_ID)).toEqual([
      expect.objectContaining({
        id: sent.id,
        content: 'New code: VIP888 — redeeming 0/40',
        embeds: [{ type: 'rich', title: 'VIP888', fields: [{ name: 'Game', value: 'WOS', inline: false }] }],
        edits: 1,
      }),
    ]);
    expect(fake.reactions(TEXT_CHANNEL_ID, sent.id)).toEqual(['✅', '🎁']);
    // The channel is readable back through the API too.
    const fetched = await channel.messages.fetch(sent.id);
    expect(fetched.content).toBe('New code: VIP888 — redeeming 0/40');
    expect(fetched.reactions.cache.get('✅')?.me).toBe(true);
    expect(fake.unhandled).toEqual([]);
  });

  it('refuses what Discord refuses: over-long content, an empty message, a bad emoji, crossposting in a text channel', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const channel = textChannel(client);
    await expect(channel.send('x'.repeat(2001))).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(
      client.rest.post(`/channels/${TEXT_CHANNEL_ID}/messages`, { body: { content: '' } }),
    ).rejects.toMatchObject({ code: 50006 });
    const m = await channel.send('ok');
    await expect(m.react('white_check_mark')).rejects.toMatchObject({ code: 10014 });
    await expect(m.crosspost()).rejects.toMatchObject({ code: 50024 });
    const news = await textChannel(client, NEWS_CHANNEL_ID).send('announcement');
    const crossposted = await news.crosspost();
    expect(crossposted.flags.has(MessageFlags.Crossposted)).toBe(true);
  });

  it('stores multipart uploads: payload_json plus files, with the content readable', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const sent = await textChannel(client).send({
      content: 'report',
      files: [new AttachmentBuilder(Buffer.from('player,result\n1001,ok\n'), { name: 'report.csv' })],
    });
    const call = fake.calls.at(-1);
    expect(call?.body).toMatchObject({ content: 'report', attachments: [{ id: '0' }] });
    expect(call?.files).toMatchObject([
      { field: 'files[0]', filename: 'report.csv', content: 'player,result\n1001,ok\n' },
    ]);
    expect(sent.attachments.first()?.name).toBe('report.csv');
    const stored = fake.channelMessages(TEXT_CHANNEL_ID)[0];
    expect(stored?.attachments).toMatchObject([{ filename: 'report.csv', content: 'player,result\n1001,ok\n' }]);
    expect(await (await fetch(stored?.attachments[0]?.url ?? '')).text()).toBe('player,result\n1001,ok\n');
  });

  it('delivers MESSAGE_CREATE from a user, another bot and a crossposted announcement, with content and embeds', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const got: Message[] = [];
    client.on(Events.MessageCreate, (m) => got.push(m));
    fake.addMember(GUILD_ID, { userId: '900000000000000200', username: 'codes-bot', bot: true });
    fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      content: 'code: HAPPY2025',
    });
    fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: '900000000000000200',
      content: '',
      bot: true,
      embeds: [{ title: 'New gift code', description: 'SPRING25', fields: [{ name: 'Expires', value: 'tomorrow' }] }],
    });
    const crosspost = fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: '900000000000000300',
      username: 'Whiteout Survival #announcements',
      content: 'Gift code: WOS777',
      crosspost: true,
    });
    await fake.waitFor(() => got.length === 3);
    const [user, bot, cross] = got;
    expect([user?.content, user?.author.id, user?.author.bot, user?.member?.id]).toEqual([
      'code: HAPPY2025',
      MEMBER_USER_ID,
      false,
      MEMBER_USER_ID,
    ]);
    expect(bot?.author.bot).toBe(true);
    expect(bot?.embeds[0]?.title).toBe('New gift code');
    expect(bot?.embeds[0]?.description).toBe('SPRING25');
    expect(bot?.embeds[0]?.fields).toEqual([{ name: 'Expires', value: 'tomorrow', inline: false }]);
    expect(cross?.id).toBe(crosspost.id);
    expect(cross?.flags.has(MessageFlags.IsCrosspost)).toBe(true);
    expect(cross?.webhookId).toBe('900000000000000300');
    expect(cross?.reference?.messageId).toBeDefined();
    expect(cross?.content).toBe('Gift code: WOS777');
  });

  it('blanks content and embeds without the MessageContent intent, like Discord', async () => {
    fake = await startWorld();
    ({ client } = await login(fake, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]));
    const got: Message[] = [];
    client.on(Events.MessageCreate, (m) => got.push(m));
    fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      content: 'code: HIDDEN',
      embeds: [{ title: 'x' }],
    });
    fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      content: `<@${fake.botUserId}> code: SEEN`,
    });
    await fake.waitFor(() => got.length === 2);
    expect(got.map((m) => [m.content, m.embeds.length])).toEqual([
      ['', 0],
      [`<@${fake.botUserId}> code: SEEN`, 0],
    ]);
  });

  it('refuses to post for a user that is not a member', async () => {
    fake = await startWorld();
    expect(() =>
      fake?.postMessage({ guildId: GUILD_ID, channelId: TEXT_CHANNEL_ID, userId: '42', content: 'x' }),
    ).toThrow(/addMember first/);
  });
});
