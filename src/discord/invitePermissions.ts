import { PermissionFlagsBits, PermissionsBitField, type PermissionsString } from 'discord.js';

/**
 * What the bot needs in a server, and why: the invite URL asks for exactly these. Named flags, not a number, so a
 * missing one is visible in review (the old hand-written 84032 lacked View Channels).
 */
export const INVITE_PERMISSIONS: Readonly<Partial<Record<PermissionsString, string>>> = {
  ViewChannel: 'see the results channel and the codes channel at all',
  SendMessages: 'post run progress and summaries in the results channel',
  EmbedLinks: 'show progress and summaries as embeds',
  AddReactions: 'react ✅/❌ to a code posted in the codes channel',
  ReadMessageHistory: 'react to a posted message (Discord requires it for reactions)',
};

/** The permissions integer of the invite URL. */
export function invitePermissions(): bigint {
  return Object.keys(INVITE_PERMISSIONS).reduce(
    (bits, name) => bits | PermissionFlagsBits[name as PermissionsString],
    0n,
  );
}

/** The URL that adds the bot to a server with its slash commands and exactly the permissions above. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: String(invitePermissions()),
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}

/** The names of the permissions in a permissions integer (to check an invite URL). */
export function permissionNames(bits: bigint): PermissionsString[] {
  return new PermissionsBitField(bits).toArray();
}
