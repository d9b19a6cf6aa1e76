import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Events,
  MessageFlags,
  SlashCommandBuilder,
} from 'discord.js';
import type { ChatInputCommandInteraction, Client, Interaction } from 'discord.js';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import {
  ADMIN_USER_ID,
  GUILD_ID,
  handlerErrors,
  login,
  MEMBER_USER_ID,
  NEWS_CHANNEL_ID,
  startWorld,
  TEXT_CHANNEL_ID,
} from './helpers.ts';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

async function world(opts?: Parameters<typeof startWorld>[0]): Promise<{ fake: FakeDiscord; client: Client }> {
  fake = await startWorld(opts);
  ({ client } = await login(fake));
  return { fake, client };
}

function onCommand(c: Client, handler: (i: ChatInputCommandInteraction) => Promise<void>): unknown[] {
  const h = handlerErrors();
  c.on(
    Events.InteractionCreate,
    h.wrap(async (i: Interaction) => {
      if (i.isChatInputCommand()) await handler(i);
    }),
  );
  return h.errors;
}

describe('fake Discord: slash commands', () => {
  it('delivers a command with subcommand and options; records deferReply, editReply and followUp by token', async () => {
    const { fake, client } = await world();
    const seen: Array<Record<string, unknown>> = [];
    const errors = onCommand(client, async (i) => {
      seen.push({
        name: i.commandName,
        group: i.options.getSubcommandGroup(false),
        sub: i.options.getSubcommand(),
        code: i.options.getString('code', true),
        count: i.options.getInteger('count'),
        force: i.options.getBoolean('force'),
        user: i.user.id,
        guild: i.guildId,
        channel: i.channelId,
        perms: i.memberPermissions?.has('ManageGuild'),
        cached: i.inCachedGuild(),
        appPerms: i.appPermissions.has('SendMessages'),
      });
      await i.deferReply();
      await i.editReply('Redeeming VIP888 for 3 players…');
      await i.editReply({ content: 'Done: 3/3', embeds: [{ title: 'VIP888', description: 'ok' }] });
      await i.followUp({ content: 'details', flags: MessageFlags.Ephemeral });
    });

    const started = performance.now();
    const { token } = fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      name: 'giftcode',
      subcommandGroup: 'code',
      subcommand: 'redeem',
      options: { code: 'VIP888', count: 3, force: true },
    });
    await fake.waitFor(() => fake.interactionResponses(token).length === 4);
    console.log(`command defer + 2 edits + followUp: ${(performance.now() - started).toFixed(1)} ms`);

    expect(errors).toEqual([]);
    expect(seen).toEqual([
      {
        name: 'giftcode',
        group: 'code',
        sub: 'redeem',
        code: 'VIP888',
        count: 3,
        force: true,
        user: ADMIN_USER_ID,
        guild: GUILD_ID,
        channel: TEXT_CHANNEL_ID,
        perms: true,
        cached: true,
        appPerms: true,
      },
    ]);
    const calls = fake.interactionResponses(token);
    expect(calls.map((c) => `${c.method} ${c.path.replace(token, '<token>')} ${c.status}`)).toEqual([
      expect.stringMatching(/^POST \/interactions\/\d+\/<token>\/callback 204$/),
      `PATCH /webhooks/${fake.applicationId}/<token>/messages/@original 200`,
      `PATCH /webhooks/${fake.applicationId}/<token>/messages/@original 200`,
      `POST /webhooks/${fake.applicationId}/<token> 200`,
    ]);
    expect(calls[0]?.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(calls[0]?.auth).toBeUndefined();
    expect(calls[3]?.query).toMatchObject({ wait: 'true' });

    const [original, followUp] = fake.interactionMessages(token);
    expect(original).toMatchObject({
      content: 'Done: 3/3',
      edits: 2,
      ephemeral: false,
      embeds: [{ title: 'VIP888', description: 'ok', type: 'rich' }],
    });
    expect(followUp).toMatchObject({ content: 'details', ephemeral: true, flags: 64 });
    // The public reply is a channel message; the ephemeral follow-up is not.
    expect(fake.channelMessages(TEXT_CHANNEL_ID).map((m) => m.content)).toEqual(['Done: 3/3']);
    expect(fake.unhandled).toEqual([]);
  });

  it('records an ephemeral reply with flags 64, and fetchReply/deleteReply work', async () => {
    const { fake, client } = await world();
    const errors = onCommand(client, async (i) => {
      // A plain member: no ManageGuild (the bot must refuse admin commands itself: the fake, unlike Discord, does not hide them).
      expect(i.memberPermissions?.has('ManageGuild')).toBe(false);
      await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral });
      const reply = await i.fetchReply();
      expect(reply.flags.has(MessageFlags.Ephemeral)).toBe(true);
      await i.deleteReply();
    });
    const { token } = fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      name: 'status',
    });
    await fake.waitFor(() => fake.interactionResponses(token).length === 3);
    expect(errors).toEqual([]);
    const [callback, fetched, deleted] = fake.interactionResponses(token);
    expect(callback?.body).toMatchObject({ type: 4, data: { content: 'only you', flags: 64 } });
    expect(fetched).toMatchObject({ method: 'GET', status: 200 });
    expect(deleted).toMatchObject({ method: 'DELETE', status: 204 });
    expect(fake.interactionMessages(token)[0]).toMatchObject({ ephemeral: true, deleted: true });
    expect(fake.channelMessages(TEXT_CHANNEL_ID)).toEqual([]);
  });

  it('returns the callback response object when withResponse is set', async () => {
    const { fake, client } = await world();
    let messageId: string | undefined;
    const errors = onCommand(client, async (i) => {
      const res = await i.reply({ content: 'pong', withResponse: true });
      messageId = res.resource?.message?.id;
    });
    const { token } = fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      name: 'ping',
    });
    await fake.waitFor(() => messageId);
    expect(errors).toEqual([]);
    expect(fake.interactionResponses(token)[0]).toMatchObject({ status: 200, query: { with_response: 'true' } });
    expect(fake.channelMessages(TEXT_CHANNEL_ID)).toEqual([
      expect.objectContaining({ id: messageId, content: 'pong' }),
    ]);
  });

  it('replaces the deferred "thinking" message with the first follow-up, as Discord does', async () => {
    const { fake, client } = await world();
    const errors = onCommand(client, async (i) => {
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.followUp('first');
      await i.followUp('second');
    });
    const { token } = fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: MEMBER_USER_ID,
      name: 'ping',
    });
    await fake.waitFor(() => fake.interactionResponses(token).length === 3);
    expect(errors).toEqual([]);
    const msgs = fake.interactionMessages(token);
    expect(msgs.map((m) => [m.content, m.ephemeral])).toEqual([
      ['first', true],
      ['second', false],
    ]);
  });

  it('refuses a second acknowledgement and a late one (3 s rule, shortened here)', async () => {
    const { fake, client } = await world({ interactionAckDeadlineMs: 400 });
    const outcomes: unknown[] = [];
    onCommand(client, async (i) => {
      if (i.commandName === 'twice') {
        await i.reply('one');
        // discord.js guards this client-side; go around it to hit the API like a buggy bot would.
        await client.rest
          .post(`/interactions/${i.id}/${i.token}/callback`, {
            body: { type: 4, data: { content: 'two' } },
            auth: false,
          })
          .catch((err: { code?: number }) => outcomes.push(err.code));
      } else {
        await new Promise((r) => setTimeout(r, 700));
        await i.reply('late').catch((err: { code?: number }) => outcomes.push(err.code));
      }
    });
    fake.sendCommand({ guildId: GUILD_ID, channelId: TEXT_CHANNEL_ID, userId: MEMBER_USER_ID, name: 'twice' });
    fake.sendCommand({ guildId: GUILD_ID, channelId: TEXT_CHANNEL_ID, userId: MEMBER_USER_ID, name: 'slow' });
    await fake.waitFor(() => outcomes.length === 2);
    expect(outcomes.sort()).toEqual([10062, 40060]);
  });

  it('serves an attachment option at a URL the bot can fetch', async () => {
    const { fake, client } = await world();
    let body: string | undefined;
    const errors = onCommand(client, async (i) => {
      const file = i.options.getAttachment('players', true);
      expect(file.name).toBe('players.csv');
      expect(file.contentType).toMatch(/^text\/csv/);
      const res = await fetch(file.url);
      body = await res.text();
      await i.reply(`imported ${body.trim().split('\n').length} players`);
    });
    const { token } = fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      name: 'import',
      options: { players: { attachment: { filename: 'players.csv', content: '1001\n1002\n1003\n' } } },
    });
    await fake.waitFor(() => fake.interactionMessages(token)[0]);
    expect(errors).toEqual([]);
    expect(body).toBe('1001\n1002\n1003\n');
    expect(fake.interactionMessages(token)[0]?.content).toBe('imported 3 players');
  });

  it('infers a channel option from a known channel id when the command is not registered', async () => {
    const { fake, client } = await world();
    let channel: { id: string; type: ChannelType } | undefined;
    const errors = onCommand(client, async (i) => {
      const c = i.options.getChannel('target', true);
      channel = { id: c.id, type: c.type };
      await i.reply('ok');
    });
    fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      name: 'watch',
      options: { target: NEWS_CHANNEL_ID },
    });
    await fake.waitFor(() => channel);
    expect(errors).toEqual([]);
    expect(channel).toEqual({ id: NEWS_CHANNEL_ID, type: ChannelType.GuildAnnouncement });
  });

  it('registers guild commands by bulk overwrite and then types options from the definition', async () => {
    const { fake, client } = await world();
    const defs = [
      new SlashCommandBuilder()
        .setName('redeem')
        .setDescription('Redeem a gift code')
        .addStringOption((o) => o.setName('code').setDescription('Gift code').setRequired(true))
        .addStringOption((o) => o.setName('player').setDescription('Player id'))
        .setDefaultMemberPermissions(1n << 5n)
        .toJSON(),
    ];
    const registered = await client.application?.commands.set(defs, GUILD_ID);
    expect(registered?.size).toBe(1);
    const stored = fake.registeredCommands(GUILD_ID) as Array<{
      id: string;
      name: string;
      default_member_permissions: string;
    }>;
    expect(stored).toMatchObject([{ name: 'redeem', default_member_permissions: '32' }]);
    expect(registered?.first()?.id).toBe(stored[0]?.id);
    // A second overwrite keeps the id, as on Discord.
    await client.application?.commands.set(defs, GUILD_ID);
    expect((fake.registeredCommands(GUILD_ID) as Array<{ id: string }>)[0]?.id).toBe(stored[0]?.id);

    let got: unknown;
    const errors = onCommand(client, async (i) => {
      got = { id: i.commandId, player: i.options.getString('player'), code: i.options.getString('code') };
      await i.reply('ok');
    });
    // '123456789012345678' looks like an id but the definition says string.
    fake.sendCommand({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      name: 'redeem',
      options: { code: 'ABC', player: '123456789012345678' },
    });
    await fake.waitFor(() => got);
    expect(errors).toEqual([]);
    expect(got).toEqual({ id: stored[0]?.id, player: '123456789012345678', code: 'ABC' });
    // What a real user could not send is refused.
    expect(() =>
      fake.sendCommand({
        guildId: GUILD_ID,
        channelId: TEXT_CHANNEL_ID,
        userId: ADMIN_USER_ID,
        name: 'redeem',
        options: {},
      }),
    ).toThrow(/required option 'code'/);
    expect(() =>
      fake.sendCommand({ guildId: GUILD_ID, channelId: TEXT_CHANNEL_ID, userId: ADMIN_USER_ID, name: 'nope' }),
    ).toThrow(/not registered/);
    // Invalid definitions are refused like Discord does (50035).
    await expect(
      client.application?.commands.set([{ name: 'Bad Name', description: 'x' }], GUILD_ID),
    ).rejects.toMatchObject({ code: 50035 });
    expect(fake.unhandled).toEqual([]);
  });

  it('delivers a button click on a posted message and lets the handler update it', async () => {
    const { fake, client } = await world();
    const channel = client.channels.cache.get(TEXT_CHANNEL_ID);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const posted = await channel.send({
      content: 'Confirm redeeming VIP888?',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('confirm:VIP888').setLabel('Confirm').setStyle(ButtonStyle.Success),
          new ButtonBuilder().setCustomId('cancel').setLabel('Cancel').setStyle(ButtonStyle.Secondary),
        ),
      ],
    });
    const h = handlerErrors();
    let clicked: { customId: string; messageId: string; user: string } | undefined;
    client.on(
      Events.InteractionCreate,
      h.wrap(async (i: Interaction) => {
        if (!i.isButton()) return;
        clicked = { customId: i.customId, messageId: i.message.id, user: i.user.id };
        await i.update({ content: 'Redeeming VIP888…', components: [] });
        await i.editReply({ content: 'Redeemed VIP888' });
      }),
    );
    const { token } = fake.clickButton({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      customId: 'confirm:VIP888',
      messageId: posted.id,
    });
    await fake.waitFor(() => fake.interactionResponses(token).length === 2);
    expect(h.errors).toEqual([]);
    expect(clicked).toEqual({ customId: 'confirm:VIP888', messageId: posted.id, user: ADMIN_USER_ID });
    expect(fake.interactionResponses(token)[0]?.body).toMatchObject({
      type: 7,
      data: { content: 'Redeeming VIP888…', components: [] },
    });
    expect(fake.channelMessages(TEXT_CHANNEL_ID)).toEqual([
      expect.objectContaining({ id: posted.id, content: 'Redeemed VIP888', components: [], edits: 2 }),
    ]);
    expect(() =>
      fake.clickButton({
        guildId: GUILD_ID,
        channelId: TEXT_CHANNEL_ID,
        userId: ADMIN_USER_ID,
        customId: 'missing',
        messageId: posted.id,
      }),
    ).toThrow(/no component/);
    expect(fake.unhandled).toEqual([]);
  });
});

