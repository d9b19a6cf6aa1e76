import { MessageFlags } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import type { GuildRecord } from '../../../store/types.ts';
import { COLORS } from '../../embeds/colors.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { requireAlliance } from './requireAlliance.ts';

/** `/autoredeem on|off|status` */
export const handleAutoredeem: CommandHandler = async (interaction, guild, ctx) => {
  const alliance = requireAlliance(guild);
  const sub = interaction.options.getSubcommand();
  if (sub === 'on' || sub === 'off') {
    await ctx.app.store.guilds.update(alliance.id, { autoRedeem: sub === 'on' });
    const hint =
      sub === 'on' && !alliance.resultChannelId ? ' Pick a channel for the results with `/alliance channel`.' : '';
    await interaction.reply({
      content:
        sub === 'on'
          ? `Auto-redeem is **on**: new codes are redeemed for the whole roster as soon as they appear.${hint}`
          : 'Auto-redeem is **off**: codes are redeemed only when an admin runs `/redeem`.',
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (sub !== 'status') throw new UserError('Unknown /autoredeem action.');
  const members = await ctx.app.store.members.list(alliance.id);
  await interaction.reply({ embeds: [allianceEmbed(alliance, members.length)], flags: MessageFlags.Ephemeral });
};

function allianceEmbed(alliance: GuildRecord, members: number) {
  return {
    title: 'Alliance settings',
    color: alliance.autoRedeem ? COLORS.success : COLORS.info,
    fields: [
      { name: 'Auto-redeem', value: alliance.autoRedeem ? 'on' : 'off', inline: true },
      { name: 'Game', value: gameInfo(alliance.game).name, inline: true },
      { name: 'State', value: String(alliance.defaultState ?? 'not set'), inline: true },
      { name: 'Roster', value: `${members} members`, inline: true },
      {
        name: 'Results channel',
        value: alliance.resultChannelId ? `<#${alliance.resultChannelId}>` : 'not set (`/alliance channel`)',
        inline: true,
      },
      {
        name: 'Codes channel',
        value: alliance.codesChannelId ? `<#${alliance.codesChannelId}>` : 'not set',
        inline: true,
      },
      {
        name: 'Admin role',
        value: alliance.adminRoleId ? `<@&${alliance.adminRoleId}>` : 'Manage Server only',
        inline: true,
      },
    ],
  };
}
