import { Events, SlashCommandBuilder } from 'discord.js';
import type { AutocompleteInteraction, Client, Guild } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '@giftbot/fake-discord';
import { ADMIN_USER_ID, GUILD_ID, handlerErrors, login, startWorld, TEXT_CHANNEL_ID } from './helpers.ts';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

const LIST = new SlashCommandBuilder()
  .setName('member')
  .setDescription('Roster')
  .addSubcommand((s) =>
    s
      .setName('list')
      .setDescription('Show it')
      .addStringOption((o) => o.setName('alliance').setDescription('Which one').setAutocomplete(true))
      .addStringOption((o) => o.setName('plain').setDescription('No autocomplete')),
  )
  .toJSON();

describe('fake Discord: autocomplete and leaving a guild', () => {
  it('delivers what was typed into an autocomplete option and checks the choices the bot answers with', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    await client.application?.commands.set([LIST], GUILD_ID);
    const h = handlerErrors();
    const seen: unknown[] = [];
    client.on(
      Events.InteractionCreate,
      h.wrap(async (i) => {
        if (!i.isAutocomplete()) return;
        const focused = (i as AutocompleteInteraction).options.getFocused(true);
        seen.push([i.commandName, i.options.getSubcommand(), focused.name, focused.value]);
        const many = focused.value === 'many';
        await i.respond(
          Array.from({ length: many ? 26 : 2 }, (_, n) => ({ name: `${focused.value}${n}`, value: `v${n}` })),
        );
      }),
    );
    const at = {
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: ADMIN_USER_ID,
      name: 'member',
      subcommand: 'list',
    };
    const { token } = fake.sendAutocomplete({ ...at, focused: 'alliance', typed: 'wo' });
    expect(await fake.waitFor(() => fake!.autocompleteChoices(token))).toEqual([
      { name: 'wo0', value: 'v0' },
      { name: 'wo1', value: 'v1' },
    ]);
    expect(seen).toEqual([['member', 'list', 'alliance', 'wo']]);

    // More than 25 choices is refused like Discord does (50035), and nothing is recorded.
    const tooMany = fake.sendAutocomplete({ ...at, focused: 'alliance', typed: 'many' });
    await fake.waitFor(() => h.errors.length > 0);
    expect(h.errors[0]).toMatchObject({ code: 50035 });
    expect(fake.autocompleteChoices(tooMany.token)).toBeUndefined();
    expect(() => fake!.sendAutocomplete({ ...at, focused: 'plain', typed: 'x' })).toThrow(/does not have autocomplete/);
  });

  it('removes the bot from a guild: the client gets guildDelete and forgets the guild', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const gone: Guild[] = [];
    client.on(Events.GuildDelete, (guild) => void gone.push(guild));
    fake.removeBotFromGuild(GUILD_ID);
    await fake.waitFor(() => gone.length > 0);
    expect(gone[0]?.id).toBe(GUILD_ID);
    expect(client.guilds.cache.has(GUILD_ID)).toBe(false);
    expect(fake.unhandled).toEqual([]);
  });
});
