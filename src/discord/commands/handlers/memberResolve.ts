import { t } from '../../../i18n/i18n.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { MemberDiscovery } from '../../../members/discoverySummary.ts';
import type { BotContext } from '../../botContext.ts';
import { stateSearchProgressEmbed, stateSearchSummaryEmbed } from '../../embeds/stateDiscoveryEmbed.ts';
import { replyPrivately } from '../../respond.ts';
import { createProgressView } from '../../runs/progressView.ts';
import { sendableChannelOf } from '../../runs/resultsChannel.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

/**
 * `/member resolve [fid] [restart]` — state discovery for members whose state is unknown or was refused: a long job
 * (one call per state tried, behind redemptions), shown live like a run and summed up at the end.
 */
export async function resolveStates(
  interaction: Parameters<CommandHandler>[0],
  guildId: string,
  fid: string | null,
  ctx: BotContext,
): Promise<void> {
  const { store, stateDiscovery } = ctx.app;
  // The search covers the server's whole roster (every alliance): a state is about the player, not the alliance.
  const roster = await store.members.list(guildId);
  if (fid !== null) {
    const member = roster.find((m) => m.fid === fid);
    if (!member) throw UserError.fromCatalogue('members.notOnRoster', { fid });
    if (member.state !== null && member.stateStatus === 'ok')
      throw UserError.fromCatalogue('members.resolve.known', { fid, state: member.state });
  }
  const targets = roster.filter((m) => (m.state === null || m.stateStatus !== 'ok') && (fid === null || m.fid === fid));
  if (targets.length === 0) throw UserError.fromCatalogue('members.resolve.allKnown');
  if (stateDiscovery.isRunning(guildId)) throw UserError.fromCatalogue('members.resolve.running');

  await interaction.deferReply();
  const lang = replyLanguage(interaction);
  const startedAt = Date.now();
  const done: MemberDiscovery[] = [];
  const view = createProgressView({
    log: ctx.log,
    intervalMs: ctx.settings.progressIntervalMs,
    interaction,
    lang,
    handoffAfterMs: ctx.settings.interactionHandoffMs,
    channel: async () =>
      (await firstResultsChannel(ctx, guildId)) ?? (interaction.channel?.isSendable() ? interaction.channel : null),
    context: { guildId, command: '/member resolve' },
  });
  const render = () => ({ embeds: [stateSearchProgressEmbed(done, targets.length, startedAt, lang)], components: [] });
  view.update(render);
  const summary = await stateDiscovery.resolve(guildId, {
    ...(fid !== null ? { fids: [fid] } : {}),
    restart: interaction.options.getBoolean('restart') ?? false,
    onMember: (member) => {
      done.push(member);
      view.update(render);
    },
  });
  if (summary.status === 'already-running') {
    await view.cancel();
    // The engine's message is this sentence in English; the member reads it in their language.
    await replyPrivately(interaction, t(replyLanguage(interaction), 'members.resolve.running'));
    return;
  }
  await view.finish({ embeds: [stateSearchSummaryEmbed(summary, lang)], components: [] });
}

/** Where a long search moves once the interaction expires: the first results channel among the server's alliances. */
async function firstResultsChannel(ctx: BotContext, guildId: string) {
  const alliances = await ctx.app.store.alliances.list({ guildId });
  const channelId = alliances.find((a) => a.resultChannelId)?.resultChannelId;
  return channelId ? sendableChannelOf(ctx.client, guildId, channelId) : null;
}
