import { ButtonStyle, ComponentType, escapeMarkdown, MessageFlags } from 'discord.js';
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
  await interaction.reply({
    content: `Remove alliance **${escapeMarkdown(alliance.name)}** and take its ${members} member${members === 1 ? '' : 's'} off the roster? Who has which code and its past runs are kept.`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            label: 'Remove',
            custom_id: allianceRemoveId(alliance.id, true),
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: 'Keep it',
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
  const alliance = (await store.alliances.list({ guildId: interaction.guildId })).find((a) => a.id === allianceId);
  if (!alliance) {
    await interaction.update({ content: 'That alliance is not here any more; nothing was removed.', components: [] });
    return;
  }
  const name = escapeMarkdown(alliance.name);
  if (!confirmed) {
    await interaction.update({ content: `Nothing was removed: **${name}** stays.`, components: [] });
    return;
  }
  const removed = await store.alliances.remove(alliance.id);
  await interaction.update({
    content: removed
      ? `Removed alliance **${name}**: ${removed.members} member${removed.members === 1 ? '' : 's'} left the roster. Who has which code and its past runs are kept.`
      : 'That alliance is not here any more; nothing was removed.',
    components: [],
  });
};
