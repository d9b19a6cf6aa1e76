import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { searchWhyText } from '../../embeds/stateDiscoveryEmbed.ts';
import { EVENTS } from '../../../log/events.ts';
import { linkPlayer, type LinkResult, type SelfServiceDeps } from '../../../selfService/linkPlayer.ts';
import { searchMemberState } from '../../../selfService/searchMemberState.ts';
import { t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { postLanguage } from '../../postLanguage.ts';
import { replyPrivately } from '../../respond.ts';
import { sendableChannelOf } from '../../runs/resultsChannel.ts';
import { selfJoinButtonId } from '../../selfJoinIds.ts';
import { sendDirectMessage } from '../../selfService/sendDirectMessage.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { catchUp } from './memberCatchUp.ts';
import { memberStatusEmbed } from './meStatus.ts';

type Interaction = Parameters<CommandHandler>[0];

/** `/me link|status|notify|unlink`: every member, for themselves; every answer is private. */
export const handleMe: CommandHandler = async (interaction, _guild, ctx) => {
  const { store } = ctx.app;
  const { guildId } = interaction;
  const userId = interaction.user.id;
  const lang = replyLanguage(interaction);
  switch (interaction.options.getSubcommand()) {
    case 'link':
      return link(interaction, ctx);
    case 'status':
      // A linked member's DMs follow the language their Discord speaks now.
      await store.memberLinks.rememberLocale(guildId, userId, interaction.locale);
      await interaction.reply({
        embeds: [await memberStatusEmbed(ctx, guildId, userId, lang)],
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'notify': {
      const on = interaction.options.getString('mode', true) === 'on';
      await store.memberLinks.rememberLocale(guildId, userId, interaction.locale);
      const updated = await store.memberLinks.setNotify(guildId, userId, on);
      await replyPrivately(interaction, t(lang, updated ? (on ? 'me.notifyOn' : 'me.notifyOff') : 'me.notLinked'));
      return;
    }
    case 'unlink': {
      const removed = await store.memberLinks.unlinkUser(guildId, userId);
      if (removed)
        ctx.log.info({ event: EVENTS.selfServiceUnlinked, guildId, userId, fid: removed.fid, by: 'self' }, 'unlinked');
      await replyPrivately(
        interaction,
        removed ? t(lang, 'me.unlinked', { fid: removed.fid }) : t(lang, 'me.notLinked'),
      );
      return;
    }
  }
};

export function selfServiceDeps(ctx: BotContext): SelfServiceDeps {
  const { app } = ctx;
  return {
    store: app.store,
    client: app.client,
    budgetFor: (game) => app.budgetFor(game),
    spacing: app.spacing,
    log: ctx.log,
    activeRuns: app.activeRuns,
    shutdownSignal: app.shutdownSignal,
    limiter: ctx.selfService.limiter,
  };
}

async function link(interaction: Interaction, ctx: BotContext): Promise<void> {
  // The check with the game waits behind any redemption: answer Discord first.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const lang = replyLanguage(interaction);
  const result = await linkPlayer(selfServiceDeps(ctx), {
    guildId: interaction.guildId,
    userId: interaction.user.id,
    fid: interaction.options.getString('fid', true).trim(),
    state: interaction.options.getInteger('state'),
    allianceName: interaction.options.getString('alliance'),
    lang,
    locale: interaction.locale,
  });
  // The check may have waited behind a long redemption run: past Discord's 15 minutes the reply cannot be edited any
  // more, and the member is answered by DM instead.
  const tell = (content: string): Promise<void> =>
    (Date.now() - interaction.createdTimestamp < INTERACTION_LIFETIME_MS
      ? interaction.followUp({ content, flags: MessageFlags.Ephemeral }).then(() => undefined)
      : Promise.reject(new Error('the interaction expired'))
    ).catch(() => sendDirectMessage(ctx.client, interaction.user.id, content).then(() => undefined));
  const answer = (content: string): Promise<void> =>
    interaction
      .editReply({ content })
      .then(() => undefined)
      .catch((error: unknown) => {
        ctx.log.warn(
          { event: EVENTS.discordPostFailed, guildId: interaction.guildId, userId: interaction.user.id, err: error },
          'could not answer /me link in Discord: answering by DM',
        );
        return sendDirectMessage(ctx.client, interaction.user.id, content).then(() => undefined);
      });
  switch (result.kind) {
    case 'refused':
      return answer(result.text);
    case 'linked':
      return answer(result.text + (result.catchUp ? catchUp(ctx, result.alliance, [result.member.fid], lang) : ''));
    case 'needs-approval':
      return answer(await askApproval(ctx, interaction.user.id, result, lang, interaction.locale));
    case 'search-state':
      await answer(result.text);
      void tellSearchResult(ctx, interaction.guildId, result.fid, lang, tell);
      return;
  }
}

/** Discord lets an interaction's token be used for 15 minutes; a little margin. */
const INTERACTION_LIFETIME_MS = 14 * 60_000;

/** Runs the state search for one linked player and tells the member how it ended, in `lang` (theirs). */
export async function tellSearchResult(
  ctx: BotContext,
  guildId: string,
  fid: string,
  lang: Language,
  tell: (content: string) => Promise<void>,
): Promise<void> {
  try {
    const found = await searchMemberState(
      { stateDiscovery: ctx.app.stateDiscovery, log: ctx.log, shutdownSignal: ctx.app.shutdownSignal },
      guildId,
      fid,
    );
    await tell(
      found.found
        ? t(lang, 'me.stateFound', { fid, state: found.state })
        : t(lang, 'me.stateNotFound', { fid, why: searchWhyText(lang, found) }),
    );
  } catch (error) {
    ctx.log.warn(
      { event: EVENTS.discordPostFailed, guildId, fid, err: error },
      'could not tell a member how the state search ended',
    );
  }
}

/**
 * Posts the request in the alliance's results channel with Approve / Reject, in the channel's language; returns the
 * member's answer in `lang`. The member's `locale` goes with the request, for the DM about the decision.
 */
async function askApproval(
  ctx: BotContext,
  userId: string,
  request: Extract<LinkResult, { kind: 'needs-approval' }>,
  lang: Language,
  locale: string,
): Promise<string> {
  const { alliance, fid, state, triedState } = request;
  const channel = alliance.resultChannelId
    ? await sendableChannelOf(ctx.client, alliance.guildId, alliance.resultChannelId)
    : null;
  if (!channel) return t(lang, 'me.approvalNoChannel', { alliance: alliance.name });
  const action = { allianceId: alliance.id, fid, userId, state, triedState, locale };
  const post = postLanguage(ctx.client, alliance.guildId, alliance);
  await channel.send({
    embeds: [
      {
        title: t(post, 'approval.title', { alliance: alliance.name }),
        description:
          state !== null
            ? t(post, 'approval.body', { userId, fid, state })
            : t(post, 'approval.bodyStateUnknown', { userId, fid }),
        color: COLORS.info,
      },
    ],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Success,
            label: t(post, 'approval.approveButton'),
            custom_id: selfJoinButtonId({ ...action, approve: true }),
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: t(post, 'approval.rejectButton'),
            custom_id: selfJoinButtonId({ ...action, approve: false }),
          },
        ],
      },
    ],
    allowedMentions: { parse: [] },
  });
  ctx.log.info(
    { event: EVENTS.selfServiceApproval, guildId: alliance.guildId, allianceId: alliance.id, userId, fid, state },
    'join request posted for approval',
  );
  const vars = { fid, alliance: alliance.name };
  if (state !== null) return t(lang, 'me.askedApproval', vars);
  return triedState === null
    ? t(lang, 'me.askedApprovalStateUnknown', vars)
    : t(lang, 'me.askedApprovalStateWrong', { ...vars, tried: triedState });
}
