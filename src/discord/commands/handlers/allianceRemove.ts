import { ButtonStyle, ComponentType, escapeMarkdown, MessageFlags } from 'discord.js';
import { t } from '../../../i18n/i18n.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import { allianceRemoveId } from '../../customIds.ts';
import type { BotContext } from '../../botContext.ts';
import type { ButtonHandler, CommandHandler } from '../commandHandler.ts';
import { resolveAlliance } from './resolveAlliance.ts';

/**
 * `/alliance remove [alliance:]` — asks first, with the roster size: the click on "Remove" does it. Only the roster
 * goes; who has which code (the ledger), the runs and each player's history stay.
 */
export async function askToRemoveAlliance(interaction: Parameters<CommandHandler>[0], ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const alliance = await resolveAlliance(store, interaction.guildId, interaction.options.getString('alliance'));
  const members = (await store.members.list(interaction.guildId, { allianceIds: [alliance.id] })).length;
  const lang = replyLanguage(interaction);
  await interaction.reply({
    content: t(lang, 'alliance.removeAsk', { name: escapeMarkdown(alliance.name), count: members }),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            label: t(lang, 'alliance.removeButton'),
            custom_id: allianceRemoveId(alliance.id, true),
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: t(lang, 'alliance.keepButton'),
            custom_id: allianceRemoveId(alliance.id, false),
          },
        ],
      },
    ],
    flags: MessageFlags.Ephemeral,
  });
}

/** The "Remove" / "Keep it" buttons. The alliance must still be one of THIS server's (ids come back from Discord). */
export const handleAllianceRemoveButton: ButtonHandler<{ allianceId: number; confirmed: boolean }> = async (
  interaction,
  { allianceId, confirmed },
  _guild,
  ctx,
) => {
  const { store } = ctx.app;
  // The presser's language: another admin may press the buttons of a question asked in English.
  const lang = replyLanguage(interaction);
  const alliance = (await store.alliances.list({ guildId: interaction.guildId })).find((a) => a.id === allianceId);
  if (!alliance) {
    await interaction.update({ content: t(lang, 'alliance.removeGone'), components: [] });
    return;
  }
  const name = escapeMarkdown(alliance.name);
  if (!confirmed) {
    await interaction.update({ content: t(lang, 'alliance.removeKept', { name }), components: [] });
    return;
  }
  const removed = await store.alliances.remove(alliance.id);
  await interaction.update({
    content: removed ? t(lang, 'alliance.removed', { name, count: removed.members }) : t(lang, 'alliance.removeGone'),
    components: [],
  });
};
