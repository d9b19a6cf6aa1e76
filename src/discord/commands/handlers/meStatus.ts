import type { APIEmbed } from 'discord.js';
import { FAILURE_TEXT, SELF_SERVICE_TEXT, STATUS_TEXT as S } from '../../../selfService/texts.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';

/** How many recent codes `/me status` lists. */
const RECENT_CODES = 10;

/** `/me status`: the linked player, its alliance and state, its recent results, and what to do about a failure. */
export async function memberStatusEmbed(ctx: BotContext, guildId: string, userId: string): Promise<APIEmbed> {
  const { store } = ctx.app;
  const link = await store.memberLinks.forUser(guildId, userId);
  if (!link) return { description: SELF_SERVICE_TEXT.notLinked, color: COLORS.info };
  const member = await store.members.get(guildId, link.fid);
  const alliance = member ? await store.alliances.get(member.allianceId) : null;
  const rows = await store.history.forPlayer(link.game, link.fid, RECENT_CODES);
  const failures = [...new Set(rows.filter((r) => r.status === 'failed' && r.reason).map((r) => r.reason!))];
  const fixes = failures.map((reason) => FAILURE_TEXT[reason]?.fix).filter((fix): fix is string => !!fix);
  if (member?.stateStatus === 'wrong' && !failures.includes('wrong-state'))
    fixes.push(FAILURE_TEXT['wrong-state']!.fix);
  const fields = [
    { name: S.player, value: member?.name ? `${member.name} (${link.fid})` : link.fid, inline: true },
    { name: S.alliance, value: alliance?.name ?? S.notOnRoster, inline: true },
    { name: S.state, value: member ? S.stateValue(member.state, member.stateStatus) : '—', inline: true },
    { name: S.notify, value: S.notifyValue(link.notify, link.dmClosedAt !== null), inline: true },
    {
      name: S.recent,
      value:
        rows.length === 0
          ? S.none
          : rows
              .map((r) => S.line(r.code, r.status, r.reason))
              .join('\n')
              .slice(0, 1024),
    },
  ];
  if (fixes.length > 0) fields.push({ name: S.nextSteps, value: fixes.join('\n').slice(0, 1024), inline: false });
  return { title: S.title, color: failures.length > 0 ? COLORS.warning : COLORS.success, fields };
}
