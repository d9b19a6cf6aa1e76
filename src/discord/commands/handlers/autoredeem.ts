import { escapeMarkdown, MessageFlags } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import type { EnglishCatalogue } from '../../../i18n/catalogues.ts';
import { t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
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
  const lang = replyLanguage(interaction);
  if (sub === 'on' || sub === 'off') {
    await store.alliances.update(alliance.id, { autoRedeem: sub === 'on' });
    const hint = sub === 'on' && !alliance.resultChannelId ? ` ${t(lang, 'autoRedeem.pickChannel')}` : '';
    const vars = { alliance: escapeMarkdown(alliance.name) };
    const key =
      sub === 'on'
        ? several
          ? 'autoRedeem.onFor'
          : 'autoRedeem.on'
        : several
          ? 'autoRedeem.offFor'
          : 'autoRedeem.off';
    await interaction.reply({ content: t(lang, key, vars) + hint, flags: MessageFlags.Ephemeral });
    return;
  }
  if (sub !== 'status') throw UserError.fromCatalogue('autoRedeem.unknownAction');
  const members = await store.members.list(interaction.guildId, { allianceIds: [alliance.id] });
  await interaction.reply({
    embeds: [allianceEmbed(alliance, guild, members.length, lang)],
    flags: MessageFlags.Ephemeral,
  });
};

type Setting = Exclude<keyof EnglishCatalogue['autoRedeem']['settings'], 'title'>;

function allianceEmbed(alliance: AllianceRecord, guild: GuildRecord | null, members: number, lang: Language) {
  const notSet = t(lang, 'autoRedeem.value.notSet');
  const field = (name: Setting, value: string) => ({
    name: t(lang, `autoRedeem.settings.${name}`),
    value,
    inline: true,
  });
  return {
    title: t(lang, 'autoRedeem.settings.title'),
    color: alliance.autoRedeem ? COLORS.success : COLORS.info,
    fields: [
      field('alliance', escapeMarkdown(alliance.name)),
      field('autoRedeem', t(lang, alliance.autoRedeem ? 'autoRedeem.value.on' : 'autoRedeem.value.off')),
      field('game', gameInfo(alliance.game).name),
      field('state', alliance.defaultState === null ? notSet : String(alliance.defaultState)),
      field('roster', t(lang, 'autoRedeem.value.members', { count: members })),
      field(
        'resultsChannel',
        alliance.resultChannelId ? `<#${alliance.resultChannelId}>` : t(lang, 'autoRedeem.value.resultsNotSet'),
      ),
      field('codesChannel', alliance.codesChannelId ? `<#${alliance.codesChannelId}>` : notSet),
      field('priority', String(alliance.fanoutPriority)),
      field(
        'adminRole',
        guild?.adminRoleId ? `<@&${guild.adminRoleId}>` : t(lang, 'autoRedeem.value.manageServerOnly'),
      ),
    ],
  };
}
