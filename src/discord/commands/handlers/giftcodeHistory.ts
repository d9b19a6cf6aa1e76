import { AttachmentBuilder, MessageFlags } from 'discord.js';
import { exportHistory } from '../../../history/exportHistory.ts';
import { EVENTS } from '../../../log/events.ts';
import { ADMIN_SELF_SERVICE_TEXT as A } from '../../../selfService/texts.ts';
import type { BotContext } from '../../botContext.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

/** `/giftcode history [code:]` (admin): the server's history (or one code's) as a CSV attachment, privately. */
export async function historyAttachment(interaction: Parameters<CommandHandler>[0], ctx: BotContext): Promise<void> {
  const code = interaction.options.getString('code');
  const result = await exportHistory(ctx.app.store, interaction.guildId, code);
  if (!result.ok) throw new UserError(result.message);
  ctx.log.info(
    { event: EVENTS.historyExported, guildId: interaction.guildId, code, rows: result.rows.length, via: 'discord' },
    'history exported',
  );
  await interaction.reply({
    content: result.rows.length === 0 ? A.historyEmpty : A.historyRows(result.rows.length, code?.trim() ?? null),
    files: [new AttachmentBuilder(Buffer.from(result.csv, 'utf8'), { name: result.filename })],
    flags: MessageFlags.Ephemeral,
  });
}
