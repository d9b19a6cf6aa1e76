// Guild-level permission computation (channel overwrites are not modelled by the fake).
import { PermissionFlagsBits } from 'discord-api-types/v10';

export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

const P = PermissionFlagsBits;

/** What @everyone gets in a new guild (a realistic subset of Discord's default). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  P.ViewChannel |
  P.CreateInstantInvite |
  P.ChangeNickname |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseExternalEmojis |
  P.UseExternalStickers |
  P.ReadMessageHistory |
  P.UseApplicationCommands |
  P.Connect |
  P.Speak |
  P.Stream |
  P.UseVAD;

/** The bot's managed role unless `botPermissions` is given: what a typical invite URL grants. */
export const DEFAULT_BOT_PERMISSIONS: bigint =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseExternalEmojis |
  P.ReadMessageHistory |
  P.ManageMessages;

/** Discord's base-permission rule: owner → all; @everyone | roles; Administrator → all. */
export function basePermissions(input: {
  userId: string;
  ownerId: string;
  everyone: bigint;
  rolePermissions: bigint[];
}): bigint {
  if (input.userId === input.ownerId) return ALL_PERMISSIONS;
  let perms = input.everyone;
  for (const p of input.rolePermissions) perms |= p;
  if ((perms & P.Administrator) === P.Administrator) return ALL_PERMISSIONS;
  return perms;
}
