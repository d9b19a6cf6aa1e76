import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { t } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';
import type { GuildRecord } from '../store/types.ts';

/**
 * Whether the member may use giftbot here: Manage Server, or the server's admin role (it covers every alliance). Checked in the handler for
 * every command and button, because Discord's `default_member_permissions` only hides commands (a server can
 * override it) and buttons are not covered by it at all.
 */
export function isGiftbotAdmin(interaction: Interaction, guild: GuildRecord | null): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const roleId = guild?.adminRoleId;
  if (!roleId) return false;
  const roles = interaction.member.roles;
  return Array.isArray(roles) ? roles.includes(roleId) : roles.cache.has(roleId);
}

/** The answer to a member who may not use giftbot, in their language (`replyLanguage(interaction)`). */
export function refusalText(guild: GuildRecord | null, lang: Language = 'en'): string {
  return guild?.adminRoleId ? t(lang, 'access.refusalRole', { role: guild.adminRoleId }) : t(lang, 'access.refusal');
}
