import type { Client, SendableChannels } from 'discord.js';
import type { Store } from '../../store/types.ts';

/**
 * An alliance's results channel, if it is set, still exists, belongs to that server and the bot can post there.
 * Without `allianceId`: the channel of the server's only alliance, or of the first (in fan-out order) of those given
 * in `among` that has one.
 */
export async function resultsChannel(
  client: Client,
  store: Store,
  guildId: string,
  allianceId?: number,
  among?: readonly number[],
): Promise<SendableChannels | null> {
  const alliances = await store.alliances.list({ guildId });
  const candidates =
    allianceId !== undefined
      ? alliances.filter((alliance) => alliance.id === allianceId)
      : among
        ? alliances.filter((alliance) => among.includes(alliance.id))
        : alliances.length === 1
          ? alliances
          : [];
  const channelId = candidates.find((alliance) => alliance.resultChannelId)?.resultChannelId;
  return channelId ? sendableChannelOf(client, guildId, channelId) : null;
}

export async function sendableChannelOf(
  client: Client,
  guildId: string,
  channelId: string,
): Promise<SendableChannels | null> {
  const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
  if (!channel || !('guildId' in channel) || channel.guildId !== guildId || !channel.isSendable()) return null;
  return channel;
}
