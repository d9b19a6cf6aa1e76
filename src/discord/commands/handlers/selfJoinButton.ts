import { EVENTS } from '../../../log/events.ts';
import { admit } from '../../../selfService/linkPlayer.ts';
import { SELF_SERVICE_TEXT as T } from '../../../selfService/texts.ts';
import type { SelfJoinAction } from '../../selfJoinIds.ts';
import { sendDirectMessage } from '../../selfService/sendDirectMessage.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler } from '../commandHandler.ts';
import { catchUp } from './memberCatchUp.ts';
import { tellSearchResult } from './me.ts';

/**
 * Approve / Reject under a `/me link` request. The router has checked the presser is an admin of this server; the
 * alliance must be one of this server's. The member hears the decision by DM (best effort).
 */
export const handleSelfJoinButton: ButtonHandler<SelfJoinAction> = async (interaction, action, _guild, ctx) => {
  const { store } = ctx.app;
  const alliance = await store.alliances.get(action.allianceId);
  if (!alliance || alliance.guildId !== interaction.guildId) throw new UserError(T.approvalStale);
  const { fid, userId } = action;
  const adminId = interaction.user.id;
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
    await interaction.update({ content: T.rejectedPost(userId, fid, adminId), embeds: [], components: [] });
    await dm(T.rejectedDm(fid, alliance.name));
    return;
  }
  const result = await admit(
    { store, log: ctx.log },
    { alliance, fid, userId, state: action.state, triedState: action.triedState },
  );
  if (result.kind === 'refused') throw new UserError(result.text);
  await interaction.update({
    content: T.approvedPost(userId, fid, adminId),
    embeds: [],
    components: [],
    allowedMentions: { parse: [] },
  });
  await dm(T.approvedDm(fid, alliance.name));
  if (result.kind === 'linked' && result.catchUp) catchUp(ctx, alliance, [fid]);
  if (result.kind === 'search-state') void tellSearchResult(ctx, alliance.guildId, fid, dm);
};
