import { MessageFlags, PermissionFlagsBits, type GuildBasedChannel } from 'discord.js';
import { gameInfo, isGame } from '../../../game/games.ts';
import type { BotContext } from '../../botContext.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { requireAlliance } from './requireAlliance.ts';

const POST_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.EmbedLinks,
];

/** `/alliance setup|channel|adminrole` */
export const handleAlliance: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  switch (interaction.options.getSubcommand()) {
    case 'setup': {
      const game = interaction.options.getString('game', true);
      const state = interaction.options.getInteger('state', true);
      if (!isGame(game)) throw new UserError('The game must be Whiteout Survival or Kingshot.');
      if (guild && guild.game !== game) {
        throw new UserError(
          `This server already redeems ${gameInfo(guild.game).name} codes; one server serves one game. Use another server for ${gameInfo(game).name}.`,
        );
      }
      const saved = await store.guilds.upsert({
        id: guildId,
        game,
        defaultState: state,
        ...(guild ? {} : { name: interaction.guild?.name ?? null }),
      });
      const members = (await store.members.list(guildId)).length;
      await interaction.reply({
        content: [
          `${guild ? 'Updated' : 'Set up'}: this server redeems **${gameInfo(saved.game).name}** codes for state **${saved.defaultState}**; auto-redeem is **${saved.autoRedeem ? 'on' : 'off'}**.`,
          members === 0
            ? 'Next: add players with `/member add` or `/member import`, and pick a results channel with `/alliance channel`.'
            : `The roster has ${members} members.`,
        ].join('\n'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'channel': {
      requireAlliance(guild);
      const results = interaction.options.getChannel('results', true);
      const codes = interaction.options.getChannel('codes');
      for (const channel of [results, codes]) if (channel) checkCanPost(channel, ctx);
      await store.guilds.update(guildId, {
        resultChannelId: results.id,
        ...(codes ? { codesChannelId: codes.id } : {}),
      });
      await interaction.reply({
        content: `Run progress and summaries go to <#${results.id}>.${codes ? ` Codes posted in <#${codes.id}> are picked up.` : ''}`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'adminrole': {
      requireAlliance(guild);
      // Only Manage Server may decide who else administers giftbot: the admin role cannot hand itself on.
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
        throw new UserError('Only members with **Manage Server** can change the admin role.');
      const role = interaction.options.getRole('role');
      if (role && role.id === guildId) throw new UserError('@everyone cannot be the admin role; pick a specific role.');
      await store.guilds.update(guildId, { adminRoleId: role?.id ?? null });
      await interaction.reply({
        content: role
          ? `Members with <@&${role.id}> can now use giftbot here, besides those with Manage Server.`
          : 'The admin role is removed: only members with Manage Server can use giftbot here.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    default:
      throw new UserError('Unknown /alliance action.');
  }
};

function checkCanPost(
  channel: { id: string } & Partial<Pick<GuildBasedChannel, 'permissionsFor'>>,
  ctx: BotContext,
): void {
  const me = ctx.client.user;
  if (!me || typeof channel.permissionsFor !== 'function') return;
  const permissions = channel.permissionsFor(me);
  if (permissions && !permissions.has(POST_PERMISSIONS)) {
    throw new UserError(`I cannot post in <#${channel.id}>: I need View Channel, Send Messages and Embed Links there.`);
  }
}
