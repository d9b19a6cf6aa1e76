import { PermissionFlagsBits, type Interaction } from 'discord.js';
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

export function refusalText(guild: GuildRecord | null): string {
  return guild?.adminRoleId
    ? `Only members with **Manage Server** or the <@&${guild.adminRoleId}> role can use giftbot here. Nothing was done.`
    : 'Only members with **Manage Server** can use giftbot here. Nothing was done.';
}
