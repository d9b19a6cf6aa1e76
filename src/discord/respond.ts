import { MessageFlags, type RepliableInteraction } from 'discord.js';

/**
 * Answers only the member who ran the command, whatever state the interaction is in: a first reply, or after a
 * deferred reply (an ephemeral defer is edited; a public one is removed and the answer follows up ephemerally).
 */
export async function replyPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  const payload = { content, embeds: [], components: [] };
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
    return;
  }
  if (interaction.deferred && interaction.ephemeral) {
    await interaction.editReply(payload);
    return;
  }
  if (interaction.deferred && !interaction.replied) await interaction.deleteReply().catch(() => undefined);
  await interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
}
