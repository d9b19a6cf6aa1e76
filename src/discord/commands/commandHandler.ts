import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { GuildRecord } from '../../store/types.ts';
import type { BotContext } from '../botContext.ts';

/**
 * A slash command's behaviour. The router has already checked the member may use giftbot here and passes this
 * server's record (null when it has none yet); everything is scoped by `interaction.guildId`. A command on one
 * alliance finds it with resolveAlliance (handlers/resolveAlliance.ts) from its `alliance:` option.
 */
export type CommandHandler = (
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  guild: GuildRecord | null,
  ctx: BotContext,
) => Promise<void>;

export type ButtonHandler<A> = (
  interaction: ButtonInteraction<'cached' | 'raw'>,
  action: A,
  guild: GuildRecord | null,
  ctx: BotContext,
) => Promise<void>;
