import type { Language } from '../../../i18n/languages.ts';
import { t } from '../../../i18n/i18n.ts';
import { EVENTS } from '../../../log/events.ts';
import type { AllianceRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';

/**
 * New (or re-stated) members get the codes still valid for the game, in the background (auto-redeem alliances only;
 * the runs show in the results channel). Returns a sentence for the answer (with its leading space), in `lang`.
 */
export function catchUp(
  ctx: BotContext,
  alliance: AllianceRecord,
  fids: readonly string[],
  lang: Language = 'en',
): string {
  if (!alliance.autoRedeem || fids.length === 0) return '';
  void ctx.discovery.catchUpMembers(alliance.guildId, fids).catch((error: unknown) => {
    ctx.log.error(
      { event: EVENTS.discordCommandFailed, guildId: alliance.guildId, command: 'member catch-up', err: error },
      'catch-up for new members failed',
    );
  });
  return ` ${
    alliance.resultChannelId
      ? t(lang, 'members.catchUpIn', { channel: alliance.resultChannelId })
      : t(lang, 'members.catchUp')
  }`;
}
