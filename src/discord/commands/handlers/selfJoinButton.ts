import { MessageFlags } from 'discord.js';
import { t } from '../../../i18n/i18n.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../../i18n/languages.ts';
import { memberLanguage, replyLanguage } from '../../../i18n/locale.ts';
import { EVENTS } from '../../../log/events.ts';
import { admit } from '../../../selfService/linkPlayer.ts';
import { postLanguage } from '../../postLanguage.ts';
import type { SelfJoinAction } from '../../selfJoinIds.ts';
import { sendDirectMessage } from '../../selfService/sendDirectMessage.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler } from '../commandHandler.ts';

type Interaction = Parameters<ButtonHandler<SelfJoinAction>>[0];
import { catchUp } from './memberCatchUp.ts';
import { tellSearchResult } from './me.ts';

/**
 * Approve / Reject under a `/me link` request. The router has checked the presser is an admin of this server; the
 * alliance must be one of this server's. The decision replaces the request in the channel's language; the member
 * hears it by DM (best effort) in the language of their /me link, which their link keeps.
 */
export const handleSelfJoinButton: ButtonHandler<SelfJoinAction> = async (interaction, action, _guild, ctx) => {
  const { store } = ctx.app;
  const alliance = await store.alliances.get(action.allianceId);
  if (!alliance || alliance.guildId !== interaction.guildId) throw UserError.fromCatalogue('approval.stale');
  const { fid, userId } = action;
  const adminId = interaction.user.id;
  const post = postLanguage(ctx.client, alliance.guildId, alliance);
  const member = memberLanguage(action.locale, DEFAULT_LANGUAGE);
  const presser = replyLanguage(interaction);
  const dm = (content: string) => sendDirectMessage(ctx.client, userId, content).then(() => undefined);
  ctx.log.info(
    {
      event: EVENTS.selfServiceApproval,
      guildId: alliance.guildId,
      allianceId: alliance.id,
      userId,
      fid,
      adminId,
      decision: action.approve ? 'approved' : 'rejected',
    },
    action.approve ? 'join request approved' : 'join request rejected',
  );
  if (!action.approve) {
    await interaction.update({
      content: t(post, 'approval.rejectedPost', { userId, fid, adminId }),
      embeds: [],
      components: [],
    });
    await tellPresser(interaction, presser, post, t(presser, 'approval.rejectedAnswer', { userId, fid }));
    await dm(t(member, 'dm.rejected', { fid, alliance: alliance.name }));
    return;
  }
  const result = await admit(
    { store, log: ctx.log },
    {
      alliance,
      fid,
      userId,
      state: action.state,
      triedState: action.triedState,
      // A refusal is the presser's answer: in their language.
      lang: presser,
      locale: action.locale,
    },
  );
  if (result.kind === 'refused') throw UserError.fromCatalogue(result.message.key, result.message.vars);
  await interaction.update({
    content: t(post, 'approval.approvedPost', { userId, fid, adminId }),
    embeds: [],
    components: [],
    allowedMentions: { parse: [] },
  });
  await tellPresser(
    interaction,
    presser,
    post,
    t(presser, 'approval.approvedAnswer', { userId, fid, alliance: alliance.name }),
  );
  await dm(t(member, 'dm.approved', { fid, alliance: alliance.name }));
  if (result.kind === 'linked' && result.catchUp) catchUp(ctx, alliance, [fid]);
  if (result.kind === 'search-state') void tellSearchResult(ctx, alliance.guildId, fid, member, dm);
};

/**
 * The decision replaced the request in the channel's language; an admin whose Discord speaks another one also reads
 * it privately in theirs (best effort: the decision is made either way).
 */
async function tellPresser(interaction: Interaction, presser: Language, post: Language, content: string) {
  if (presser === post) return;
  await interaction
    .followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
    .catch(() => undefined);
}
