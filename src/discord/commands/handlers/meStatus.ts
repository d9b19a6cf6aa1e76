import type { APIEmbed } from 'discord.js';
import { t, textOr } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';

/** How many recent codes `/me status` lists. */
const RECENT_CODES = 10;

/**
 * `/me status`: the linked player, its alliance and state, its recent results, and what to do about a failure, in
 * `lang` (the member's).
 */
export async function memberStatusEmbed(
  ctx: BotContext,
  guildId: string,
  userId: string,
  lang: Language,
): Promise<APIEmbed> {
  const { store } = ctx.app;
  const link = await store.memberLinks.forUser(guildId, userId);
  if (!link) return { description: t(lang, 'me.notLinked'), color: COLORS.info };
  const member = await store.members.get(guildId, link.fid);
  const alliance = member ? await store.alliances.get(member.allianceId) : null;
  const rows = await store.history.forPlayer(link.game, link.fid, RECENT_CODES);
  const failures = [...new Set(rows.filter((r) => r.status === 'failed' && r.reason).map((r) => r.reason!))];
  if (member?.stateStatus === 'wrong' && !failures.includes('wrong-state')) failures.push('wrong-state');
  // Only the reasons the catalogue knows have something to do about them.
  const fixes = failures.map((reason) => textOr(lang, `failure.${reason}.fix`, '')).filter((fix) => fix !== '');
  const fields = [
    { name: t(lang, 'meStatus.player'), value: member?.name ? `${member.name} (${link.fid})` : link.fid, inline: true },
    { name: t(lang, 'meStatus.alliance'), value: alliance?.name ?? t(lang, 'meStatus.notOnRoster'), inline: true },
    {
      name: t(lang, 'meStatus.state'),
      value: member ? stateValue(lang, member.state, member.stateStatus) : '—',
      inline: true,
    },
    { name: t(lang, 'meStatus.notify'), value: notifyValue(lang, link.notify, link.dmClosedAt !== null), inline: true },
    {
      name: t(lang, 'meStatus.recent'),
      value:
        rows.length === 0
          ? t(lang, 'meStatus.none')
          : rows
              .map((r) => resultLine(lang, r.code, r.status, r.reason))
              .join('\n')
              .slice(0, 1024),
    },
  ];
  if (fixes.length > 0)
    fields.push({ name: t(lang, 'meStatus.nextSteps'), value: fixes.join('\n').slice(0, 1024), inline: false });
  const hadFailure = rows.some((r) => r.status === 'failed' && r.reason);
  return { title: t(lang, 'meStatus.title'), color: hadFailure ? COLORS.warning : COLORS.success, fields };
}

function stateValue(lang: Language, state: number | null, status: string): string {
  if (state === null) return t(lang, 'meStatus.stateUnknown');
  return status === 'wrong' ? t(lang, 'meStatus.stateRefused', { state }) : String(state);
}

function notifyValue(lang: Language, on: boolean, closed: boolean): string {
  return t(lang, !on ? 'meStatus.notifyOff' : closed ? 'meStatus.notifyClosed' : 'meStatus.notifyOn');
}

/** One recent code: the game's reason in words when the catalogue knows it, else the reason code itself. */
function resultLine(lang: Language, code: string, status: string, reason: string | null): string {
  if (status === 'success') return t(lang, 'meStatus.lineSuccess', { code });
  if (status === 'already') return t(lang, 'meStatus.lineAlready', { code });
  if (status === 'failed')
    return reason === null
      ? t(lang, 'meStatus.lineFailedUnknown', { code })
      : t(lang, 'meStatus.lineFailed', { code, what: textOr(lang, `failure.${reason}.what`, reason) });
  return t(lang, 'meStatus.linePending', { code });
}
