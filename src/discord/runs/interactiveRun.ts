import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { t } from '../../i18n/i18n.ts';
import type { Language } from '../../i18n/languages.ts';
import { replyLanguage } from '../../i18n/locale.ts';
import { EVENTS } from '../../log/events.ts';
import type { RunProgress } from '../../redeem/runSummary.ts';
import type { Game } from '../../game/games.ts';
import type { AllianceRecord } from '../../store/types.ts';
import type { BotContext } from '../botContext.ts';
import { COLORS } from '../embeds/colors.ts';
import { progressEmbed, triggerText } from '../embeds/progressEmbed.ts';
import { whySentence } from '../embeds/runSentence.ts';
import { summaryView } from '../embeds/summaryEmbed.ts';
import { replyPrivately } from '../respond.ts';
import { createProgressView } from './progressView.ts';
import { resultsChannel } from './resultsChannel.ts';
import type { GiftCode } from '../../game/giftCode.ts';

export interface InteractiveRun {
  guildId: string;
  /** The code's game (resolved by the command: named, or the only game of the server's alliances). */
  game: Game;
  /** The alliances the run covers. */
  alliances: readonly AllianceRecord[];
  /** The admin named these alliances (else: every alliance of the game, resolved again by the engine). */
  named: boolean;
  /** The summary is this alliance's alone in a server with several: its retry button retries that alliance. */
  scopeAllianceId?: number;
  /** Normalised already. */
  code: GiftCode;
  fids?: readonly string[];
  trigger: 'manual' | 'retry';
}

/**
 * Runs a code for the alliance in front of the admin: deferred reply, live progress, final summary with a "Retry
 * failed" button. When the code is already running for this server, answers at once (only to this member) where to
 * watch it, and starts nothing.
 *
 * Call it after every check that awaits: the look-up and the claim below happen with no await between them.
 */
export async function runInInteraction(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  run: InteractiveRun,
): Promise<void> {
  const { guildId, code } = run;
  // Every answer here is to the person who pressed or typed: in their Discord language.
  const lang = replyLanguage(interaction);
  const allianceIds = run.alliances.map((alliance) => alliance.id);
  const options = {
    trigger: run.trigger,
    game: run.game,
    ...(run.named ? { allianceIds } : {}),
    ...(run.fids ? { fids: run.fids } : {}),
  };
  // The code runs for other alliances of the server: the engine queues these alliances for right after.
  const active = ctx.app.activeRuns.list().find((a) => a.guildId === guildId && a.code === code);
  if (active && allianceIds.some((id) => !active.allianceIds.includes(id))) {
    const queued = await ctx.app.engine.processAutoRedeem(guildId, code, options);
    await replyPrivately(interaction, whySentence(queued, lang));
    return;
  }
  const busy = alreadyRunningText(ctx, guildId, code, lang);
  const live = busy
    ? null
    : ctx.liveRuns.claim({ guildId, code, trigger: run.trigger, channelId: interaction.channelId });
  if (!live) {
    await replyPrivately(interaction, busy ?? t(lang, 'redeemReply.alreadyHere', { code }));
    return;
  }
  const context = { guildId, code, trigger: run.trigger, userId: interaction.user.id };
  try {
    await interaction.deferReply();
    let startedAt = Date.now();
    const view = createProgressView({
      log: ctx.log,
      intervalMs: ctx.settings.progressIntervalMs,
      interaction,
      handoffAfterMs: ctx.settings.interactionHandoffMs,
      channel: async () =>
        (await resultsChannel(ctx.client, ctx.app.store, guildId, undefined, allianceIds)) ??
        (interaction.channel?.isSendable() ? interaction.channel : null),
      onWhere: (url, channelId) => Object.assign(live, { url, channelId }),
      context,
      lang,
    });
    const meta = () => ({ code, trigger: run.trigger, startedAt });
    const summary = await ctx.app.engine.processAutoRedeem(guildId, code, {
      ...options,
      onStart: (info) => {
        startedAt = Date.now();
        const first: RunProgress = {
          runId: info.runId,
          total: info.total,
          processed: 0,
          success: 0,
          already: 0,
          failed: 0,
          retrying: 0,
        };
        view.update(() => ({ embeds: [progressEmbed(first, meta(), lang)], components: [] }));
      },
      onProgress: (progress) =>
        view.update(() => ({ embeds: [progressEmbed(progress, meta(), lang)], components: [] })),
    });
    if (summary.status === 'duplicate') {
      // Another process (or an automatic run that won the race) holds the code: tell only this member.
      await view.cancel();
      await replyPrivately(interaction, whySentence(summary, lang));
      return;
    }
    await view.finish(
      summaryView(summary, lang, run.scopeAllianceId !== undefined ? { allianceId: run.scopeAllianceId } : {}),
    );
    if (summary.status === 'failed' || summary.status === 'config-error')
      ctx.recentErrors.add(guildId, `${code}: ${summary.message}`);
  } catch (error) {
    ctx.log.error({ event: EVENTS.discordCommandFailed, ...context, err: error }, 'redeem from Discord failed');
    ctx.recentErrors.add(guildId, `${code}: ${error instanceof Error ? error.message : String(error)}`);
    await interaction
      .editReply({
        embeds: [
          {
            color: COLORS.error,
            title: t(lang, 'errors.runCrashedTitle', { code }),
            description: t(lang, 'errors.runCrashed'),
          },
        ],
        components: [],
      })
      .catch(() => undefined);
  } finally {
    ctx.liveRuns.release(live);
  }
}

/** The answer to a trigger for a code this server is already redeeming, or null when it is not running. */
export function alreadyRunningText(ctx: BotContext, guildId: string, code: string, lang: Language): string | null {
  const live = ctx.liveRuns.get(guildId, code);
  const active = ctx.app.activeRuns.list().find((run) => run.guildId === guildId && run.code === code);
  if (!live && !active) return null;
  const trigger = live?.trigger ?? active?.trigger ?? '';
  const progress =
    active && active.progress.total > 0
      ? t(lang, 'redeemReply.alreadyProgress', { processed: active.progress.processed, total: active.progress.total })
      : '';
  return t(lang, 'redeemReply.alreadyRunning', {
    code,
    trigger: triggerText(trigger, lang),
    progress,
    where: whereToWatch(live, lang),
  });
}

function whereToWatch(
  live: { url: string | null; channelId: string | null } | undefined | null,
  lang: Language,
): string {
  if (live?.url) return t(lang, 'redeemReply.followHere', { url: live.url });
  if (live?.channelId) return t(lang, 'redeemReply.shownIn', { channel: live.channelId });
  return '';
}
