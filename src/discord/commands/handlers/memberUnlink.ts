import { MessageFlags } from 'discord.js';
import { isValidFid } from '../../../game/playerIds.ts';
import { EVENTS } from '../../../log/events.ts';
import { t } from '../../../i18n/i18n.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { BotContext } from '../../botContext.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

/**
 * `/member unlink fid:` (admin): frees a player linked to a Discord member by `/me link`, so that another member can
 * link it. The roster entry and the history stay.
 */
export async function unlinkMember(interaction: Parameters<CommandHandler>[0], ctx: BotContext): Promise<void> {
  const fid = interaction.options.getString('fid', true).trim();
  if (!isValidFid(fid)) throw UserError.fromCatalogue('selfAdmin.badFid', { fid });
  const removed = await ctx.app.store.memberLinks.unlinkPlayer(interaction.guildId, fid);
  if (!removed) throw UserError.fromCatalogue('selfAdmin.notLinked', { fid });
  ctx.log.info(
    {
      event: EVENTS.selfServiceUnlinked,
      guildId: interaction.guildId,
      userId: removed.userId,
      fid,
      by: interaction.user.id,
    },
    'unlinked by an admin',
  );
  await interaction.reply({
    content: t(replyLanguage(interaction), 'selfAdmin.unlinked', { fid, userId: removed.userId }),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
}
