import { AttachmentBuilder, MessageFlags } from 'discord.js';
import { exportHistory, type HistoryExport } from '../../../history/exportHistory.ts';
import { t } from '../../../i18n/i18n.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import { EVENTS } from '../../../log/events.ts';
import type { BotContext } from '../../botContext.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

/**
 * `/giftcode history [code:]` (admin): the server's history (or one code's) as a CSV attachment, privately. The file
 * is data (English headers, the game's own answers); only the reply around it speaks the admin's language.
 */
export async function historyAttachment(interaction: Parameters<CommandHandler>[0], ctx: BotContext): Promise<void> {
  const code = interaction.options.getString('code');
  const result = await exportHistory(ctx.app.store, interaction.guildId, code);
  if (!result.ok) throw exportError(result, interaction.guildId);
  ctx.log.info(
    { event: EVENTS.historyExported, guildId: interaction.guildId, code, rows: result.rows.length, via: 'discord' },
    'history exported',
  );
  const lang = replyLanguage(interaction);
  const count = result.rows.length;
  const shown = code?.trim();
  await interaction.reply({
    content:
      count === 0
        ? t(lang, 'selfAdmin.historyEmpty')
        : shown
          ? t(lang, 'selfAdmin.historyRowsOfCode', { count, code: shown })
          : t(lang, 'selfAdmin.historyRows', { count }),
    files: [new AttachmentBuilder(Buffer.from(result.csv, 'utf8'), { name: result.filename })],
    flags: MessageFlags.Ephemeral,
  });
}

function exportError(result: Extract<HistoryExport, { ok: false }>, guildId: string): UserError {
  if (result.problem === 'unknown-guild') return UserError.fromCatalogue('selfAdmin.unknownGuild', { guildId });
  if (result.problem === 'bad-code')
    return UserError.fromCatalogue('selfAdmin.badCode', { code: result.code ?? '', reason: result.why ?? '' });
  return UserError.fromCatalogue('selfAdmin.unknownCode', { code: result.code ?? '' });
}