describe('locales', () => {
  it("carries the member's locale on commands and button clicks, and the server's preferred locale", async () => {
    fake = await startFakeDiscord();
    fake.addGuild({ id: GUILD_ID, name: 'Allianz', preferredLocale: 'de' });
    fake.addChannel(GUILD_ID, { id: TEXT_CHANNEL_ID, name: 'gift-codes' });
    fake.addMember(GUILD_ID, { userId: MEMBER_USER_ID, username: 'member' });
    ({ client } = await login(fake));
    expect(client.guilds.cache.get(GUILD_ID)?.preferredLocale).toBe('de');
    const channel = client.channels.cache.get(TEXT_CHANNEL_ID);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const posted = await channel.send({
      content: 'Pick',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('pick').setLabel('Pick').setStyle(ButtonStyle.Primary),
        ),
      ],
    });
    const seen: { locale: string; guildLocale: string | null }[] = [];
    const h = handlerErrors();
    client.on(
      Events.InteractionCreate,
      h.wrap(async (i: Interaction) => {
        if (!i.isButton()) return;
        seen.push({ locale: i.locale, guildLocale: i.guildLocale });
        await i.deferUpdate();
      }),
    );
    const click = (locale?: string) =>
      fake!.clickButton({
        guildId: GUILD_ID,
        channelId: TEXT_CHANNEL_ID,
        userId: MEMBER_USER_ID,
        customId: 'pick',
        messageId: posted.id,
        ...(locale ? { locale } : {}),
      });
    click('tr');
    click();
    await fake.waitFor(() => seen.length === 2);
    expect(h.errors).toEqual([]);
    expect(seen).toEqual([
      { locale: 'tr', guildLocale: 'de' },
      { locale: 'en-US', guildLocale: 'de' },
    ]);
  });
});
