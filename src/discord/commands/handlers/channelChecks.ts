import { escapeMarkdown, PermissionFlagsBits, type GuildBasedChannel } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import type { AllianceRecord, Store } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { UserError } from '../../userError.ts';

const POST_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.EmbedLinks,
];

/** Refuses a channel the bot cannot post in (it would find out only when a run ends). */
export function checkCanPost(
  channel: { id: string } & Partial<Pick<GuildBasedChannel, 'permissionsFor'>>,
  ctx: BotContext,
): void {
  const me = ctx.client.user;
  if (!me || typeof channel.permissionsFor !== 'function') return;
  const permissions = channel.permissionsFor(me);
  if (permissions && !permissions.has(POST_PERMISSIONS)) {
    throw UserError.fromCatalogue('access.cannotPost', { channel: channel.id });
  }
}

/**
 * A codes channel tells the game of the codes posted in it by the alliances watching it: alliances of two games
 * cannot share one (a posted code would not say which game it is for).
 */
export async function checkCodesChannel(
  store: Pick<Store, 'alliances'>,
  alliance: AllianceRecord,
  channelId: string,
): Promise<void> {
  const other = (await store.alliances.list({ guildId: alliance.guildId, codesChannelId: channelId })).find(
    (a) => a.id !== alliance.id && a.game !== alliance.game,
  );
  if (other)
    throw UserError.fromCatalogue('access.codesChannelTaken', {
      channel: channelId,
      alliance: escapeMarkdown(other.name),
      otherGame: gameInfo(other.game).name,
      game: gameInfo(alliance.game).name,
    });
}
