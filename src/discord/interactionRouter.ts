import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, Interaction } from 'discord.js';
import { t } from '../i18n/i18n.ts';
import { replyLanguage } from '../i18n/locale.ts';
import { EVENTS } from '../log/events.ts';
import type { GuildRecord } from '../store/types.ts';
import { isGiftbotAdmin, refusalText } from './adminCheck.ts';
import type { BotContext } from './botContext.ts';
import { answerAutocomplete } from './commands/allianceAutocomplete.ts';
import { COMMAND_HANDLERS } from './commands/commandHandlers.ts';
import { handleAllianceRemoveButton } from './commands/handlers/allianceRemove.ts';
import { handleMembersPage } from './commands/handlers/member.ts';
import { handleRetryButton } from './commands/handlers/retryButton.ts';
import { handleSelfJoinButton } from './commands/handlers/selfJoinButton.ts';
import { parseButtonId } from './customIds.ts';
import { replyPrivately } from './respond.ts';
import { parseSelfJoinId } from './selfJoinIds.ts';
import { UserError } from './userError.ts';

/**
 * The one entry point for slash commands and buttons: checks the member may use giftbot in this server (before
 * anything runs), dispatches, and turns errors into answers — a user mistake gets its message, anything else a
 * logged generic apology.
 */
export function createInteractionRouter(ctx: BotContext): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    if (interaction.isAutocomplete()) return autocomplete(interaction, ctx);
    if (!interaction.isChatInputCommand() && !interaction.isButton()) return;
    const started = performance.now();
    const what = interaction.isChatInputCommand() ? describeCommand(interaction) : `button ${interaction.customId}`;
    const context = { guildId: interaction.guildId, userId: interaction.user.id, command: what };
    try {
      if (!interaction.inGuild()) throw UserError.fromCatalogue('errors.notInServer');
      const guild = await ctx.app.store.guilds.get(interaction.guildId);
      // `/me` is every member's own (its handler scopes everything to the member); everything else is for admins.
      const selfService = interaction.isChatInputCommand() && interaction.commandName === 'me';
      if (!selfService && !isGiftbotAdmin(interaction, guild)) {
        ctx.log.warn(
          { event: EVENTS.discordCommandRefused, ...context },
          'command refused: the member may not use giftbot here',
        );
        await replyPrivately(interaction, refusalText(guild, replyLanguage(interaction)));
        return;
      }
      if (interaction.isChatInputCommand()) await dispatchCommand(interaction, guild, ctx);
      else await dispatchButton(interaction, guild, ctx);
      ctx.log.info(
        { event: EVENTS.discordCommand, ...context, durationMs: Math.round(performance.now() - started) },
        'command handled',
      );
    } catch (error) {
      if (error instanceof UserError) {
        ctx.log.info(
          {
            event: EVENTS.discordCommand,
            ...context,
            userError: error.message,
            durationMs: Math.round(performance.now() - started),
          },
          'command answered with a user error',
        );
        // The log keeps the English `message`; the member reads it in their own language.
        await replyPrivately(interaction, error.messageIn(replyLanguage(interaction))).catch((replyError: unknown) =>
          logReplyFailure(ctx, context, replyError),
        );
        return;
      }
      ctx.log.error({ event: EVENTS.discordCommandFailed, ...context, err: error }, 'command failed');
      if (interaction.guildId)
        ctx.recentErrors.add(interaction.guildId, `${what}: ${error instanceof Error ? error.message : String(error)}`);
      await replyPrivately(interaction, t(replyLanguage(interaction), 'errors.apology')).catch((replyError: unknown) =>
        logReplyFailure(ctx, context, replyError),
      );
    }
  };
}

async function dispatchCommand(
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  guild: GuildRecord | null,
  ctx: BotContext,
): Promise<void> {
  const handler = COMMAND_HANDLERS[interaction.commandName];
  if (!handler) throw UserError.fromCatalogue('errors.unknownCommand', { command: interaction.commandName });
  await handler(interaction, guild, ctx);
}

async function dispatchButton(
  interaction: ButtonInteraction<'cached' | 'raw'>,
  guild: GuildRecord | null,
  ctx: BotContext,
): Promise<void> {
  const join = parseSelfJoinId(interaction.customId);
  if (join) return handleSelfJoinButton(interaction, join, guild, ctx);
  const action = parseButtonId(interaction.customId);
  if (!action) throw UserError.fromCatalogue('errors.buttonGone');
  if (action.kind === 'retry') await handleRetryButton(interaction, action, guild, ctx);
  else if (action.kind === 'alliance-remove') await handleAllianceRemoveButton(interaction, action, guild, ctx);
  else await handleMembersPage(interaction, action, guild, ctx);
}

/**
 * Suggestions while a member types an `alliance:` option. Alliance names are giftbot data: a member who may not use
 * giftbot here gets none. Never an error message: an autocomplete can only answer with choices.
 */
async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  try {
    const guild = interaction.inGuild() ? await ctx.app.store.guilds.get(interaction.guildId) : null;
    // `/me` is for every member, who must be able to pick their alliance; every other command is for admins.
    const selfService = interaction.commandName === 'me';
    if (!interaction.inGuild() || (!selfService && !isGiftbotAdmin(interaction, guild))) {
      await interaction.respond([]);
      return;
    }
    await answerAutocomplete(interaction, ctx.app.store);
  } catch (error) {
    ctx.log.warn(
      {
        event: EVENTS.discordPostFailed,
        guildId: interaction.guildId,
        command: `/${interaction.commandName}`,
        err: error,
      },
      'could not answer an autocomplete',
    );
  }
}

function describeCommand(interaction: ChatInputCommandInteraction): string {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  return ['/' + interaction.commandName, group, sub].filter(Boolean).join(' ');
}

function logReplyFailure(ctx: BotContext, context: Record<string, unknown>, error: unknown): void {
  ctx.log.warn({ event: EVENTS.discordPostFailed, ...context, err: error }, 'could not answer the interaction');
}
