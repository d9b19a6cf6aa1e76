import { escapeMarkdown, MessageFlags } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import type { AllianceRecord, GuildRecord } from '../../../store/types.ts';
import { COLORS } from '../../embeds/colors.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { resolveAlliance } from './resolveAlliance.ts';

/** `/autoredeem on|off|status [alliance:]` */
export const handleAutoredeem: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const alliance = await resolveAlliance(store, interaction.guildId, interaction.options.getString('alliance'));
  const several = (await store.alliances.list({ guildId: interaction.guildId })).length > 1;
  const sub = interaction.options.getSubcommand();
  if (sub === 'on' || sub === 'off') {
    await store.alliances.update(alliance.id, { autoRedeem: sub === 'on' });
    const hint =
      sub === 'on' && !alliance.resultChannelId ? ' Pick a channel for the results with `/alliance channel`.' : '';
    const who = several ? ` for **${escapeMarkdown(alliance.name)}**` : '';
    await interaction.reply({
      content:
        sub === 'on'
          ? `Auto-redeem is **on**${who}: new codes are redeemed for the whole roster as soon as they appear.${hint}`
          : `Auto-redeem is **off**${who}: codes are redeemed only when an admin runs \`/redeem\`.`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (sub !== 'status') throw new UserError('Unknown /autoredeem action.');
  const members = await store.members.list(interaction.guildId, { allianceIds: [alliance.id] });
  await interaction.reply({
    embeds: [allianceEmbed(alliance, guild, members.length)],
    flags: MessageFlags.Ephemeral,
  });
};

function allianceEmbed(alliance: AllianceRecord, guild: GuildRecord | null, members: number) {
  return {
    title: 'Alliance settings',
    color: alliance.autoRedeem ? COLORS.success : COLORS.info,
    fields: [
      { name: 'Alliance', value: escapeMarkdown(alliance.name), inline: true },
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
      { name: 'Priority', value: String(alliance.fanoutPriority), inline: true },
      {
        name: 'Admin role',
        value: guild?.adminRoleId ? `<@&${guild.adminRoleId}>` : 'Manage Server only',
        inline: true,
      },
    ],
  };
}
