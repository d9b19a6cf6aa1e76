import { InteractionContextType, PermissionFlagsBits } from 'discord.js';

/**
 * Every giftbot command changes or reveals an alliance's data, so Discord shows it only to members with Manage Server
 * and only inside servers. The handlers check again: Discord's hiding can be overridden by a server's settings.
 */
export const ADMIN_ONLY: { default_member_permissions: string; contexts: InteractionContextType[] } = {
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  contexts: [InteractionContextType.Guild],
};
